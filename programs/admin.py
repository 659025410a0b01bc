"""The admin keeps the site's set-up: practices, therapists' accounts, protocols.

No patient data is registered here at all: patients, programs, revisions,
ticks, links and the access log live behind the therapist's pages, where each
practice sees only its own records and every read is logged. The Django admin
knows no practices, so a staff account of one practice would read them all.
"""

from django.contrib import admin

from programs.models import Practice, Protocol, ProtocolItem, Therapist


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "call_hours", "pain_limit"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # The delete page lists everything a practice holds, its patients by
        # name among them; a practice ends by erasing its patients first.
        return False


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
