from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from exercises.forms import ExercisePhotoAdminForm
from exercises.library_version import library_version_bump
from exercises.models import (
    Equipment,
    Exercise,
    ExercisePhoto,
    Leaflet,
    ProtocolVariant,
    VariationKind,
)


class SiteAdminApprovesMixin:
    """Only a site administrator (a superuser) approves a photo for every practice;
    other staff see the approval but cannot change it."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("approved_for_all")
        return readonly


class ExercisePhotoInline(SiteAdminApprovesMixin, admin.TabularInline):
    model = ExercisePhoto
    form = ExercisePhotoAdminForm
    extra = 0


class TextLinesField(forms.Field):
    """A JSON list of texts, edited as one text per line."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 90})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(self._line(entry) for entry in value)
        return value

    def to_python(self, value) -> list:
        return [self._entry(line.strip()) for line in (value or "").splitlines() if line.strip()]

    def _line(self, entry) -> str:
        return entry

    def _entry(self, line: str):
        return line


class VariantLinesField(TextLinesField):
    """Variations as lines: "+ " starts a harder one, "- " an easier one.

    Every kind survives a round trip through the form: a variation the admin
    did not touch keeps its kind.
    """

    PREFIXES = {VariationKind.HARDER: "+ ", VariationKind.EASIER: "- "}

    def _line(self, entry) -> str:
        return self.PREFIXES.get(entry.get("kind"), "") + entry["text"]

    def _entry(self, line: str) -> dict:
        for kind, prefix in self.PREFIXES.items():
            if line.startswith(prefix):
                return {"kind": kind.value, "text": line.removeprefix(prefix).strip()}
        return {"kind": VariationKind.VARIANT.value, "text": line}


class ExerciseAdminForm(forms.ModelForm):
    steps = TextLinesField(label=_("Steps"), help_text=_("One step per line, in order."))
    variants = VariantLinesField(
        label=_("Variations"),
        required=False,
        help_text=_(
            'One variation per line; start a line with "+ " for a harder one, '
            'with "- " for an easier one.'
        ),
    )
    attention_points = TextLinesField(
        label=_("Attention points"), required=False, help_text=_("One per line.")
    )
    cautions = TextLinesField(label=_("Cautions"), required=False, help_text=_("One per line."))

    class Meta:
        model = Exercise
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseAdminForm
    list_display = ["title", "leaflet", "section", "number", "category", "position", "dose_source"]
    list_filter = ["leaflet", "category", "body_region", "position", "dose_source", "applies_to"]
    search_fields = ["title", "search_text", "slug"]
    filter_horizontal = ["equipment", "applies_to"]
    inlines = [ExercisePhotoInline]
    list_select_related = ["leaflet"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_from_leaflet",
                    "slug",
                    ("leaflet", "section", "number", "order"),
                    ("category", "body_region", "position"),
                    "equipment",
                    "applies_to",
                ]
            },
        ),
        (
            _("Leaflet text"),
            {"fields": ["steps", "variants", "attention_points", "cautions", "steps_by_variant"]},
        ),
        (
            _("Default dose"),
            {
                "fields": [
                    ("dose_source", "dose_source_text"),
                    "dose_note",
                    ("sets_min", "sets_max"),
                    ("reps_min", "reps_max", "reps_per_side"),
                    ("hold_min", "hold_max", "hold_unit"),
                    ("rest_seconds_min", "rest_seconds_max", "duration_minutes"),
                    ("times_per_day_min", "times_per_day_max"),
                    ("days_per_week_min", "days_per_week_max"),
                    ("borg_min", "borg_max"),
                    (
                        "progression",
                        "progression_start",
                        "progression_step",
                        "progression_target",
                        "progression_target_max",
                    ),
                    "next_stage",
                ]
            },
        ),
    ]


@admin.register(Leaflet)
class LeafletAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "source_file", "order"]


@admin.register(ProtocolVariant)
class ProtocolVariantAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "name_en", "leaflet", "order"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "name_en", "gym_only"]


@admin.register(ExercisePhoto)
class ExercisePhotoAdmin(SiteAdminApprovesMixin, admin.ModelAdmin):
    """Where a site administrator reviews the practices' photos and approves them."""

    form = ExercisePhotoAdminForm
    list_display = [
        "preview",
        "exercise",
        "alt_text",
        "practice",
        "approved_for_all",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["approved_for_all", "practice"]
    list_select_related = ["exercise", "practice", "uploaded_by"]
    search_fields = ["exercise__title", "alt_text"]
    autocomplete_fields = ["exercise"]
    fields = ["exercise", "image", "alt_text", "order", "practice", "approved_for_all"]
    actions = ["approve_for_all"]

    @admin.display(description=_("photo"))
    def preview(self, photo: ExercisePhoto) -> str:
        return format_html('<img src="{}" alt="" width="80">', photo.thumbnail.url)

    def has_approve_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(description=_("Approve for every practice"), permissions=["approve"])
    def approve_for_all(self, request, queryset) -> None:
        count = queryset.update(approved_for_all=True)
        library_version_bump()  # a queryset update sends no signal
        self.message_user(
            request,
            ngettext(
                "%(count)d photo approved for every practice.",
                "%(count)d photos approved for every practice.",
                count,
            )
            % {"count": count},
        )
