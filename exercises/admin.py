from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from exercises.forms import ExercisePhotoAdminForm
from exercises.models import Equipment, Exercise, ExercisePhoto, Leaflet, ProtocolVariant


class ExercisePhotoInline(admin.TabularInline):
    model = ExercisePhoto
    form = ExercisePhotoAdminForm
    extra = 0


class ExerciseAdminForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        widgets = {
            field: forms.Textarea(attrs={"rows": 6, "cols": 90})
            for field in ("steps", "variants", "attention_points", "cautions")
        }
        help_texts = {
            "steps": _('A JSON list of texts, in order: ["First step.", "Second step."]'),
            "variants": _('A JSON list: [{"kind": "easier", "text": "..."}]'),
        }


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
        (_("Leaflet text"), {"fields": ["steps", "variants", "attention_points", "cautions"]}),
        (
            _("Default dose"),
            {
                "fields": [
                    ("dose_source", "dose_source_text"),
                    ("sets_min", "sets_max"),
                    ("reps_min", "reps_max", "reps_start", "reps_target", "reps_per_side"),
                    ("hold_min", "hold_max", "hold_unit"),
                    ("rest_seconds_min", "rest_seconds_max", "duration_minutes"),
                    ("times_per_day_min", "times_per_day_max"),
                    ("days_per_week_min", "days_per_week_max"),
                    ("borg_min", "borg_max"),
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
    list_display = ["slug", "name", "name_en"]
