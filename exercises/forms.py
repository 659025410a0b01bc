from django import forms
from django.utils.translation import gettext_lazy as _

from exercises.models import (
    BodyRegion,
    Category,
    Equipment,
    ExercisePhoto,
    Leaflet,
    Position,
    ProtocolVariant,
)
from exercises.photos import PreparedPhoto, prepare_photo
from exercises.selectors import LibraryFilters


def _with_all(choices) -> list[tuple[str, str]]:
    return [("", _("All")), *choices]


class LibraryFilterForm(forms.Form):
    """GET filters of the library: the same form drives htmx and plain requests."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    leaflet = forms.ModelChoiceField(
        label=_("Leaflet"), queryset=Leaflet.objects.all(), required=False, empty_label=_("All")
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=_with_all(Category.choices), required=False
    )
    body_region = forms.ChoiceField(
        label=_("Body region"), choices=_with_all(BodyRegion.choices), required=False
    )
    position = forms.ChoiceField(
        label=_("Starting position"), choices=_with_all(Position.choices), required=False
    )
    equipment = forms.ModelChoiceField(
        label=_("Equipment"),
        queryset=Equipment.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    variant = forms.ModelChoiceField(
        label=_("Protocol variant"),
        queryset=ProtocolVariant.objects.all(),
        required=False,
        empty_label=_("All"),
    )

    def filters(self) -> LibraryFilters:
        """The valid filters; an invalid value (a tampered URL) is simply not applied."""
        if not self.is_bound:
            return LibraryFilters()
        self.is_valid()
        data = self.cleaned_data
        return LibraryFilters(
            text=data.get("q", ""),
            leaflet=data.get("leaflet"),
            category=data.get("category", ""),
            body_region=data.get("body_region", ""),
            position=data.get("position", ""),
            equipment=data.get("equipment"),
            variant=data.get("variant"),
        )


class ExercisePhotoUploadForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows"),
        max_length=200,
        required=False,
        help_text=_("Read aloud by screen readers."),
    )

    def clean_photo(self) -> PreparedPhoto:
        return prepare_photo(self.cleaned_data["photo"])


class ExercisePhotoAdminForm(forms.ModelForm):
    """The admin's photo forms: a new upload goes through the same checks and resizing.

    `image` is a plain file field: the model's ImageField would have Django open
    the upload with Pillow before `clean_image` runs, with none of our limits."""

    image = forms.FileField(
        label=_("photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = ExercisePhoto
        fields = ["image", "alt_text", "order", "practice", "approved_for_all"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image is None or not hasattr(image, "content_type"):
            return image  # unchanged existing file
        prepared = prepare_photo(image)
        self.instance.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
        self.instance.width, self.instance.height = prepared.width, prepared.height
        return prepared.web
