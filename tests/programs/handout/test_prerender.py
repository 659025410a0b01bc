"""Handouts are rendered by the task worker when what they print changes, so the
first download finds the PDF ready. Renders are counted, not timed."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from programs import services
from programs.handout import cache
from programs.handout.context import handout_for
from programs.handout.tasks import handout_prerender
from programs.models import AccessLogEntry
from tests.factories import make_link, make_program, publish

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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


def _published_with_link(user, protocol: str):
    """A program published, its patient with a link: a handout to download."""
    program = make_program(user, protocol)
    make_link(program.patient, user)
    publish(program, user)
    return program


def test_the_first_download_after_publishing_takes_no_render(
    library, practice_user, practice_client, settings, renders, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    program = _published_with_link(practice_user, "back-rehabilitation")
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
    # The worker and the view built the same handout (its link from SITE_URL): one key.
    assert response["ETag"] == f'"{renders[0]}"'


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


def test_the_worker_and_the_download_make_the_same_key_whatever_the_request_host(
    library, practice_user, client, settings, renders
):
    """The QR code's address comes from SITE_URL, not from the request's host."""
    from tests.factories import sign_in

    settings.ALLOWED_HOSTS = ["testserver", "intern.example"]
    program = _published_with_link(practice_user, "hip-osteoarthritis-home")
    name = handout_prerender.call(program.pk)
    sign_in(client, practice_user)
    response = client.get(
        reverse("therapist:handout_pdf", args=[program.pk]), HTTP_HOST="intern.example"
    )
    assert response.status_code == 200
    assert f'"{name.removesuffix(".pdf")}"' == response["ETag"]
    assert len(renders) == 1


def _handout_reads(program) -> int:
    return AccessLogEntry.objects.filter(
        patient=program.patient, action="view", detail="handout pdf"
    ).count()


def test_a_download_before_the_render_shows_a_page_that_waits_for_it(
    library, practice_user, practice_client, settings, renders, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    program = _published_with_link(practice_user, "hip-osteoarthritis-home")
    url = reverse("therapist:handout_pdf", args=[program.pk])
    DBTaskResult.objects.all().delete()  # the publish's render is lost (say the cache was emptied)

    page = practice_client.get(url)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "De folder wordt klaargemaakt" in html
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{url}"' in html
    assert f'href="{url}"' in html  # without JavaScript: ask again by hand
    assert renders == [] and DBTaskResult.objects.ready().count() == 1
    assert _handout_reads(program) == 1  # the therapist opened the handout: logged

    # htmx asks again: only the status, still waiting; nothing logged, nothing queued.
    status = practice_client.get(url, headers={"HX-Request": "true"})
    assert status.status_code == 200
    assert status.content.decode().lstrip().startswith('<div id="handout-status"')
    assert 'hx-trigger="every 2s"' in status.content.decode()
    assert _handout_reads(program) == 1 and DBTaskResult.objects.ready().count() == 1

    _run_worker(monkeypatch)
    ready = practice_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in ready and f'href="{url}"' in ready and "PDF downloaden" in ready

    response = practice_client.get(url)
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert len(renders) == 1 and _handout_reads(program) == 2


def test_without_a_worker_the_download_renders_at_once(
    library, practice_user, practice_client, renders
):
    """The dummy queue (tests, a bare runserver) runs nothing: waiting would be forever."""
    program = publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)
    response = practice_client.get(reverse("therapist:handout_pdf", args=[program.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert len(renders) == 1


def test_new_printed_details_of_the_practice_queue_renders(
    library, practice_user, practice, django_capture_on_commit_callbacks
):
    published = publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)
    make_program(practice_user, "knee-osteoarthritis", name="Bram")  # a draft: no handout
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        practice.pain_limit = 4  # not printed on the handout
        services.practice_update(practice=practice)
    assert _queued_programs() == []
    with django_capture_on_commit_callbacks(execute=True):
        practice.phone = "050 123 4567"
        services.practice_update(practice=practice)
    assert _queued_programs() == [published.pk]


def test_the_deploy_command_queues_the_handouts_not_in_the_cache(
    library, practice_user, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.HANDOUT_CACHE_DIR = tmp_path
    program = publish(make_program(practice_user, "hip-osteoarthritis-home"), practice_user)
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prerender_handouts", verbosity=0)
    assert _queued_programs() == [program.pk]

    handout_prerender.call(program.pk)
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prerender_handouts", verbosity=0)
    assert _queued_programs() == []

    # A deploy with a new template or stylesheet: a new layout fingerprint, a new key.
    monkeypatch.setattr(cache, "layout_fingerprint", lambda: "new-layout")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prerender_handouts", verbosity=0)
    assert _queued_programs() == [program.pk]
    assert cache.handout_cached_file(handout_for(program=program)) is None
