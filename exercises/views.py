from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from exercises import selectors, services
from exercises.dose import describe_dose
from exercises.forms import ExercisePhotoUploadForm, LibraryFilterForm
from exercises.models import Exercise
from oefenplan.http import HtmxHttpRequest


def _practice_id_of(user: User) -> int | None:
    """The practice of a therapist; None for anyone else (a site admin, say).

    Therapists are programs' (programs.models.Therapist), which the library may
    not import: the user's reverse one-to-one `therapist` reaches the row anyway,
    in one query, and its `practice_id` is all the library needs."""
    therapist = getattr(user, "therapist", None)
    return therapist.practice_id if therapist is not None else None


@require_GET
@login_required
@vary_on_headers("HX-Request")
def library(request: HtmxHttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    page = selectors.exercise_library_page(
        filters=form.filters(),
        page_number=request.GET.get("page"),
        practice_id=_practice_id_of(request.user),
    )
    query = request.GET.copy()
    query.pop("page", None)
    template = "exercises/library.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "page": page, "filter_query": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def exercise_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    practice_id = _practice_id_of(request.user)
    if request.method == "POST" and practice_id is None:
        # Only a practice's therapist adds photos (they belong to the practice);
        # anyone else gets the app's answer for "not yours".
        raise Http404
    try:
        exercise = selectors.exercise_detail(slug=slug, practice_id=practice_id)
    except Exercise.DoesNotExist as error:
        raise Http404 from error
    upload_form = None
    if request.method == "POST":
        upload_form = ExercisePhotoUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            services.exercise_photo_add(
                exercise=exercise,
                photo=upload_form.cleaned_data["photo"],
                alt_text=upload_form.cleaned_data["alt_text"],
                uploaded_by=request.user,
                practice_id=practice_id,
            )
            messages.success(request, _("The photo has been added."))
            return redirect(exercise)
    elif practice_id is not None:
        upload_form = ExercisePhotoUploadForm()
    return render(
        request,
        "exercises/exercise_detail.html",
        {"exercise": exercise, "dose_lines": describe_dose(exercise), "upload_form": upload_form},
        status=400 if upload_form is not None and upload_form.errors else 200,
    )
