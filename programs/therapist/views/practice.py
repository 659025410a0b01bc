"""The practice's own pages, for its administrators: the access log (all of it,
one patient's, as CSV) and the details every handout prints, with the pain rule
the plan follows. Reading the log is itself logged."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oefenplan.http import HtmxHttpRequest
from programs.access_log import (
    access_log_append,
    access_log_entries,
    access_log_lines,
    patient_ids_matching,
)
from programs.models import AccessAction
from programs.services import practice_update
from programs.therapist.access import patient_for, practice_admin_required
from programs.therapist.forms import AccessLogFilterForm, PracticeForm

ACCESS_LOG_PAGE_SIZE = 100
# A spreadsheet runs a cell that starts with one of these as a formula
# (OWASP "CSV injection"): such a cell gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filtered(request: HtmxHttpRequest):
    """The filter form and the entries it selects (all of them when it is not valid)."""
    form = AccessLogFilterForm(request.GET or None)
    patient_ids = since = until = None
    if form.is_valid():
        data = form.cleaned_data
        if data["patient"]:
            patient_ids = patient_ids_matching(practice=request.practice, text=data["patient"])
        since, until = data["since"], data["until"]
    entries = access_log_entries(
        practice=request.practice, patient_ids=patient_ids, since=since, until=until
    )
    return form, entries


def _filter_detail(form: AccessLogFilterForm) -> str:
    if not form.is_bound or not form.is_valid():
        return "all"
    data = form.cleaned_data
    return (
        f"patient filter {'yes' if data['patient'] else 'no'}, "
        f"from {data['since'] or '-'} to {data['until'] or '-'}"
    )


@require_GET
@practice_admin_required
def access_log(request: HtmxHttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    lines = access_log_lines(practice=request.practice, entries=page.object_list)
    access_log_append(
        user=request.user,
        practice=request.practice,
        action=AccessAction.LOG_READ,
        detail=f"{_filter_detail(form)}, page {page.number}",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/therapist/access_log.html",
        {"form": form, "page": page, "lines": lines, "filter_query": query.urlencode()},
        status=400 if form.errors else 200,
    )


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@practice_admin_required
def access_log_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The selected lines as CSV, written as they are read (the log can be long)."""
    form, entries = _filtered(request)
    access_log_append(
        user=request.user,
        practice=request.practice,
        action=AccessAction.EXPORT,
        detail=f"access log as CSV: {_filter_detail(form)}",
    )
    writer = csv.writer(_Echo())
    header = [
        _("When"), _("Who"), _("On behalf of"), _("Patient"), _("Event"),
        _("Outcome"), _("From address"), _("Detail"), _("Line"), _("Hash"),
    ]  # fmt: skip

    def rows():
        yield "\ufeff" + writer.writerow(header)  # the BOM: Excel then reads UTF-8
        for chunk in _chunks(entries.iterator(chunk_size=500), 500):
            for line in access_log_lines(practice=request.practice, entries=chunk):
                entry = line.entry
                yield writer.writerow(
                    [
                        csv_cell(value)
                        for value in (
                            timezone.localtime(entry.at).isoformat(timespec="seconds"),
                            entry.user.get_username() if entry.user else "",
                            entry.on_behalf_of,
                            line.patient_label,
                            entry.get_action_display(),
                            entry.get_outcome_display(),
                            entry.source_address,
                            entry.detail,
                            entry.pk,
                            entry.entry_hash,
                        )
                    ]
                )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="toegangslog-{stamp}.csv"'
    return response


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@require_GET
@practice_admin_required
def patient_access_log(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Who looked at this patient's record, and when: for the patient who asks
    (GDPR art. 15), printable."""
    patient = patient_for(request, pk)
    entries = access_log_entries(practice=request.practice, patient_ids=[patient.pk])
    lines = access_log_lines(practice=request.practice, entries=entries)
    access_log_append(
        user=request.user, patient=patient, action=AccessAction.LOG_READ, detail="who looked"
    )
    return render(
        request,
        "programs/therapist/patient_access_log.html",
        {"patient": patient, "lines": lines, "printed_at": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
@practice_admin_required
def practice_settings(request: HtmxHttpRequest) -> HttpResponse:
    form = PracticeForm(request.POST or None, instance=request.practice)
    if request.method == "POST" and form.is_valid():
        practice_update(practice=form.instance)
        messages.success(request, _("The practice's details were saved."))
        return redirect("therapist:practice_settings")
    return render(
        request,
        "programs/therapist/practice_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
