from django.contrib import admin

from programs.models import (
    AccessLogEntry,
    Patient,
    Practice,
    Program,
    ProgramRevision,
    Protocol,
    ProtocolItem,
    Therapist,
)


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "call_hours", "pain_limit"]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "is_practice_admin"]
    list_select_related = ["user", "practice"]


class ProtocolItemInline(admin.TabularInline):
    model = ProtocolItem
    extra = 0
    autocomplete_fields = ["exercise"]


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "variant", "default_weeks", "one_type_per_session"]
    inlines = [ProtocolItemInline]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["name", "reference", "practice"]
    list_filter = ["practice"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["patient", "protocol", "start_date", "weeks", "archived_at"]
    list_select_related = ["patient", "protocol"]


@admin.register(ProgramRevision)
class ProgramRevisionAdmin(admin.ModelAdmin):
    list_display = ["program", "number", "published_at", "published_by"]
    readonly_fields = ["program", "number", "snapshot", "published_at", "published_by"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "patient", "action", "detail"]
    list_filter = ["practice", "action"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an audit trail is read-only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
