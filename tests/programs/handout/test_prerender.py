"""Handouts are rendered by the task worker when what they print changes, so the
first download finds the PDF ready. Renders are counted, not timed."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from programs.handout import cache
from programs.handout.tasks import handout_prerender
from tests.factories import make_link, make_program, publish

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The cache keys of every PDF WeasyPrint lays out from here on."""
    laid_out: list[str] = []
    render = cache.handout_pdf

    def counted(handout):
        laid_out.append(cache.handout_cache_key(handout))
        return render(handout)

    monkeypatch.setattr(cache, "handout_pdf", counted)
    return laid_out


def _run_worker(monkeypatch) -> None:
    """A worker as production runs it (`manage.py db_worker`), until the queue is empty.

    Between tasks the worker closes connections that are old or not in autocommit,
    as a long-running process must; inside the test's transaction that would
    close the test's own connection on PostgreSQL, so here it keeps it (Django's
    test cases do the same for the request signals)."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def _queued_programs() -> list[int]:
    return [
        result.args[0]
        for result in default_task_backend.results
        if result.task.func is handout_prerender.func
    ]


def test_publishing_queues_a_render_and_a_refused_publish_none(
    library, practice_user, django_capture_on_commit_callbacks
):
    program = make_program(practice_user, "hip-osteoarthritis-home")
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(program, practice_user)
    assert _queued_programs() == [program.pk]

    draft = make_program(practice_user, "knee-osteoarthritis")
    draft.items.all().delete()  # nothing to publish
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        publish(draft, practice_user)
    assert _queued_programs() == [program.pk]


def test_a_new_link_queues_the_renders_of_the_patients_published_programs(
    library, practice_user, django_capture_on_commit_callbacks
):
    published = publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)
    make_program(practice_user, "knee-osteoarthritis", patient=published.patient)  # a draft
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_link(published.patient, practice_user)
    # The draft prints no handout: only the published program's has a new QR code.
    assert _queued_programs() == [published.pk]


def test_the_first_download_after_publishing_takes_no_render(
    library, practice_user, practice_client, settings, renders, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    program = make_program(practice_user, "back-rehabilitation")
    make_link(program.patient, practice_user)
    publish(program, practice_user)
    # Queued in the database with the publish; nothing laid out yet: no worker runs.
    assert DBTaskResult.objects.ready().count() >= 1
    assert renders == []

    # A worker started afterwards (a restart loses nothing: the queue is a table)
    # renders the handout once, however many times it was queued.
    _run_worker(monkeypatch)
    assert not DBTaskResult.objects.ready().exists()
    assert DBTaskResult.objects.successful().exists()
    assert len(renders) == 1

    response = practice_client.get(reverse("therapist:handout_pdf", args=[program.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert len(renders) == 1, "the download laid the PDF out again"


def test_a_render_for_an_erased_program_does_nothing(library, practice_user, renders):
    program = publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)
    program_id = program.pk
    program.delete()
    assert handout_prerender.call(program_id) is None
    assert renders == []


def test_with_redis_configured_an_rq_worker_renders_it(
    library, practice_user, settings, renders, django_capture_on_commit_callbacks
):
    """OEFENPLAN_TASK_QUEUE=redis: the render is queued in Redis after the commit
    and an RQ worker (the job class django-tasks-rq asks for) does it."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/13"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    program = make_program(practice_user, "hip-osteoarthritis-home")
    make_link(program.patient, practice_user)
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        publish(program, practice_user)
    assert queue.count == 0, "queued before the publish committed"
    for callback in after_commit:
        callback()
    assert queue.count >= 1
    # SimpleWorker runs the job in this process, inside the test's transaction.
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    assert queue.count == 0
    assert len(renders) == 1
