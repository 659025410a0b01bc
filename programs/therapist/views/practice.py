"""The practice's own pages, for its administrators: the access log and the
details every handout prints, with the pain rule the plan follows."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oefenplan.http import HtmxHttpRequest
from programs.access_log import access_log_entries
from programs.services import practice_update
from programs.therapist.access import practice_admin_required
from programs.therapist.forms import PracticeForm

ACCESS_LOG_PAGE_SIZE = 500


@require_GET
@practice_admin_required
def access_log(request: HtmxHttpRequest) -> HttpResponse:
    entries = access_log_entries(practice=request.practice)[:ACCESS_LOG_PAGE_SIZE]
    return render(request, "programs/therapist/access_log.html", {"entries": entries})


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
