"""Who may see what, in one place: every therapist page that shows or changes a
patient's record finds the record here.

- `practice_required`: logged in and a therapist of a practice; sets
  `request.therapist` and `request.practice`.
- `patient_for`, `program_for`, `item_for`: the record, looked up within the
  therapist's practice. Another practice's record is a 404, the same answer as
  a record that does not exist, so ids reveal nothing.
- `record_read`: every page that shows a patient's record logs the read here
  (NEN 7513); changes are logged by the write services themselves.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from oefenplan.http import HtmxHttpRequest
from programs.access_log import access_log_read
from programs.models import Patient, Program, ProgramItem, Therapist

MAX_ID = 2**63 - 1  # the largest BigAutoField: beyond it PostgreSQL refuses the query


def practice_required(view):
    """Logged in, and a therapist of a practice: sets request.practice/therapist."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs):
        therapist = Therapist.objects.select_related("practice").filter(user=request.user).first()
        if therapist is None:
            raise Http404
        request.therapist, request.practice = therapist, therapist.practice
        return view(request, *args, **kwargs)

    return wrapper


def practice_admin_required(view):
    """A practice administrator of the practice (others get a 404, not a hint)."""

    @practice_required
    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs):
        if not request.therapist.is_practice_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def record_id(value) -> int:
    """An id from a URL or a form field; anything but a positive number is a 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def patient_for(request: HtmxHttpRequest, pk) -> Patient:
    return get_object_or_404(Patient, pk=record_id(pk), practice=request.practice)


def program_for(request: HtmxHttpRequest, pk) -> Program:
    return get_object_or_404(
        Program.objects.select_related("patient", "protocol", "variant"),
        pk=record_id(pk),
        patient__practice=request.practice,
    )


def item_for(program: Program, item_pk) -> ProgramItem:
    """An item of a program already scoped to the practice: the pair must match."""
    return get_object_or_404(
        ProgramItem.objects.select_related("exercise"), pk=record_id(item_pk), program=program
    )


def record_read(request: HtmxHttpRequest, patient: Patient, detail: str = "") -> None:
    access_log_read(user=request.user, patient=patient, detail=detail)
