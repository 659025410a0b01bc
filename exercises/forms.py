from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from exercises.library_version import library_version
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


class _KeptRowsIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.rows():
            yield self.choice(row)

    def __len__(self) -> int:
        return len(self.field.rows()) + (self.field.empty_label is not None)


class LibraryChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a library table (variants, leaflets, equipment),
    whose rows each process reads once per library version
    (exercises.library_version) instead of twice per request: the editor's add
    panel validates and shows its variant choice on every page."""

    iterator = _KeptRowsIterator
    _kept: dict[tuple[type, str], tuple[list, dict]] = {}

    def _kept_rows(self) -> tuple[list, dict]:
        key = (self.queryset.model, library_version())
        kept = self._kept.get(key)
        if kept is None:
            rows = list(self.queryset.all())
            kept = (rows, {str(row.pk): row for row in rows})
            # Replaced whole, keeping only this version's rows: threads see one
            # dict or the other, and an old version's rows are dropped.
            current = {k: v for k, v in LibraryChoiceField._kept.items() if k[1] == key[1]}
            LibraryChoiceField._kept = {**current, key: kept}
        return kept

    def rows(self) -> list:
        return self._kept_rows()[0]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = self._kept_rows()[1].get(str(value))
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row


class LibraryFilterForm(forms.Form):
    """GET filters of the library: the same form drives htmx and plain requests."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    leaflet = LibraryChoiceField(
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
    equipment = LibraryChoiceField(
        label=_("Equipment"),
        queryset=Equipment.objects.all(),
        required=False,
        empty_label=_("All"),
    )
    variant = LibraryChoiceField(
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
