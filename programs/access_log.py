"""The access log (NEN 7513): who read or changed which patient's record, and when.

This module is the only writer of `AccessLogEntry`. Every write service records
its line inside its own transaction (`access_log_record`), so a change and its
line land together or not at all; every page that shows a patient's record
records a read through the therapist's access module (`access_log_read`).
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from programs.models import AccessAction, AccessLogEntry, Patient, Practice

DETAIL_MAX_LENGTH = AccessLogEntry._meta.get_field("detail").max_length


def access_log_record(
    *, user: User, patient: Patient, action: str, detail: str = ""
) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        practice_id=patient.practice_id,
        user=user,
        patient=patient,
        action=action,
        detail=detail[:DETAIL_MAX_LENGTH],
    )


def access_log_read(*, user: User, patient: Patient, detail: str = "") -> AccessLogEntry:
    """A therapist opened (a part of) the patient's record."""
    return access_log_record(user=user, patient=patient, action=AccessAction.VIEW, detail=detail)


def access_log_entries(*, practice: Practice) -> QuerySet[AccessLogEntry]:
    """The practice's log, newest first."""
    return AccessLogEntry.objects.filter(practice=practice).select_related("user", "patient")
