"""Who may see what, in one place: every therapist page that shows or changes a
patient's record finds the record here.

- `practice_required`: logged in and a therapist of a practice; sets
  `request.therapist` and `request.practice`.
- `patient_for`, `program_for`, `item_for`: the record, looked up within the
  therapist's practice. Another practice's record is a 404, the same answer as
  a record that does not exist, so ids reveal nothing.
- `record_read`: every page that shows a patient's record logs the read here
  (NEN 7513); changes are logged by the write services themselves.
- Every refusal (no therapist, not an administrator, a record that is not the
  practice's) is logged as refused, under the practice that holds the record
  when there is one, so its administrators see who tried.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from oefenplan.http import HtmxHttpRequest
from programs import selectors
from programs.access_log import access_log_append, access_log_read, access_log_refused
from programs.models import AccessAction, AccessOutcome, Patient, Program, ProgramItem

MAX_ID = 2**63 - 1  # the largest BigAutoField: beyond it PostgreSQL refuses the query


def practice_required(view):
    """Logged in, and a therapist of a practice: sets request.practice/therapist."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs):
        therapist = selectors.therapist_of(request.user)
        if therapist is None:
            access_log_refused(user=request.user, detail=f"not a therapist: {request.path}")
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
            access_log_refused(user=request.user, detail=f"not an administrator: {request.path}")
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


def _refused(request: HtmxHttpRequest, patient: Patient | None, what: str) -> Http404:
    """Log a refused look at a record, then answer as if it did not exist."""
    if patient is None:
        access_log_refused(user=request.user, detail=f"{what}: no such record")
    else:
        access_log_append(
            user=request.user,
            practice=patient.practice,
            patient=patient,
            on_behalf_of=request.practice.name,
            action=AccessAction.VIEW,
            outcome=AccessOutcome.REFUSED,
            detail=f"{what} of another practice",
        )
    return Http404()


def patient_for(request: HtmxHttpRequest, pk) -> Patient:
    number = record_id(pk)
    try:
        return Patient.objects.select_related("practice").get(pk=number, practice=request.practice)
    except Patient.DoesNotExist:
        raise _refused(
            request, Patient.objects.filter(pk=number).first(), f"patient {number}"
        ) from None


def program_for(request: HtmxHttpRequest, pk) -> Program:
    number = record_id(pk)
    try:
        return Program.objects.select_related("patient__practice", "protocol", "variant").get(
            pk=number, patient__practice=request.practice
        )
    except Program.DoesNotExist:
        elsewhere = Program.objects.select_related("patient").filter(pk=number).first()
        raise _refused(
            request, elsewhere.patient if elsewhere else None, f"program {number}"
        ) from None


def item_for(program: Program, item_pk) -> ProgramItem:
    """An item of a program already scoped to the practice: the pair must match."""
    return get_object_or_404(
        ProgramItem.objects.select_related("exercise"), pk=record_id(item_pk), program=program
    )


def record_read(request: HtmxHttpRequest, patient: Patient, detail: str = "") -> None:
    access_log_read(user=request.user, patient=patient, detail=detail)


def list_read(request: HtmxHttpRequest, patients, detail: str) -> None:
    """The patient list or a search showed these patients (their numbers only)."""
    shown = " ".join(f"#{patient.pk}" for patient in patients)
    access_log_append(
        user=request.user,
        practice=request.practice,
        action=AccessAction.LIST,
        detail=f"{detail}: {shown}" if shown else f"{detail}: none",
    )
