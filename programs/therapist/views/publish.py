"""Publishing: what changed since the last revision, every open warning kept on
purpose with its reason, then the new revision the patient and handout show."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oefenplan.http import HtmxHttpRequest
from programs import selectors, services
from programs.therapist.access import practice_required, program_for, record_read
from programs.therapist.forms import PublishForm


@require_http_methods(["GET", "POST"])
@practice_required
def program_publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = program_for(request, pk)
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        open_warnings=selectors.program_open_warnings(program=program),
    )
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.program_publish(
                program=program, user=request.user, keep=form.keep()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Published as revision %(number)s.") % {"number": revision.number}
            )
            return redirect(program)
    record_read(request, program.patient, detail="publish review")
    return render(
        request,
        "programs/therapist/program_publish.html",
        {
            "program": program,
            "form": form,
            "revision": program.revisions.first(),
            "changes": selectors.program_draft_changes(program=program),
        },
        status=400 if form.errors else 200,
    )
