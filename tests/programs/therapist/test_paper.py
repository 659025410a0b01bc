"""A returned paper schedule, typed in by the therapist, marked as from paper."""

import datetime

from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import AccessLogEntry, ExerciseTick
from tests.factories import make_practice, make_therapist, sign_in


def _url(program, week=1) -> str:
    return f"{reverse('therapist:program_paper', args=[program.pk])}?week={week}"


def test_the_therapist_types_in_the_paper_grid(practice_client, practice_user, started):
    program = started(days_ago=6)  # week 1, today is its last day
    start = program.start_date
    daily = program.items.get(exercise__slug="amputation-mobility-2")
    prone = program.items.get(exercise__slug="amputation-mobility-1")  # twice a day
    services.tick_save(program=program, item_id=daily.pk, day=start, session=1, pain=None, note="")
    page = practice_client.get(_url(program)).content.decode()
    phone_box = f'name="t-{daily.pk}-{start.isoformat()}-1" value="1" checked disabled'
    assert phone_box in page  # ticked on the phone: shown, not changed here
    assert f'name="t-{prone.pk}-{start.isoformat()}-2"' in page  # a box per session
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {
        f"t-{daily.pk}-{(start + datetime.timedelta(days=1)).isoformat()}-1": "1",
        f"t-{prone.pk}-{start.isoformat()}-2": "1",
        f"t-{daily.pk}-{tomorrow.isoformat()}-1": "1",  # not a day of this week yet
    }
    assert practice_client.post(_url(program), data).status_code == 302
    paper = ExerciseTick.objects.filter(source="paper")
    assert sorted((t.item_id, t.date, t.session) for t in paper) == sorted(
        [(daily.pk, start + datetime.timedelta(days=1), 1), (prone.pk, start, 2)]
    )
    assert {t.entered_by for t in paper} == {practice_user}
    assert ExerciseTick.objects.get(date=start, item_id=daily.pk).source == "phone"
    # Unticked on the grid, a paper tick goes; the phone's stays.
    practice_client.post(_url(program), {f"t-{prone.pk}-{start.isoformat()}-2": "1"})
    assert ExerciseTick.objects.filter(source="paper").count() == 1
    assert ExerciseTick.objects.filter(source="phone").count() == 1
    assert AccessLogEntry.objects.filter(detail__startswith="paper ticks").count() == 2
    # The patient page says where the figures came from.
    patient_page = practice_client.get(program.patient.get_absolute_url()).content.decode()
    assert "Oefeningen gedaan van gepland" in patient_page


def test_only_the_practice_may_type_in(client, started):
    program = started()
    sign_in(client, make_therapist(make_practice("Elders"), "otto"))
    assert client.get(_url(program)).status_code == 404
    assert client.post(_url(program), {}).status_code == 404
