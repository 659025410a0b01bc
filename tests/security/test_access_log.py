"""The access log as NEN 7513 asks, through the pages that write and read it;
append-only, and a tampered line is found by the chain check."""

import csv
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client

from programs import links
from programs.access_log import access_log_append, access_log_verify
from programs.models import AccessAction, AccessLogEntry, AppendOnlyError
from tests import factories
from tests.factories import make_patient, make_practice, make_therapist, sign_in


@pytest.fixture
def admin_client(client, therapist):
    sign_in(client, therapist)
    return client


def _last(**filters) -> AccessLogEntry:
    return AccessLogEntry.objects.filter(**filters).order_by("-pk").first()


def test_a_read_names_the_event_time_patient_user_behalf_address_and_outcome(
    admin_client, therapist, practice
):
    patient = make_patient(therapist, "Anna")
    admin_client.get(patient.get_absolute_url(), REMOTE_ADDR="203.0.113.7")
    line = _last(action=AccessAction.VIEW)
    assert (line.user, line.patient_id, line.practice_id) == (therapist, patient.pk, practice.pk)
    assert line.on_behalf_of == practice.name
    assert line.source_address == "203.0.113.7"
    assert line.outcome == "allowed" and line.at is not None


def test_behind_the_proxy_the_forwarded_address_is_logged(admin_client, therapist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    patient = make_patient(therapist, "Anna")
    admin_client.get(
        patient.get_absolute_url(),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44",
    )
    assert _last(action=AccessAction.VIEW).source_address == "192.0.2.44"


def test_the_list_a_search_and_reading_the_log_are_logged(admin_client, therapist):
    anna = make_patient(therapist, "Anna")
    make_patient(therapist, "Bram")
    admin_client.get("/patients/?q=Ann")
    search = _last(action=AccessAction.LIST)
    assert search.detail == f"search page 1: #{anna.pk}"
    admin_client.get("/patients/")
    assert "#" in _last(action=AccessAction.LIST).detail
    admin_client.get("/practice/access-log/")
    assert _last(action=AccessAction.LOG_READ).user == therapist


def test_link_opens_and_wrong_links_are_logged(therapist):
    patient = make_patient(therapist, "Anna")
    link = links.patient_link_create(patient=patient, user=therapist)
    token = links.link_url(link, "http://testserver/").rstrip("/").rsplit("/", 1)[1]
    phone = Client(REMOTE_ADDR="192.0.2.10")
    phone.get(f"/p/{token}/")
    opened = _last(action=AccessAction.LINK_OPEN)
    assert (opened.patient_id, opened.user, opened.outcome) == (patient.pk, None, "allowed")
    assert opened.on_behalf_of == f"patient (link {link.pk})"
    assert opened.source_address == "192.0.2.10"
    phone.get("/p/" + "A" * 22 + "/")
    wrong = _last(action=AccessAction.LINK_OPEN)
    assert (wrong.outcome, wrong.patient_id) == ("refused", None)


def test_a_refused_look_is_logged_for_the_practice_that_holds_the_record(
    admin_client, therapist, practice
):
    patient = make_patient(therapist, "Anna")
    stranger = Client()
    otto = make_therapist(make_practice("Elders"), "otto")
    sign_in(stranger, otto)
    assert stranger.get(patient.get_absolute_url()).status_code == 404
    refused = _last(outcome="refused")
    assert (refused.user, refused.patient_id, refused.practice_id) == (
        otto,
        patient.pk,
        practice.pk,
    )
    assert refused.on_behalf_of == "Elders"
    page = admin_client.get("/practice/access-log/").content.decode()
    assert 'class="log-refused"' in page and "otto" in page


def test_sign_ins_failures_and_sign_outs_are_logged(client, therapist):
    client.post("/accounts/login/", {"login": "tess", "password": "not-the-password"})
    failed = _last(action=AccessAction.SIGN_IN_FAILED)
    assert failed.outcome == "refused" and failed.detail == "username: tess"
    assert "not-the-password" not in failed.detail
    client.post("/accounts/login/", {"login": "tess", "password": factories.PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    second = _last(action=AccessAction.SIGN_IN_FAILED)
    assert second.detail == "second step failed for username: tess"
    assert second.practice == therapist.therapist.practice
    sign_in(client, therapist)
    assert _last(action=AccessAction.SIGN_IN).user == therapist
    client.post("/accounts/logout/")
    assert _last(action=AccessAction.SIGN_OUT).user == therapist


def test_the_app_never_changes_or_removes_a_line(therapist):
    line = access_log_append(user=therapist, action=AccessAction.SIGN_IN)
    line.detail = "forged"
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=line.pk).update(detail="forged")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()


def _table() -> str:
    return AccessLogEntry._meta.db_table


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_database_refuses_update_and_delete(therapist):
    line = access_log_append(user=therapist, action=AccessAction.SIGN_IN)
    for statement in (
        f"UPDATE {_table()} SET detail = 'forged' WHERE id = %s",
        f"DELETE FROM {_table()} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [line.pk])
    assert AccessLogEntry.objects.get(pk=line.pk).detail == ""


def _around_the_app(statement: str, params) -> None:
    """What someone with the database's own keys could do: on PostgreSQL past the
    trigger (as replication does), on SQLite straight away."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)


def test_a_line_changed_around_the_app_is_found_by_the_chain_check(therapist):
    lines = [access_log_append(user=therapist, action=AccessAction.SIGN_IN) for _ in range(4)]
    call_command("verify_access_log", stdout=io.StringIO())  # holds before
    with transaction.atomic():
        _around_the_app(
            f"UPDATE {_table()} SET detail = 'nothing to see' WHERE id = %s", [lines[2].pk]
        )
    with pytest.raises(CommandError, match=f"broken at line {lines[2].pk}: its contents"):
        call_command("verify_access_log", stdout=io.StringIO())


def test_a_line_removed_around_the_app_is_found_by_the_chain_check(therapist):
    lines = [access_log_append(user=therapist, action=AccessAction.SIGN_IN) for _ in range(4)]
    with transaction.atomic():
        _around_the_app(f"DELETE FROM {_table()} WHERE id = %s", [lines[1].pk])
    checked, broken = access_log_verify()
    assert broken.entry_id == lines[2].pk and "does not follow" in broken.reason


# Several app servers append at once on PostgreSQL; the test database of the
# SQLite run is in memory, shared between threads in a way that reports "table
# locked" instead of waiting, so this runs in the PostgreSQL run.
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_lines_written_at_the_same_time_keep_one_chain(practice):
    user = make_therapist(practice, "tess2")
    errors = []

    def write(n: int) -> None:
        try:
            for _ in range(n):
                access_log_append(user=user, action=AccessAction.SIGN_IN)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, broken = access_log_verify()
    assert broken is None and checked == AccessLogEntry.objects.count() >= 40


def test_the_log_is_filtered_by_patient_and_period_and_exported_as_safe_csv(
    admin_client, therapist
):
    anna = make_patient(therapist, '=HYPERLINK("http://evil","Anna")')
    bram = make_patient(therapist, "Bram")
    admin_client.get(anna.get_absolute_url())
    admin_client.get(bram.get_absolute_url())
    page = admin_client.get("/practice/access-log/?patient=Bram").content.decode()
    assert "Bram" in page and "HYPERLINK" not in page
    empty = admin_client.get("/practice/access-log/?since=2020-01-01&until=2020-01-31")
    assert "Geen regels voor deze keuze." in empty.content.decode()
    wrong = admin_client.get("/practice/access-log/?since=2030-01-01")
    assert wrong.status_code == 400 and "Kies een dag tussen" in wrong.content.decode()

    response = admin_client.get("/practice/access-log.csv?patient=HYPERLINK")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Wanneer", "Wie", "Namens", "Patiënt"]
    names = {row[3] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil","Anna")'}  # a spreadsheet shows it as text
    assert _last(action=AccessAction.EXPORT).detail.startswith("access log as CSV")


def test_who_looked_at_a_record_is_one_click_away_and_printable(admin_client, therapist, practice):
    patient = make_patient(therapist, "Anna")
    colleague = make_therapist(practice, "piet")
    other = Client()
    sign_in(other, colleague)
    other.get(patient.get_absolute_url())
    page = admin_client.get(patient.get_absolute_url()).content.decode()
    url = f"/patients/{patient.pk}/access-log/"
    assert f'href="{url}"' in page
    report = admin_client.get(url).content.decode()
    assert "Wie het dossier van Anna heeft ingezien" in report
    assert "piet" in report and "data-print" in report
    assert _last(action=AccessAction.LOG_READ).patient_id == patient.pk
    # A therapist who is no administrator has no such link, and the page is a 404.
    assert url not in other.get(patient.get_absolute_url()).content.decode()
    assert other.get(url).status_code == 404


def test_an_erased_patient_is_a_number_in_the_log(admin_client, therapist):
    from programs.models import Patient

    patient = make_patient(therapist, "Anna")
    admin_client.get(patient.get_absolute_url())
    number = patient.pk
    Patient.objects.filter(pk=number).delete()
    page = admin_client.get("/practice/access-log/").content.decode()
    assert f"#{number}" in page and "Anna" not in page
    assert access_log_verify()[1] is None


def test_practice_admins_only(client, therapist, practice):
    colleague = make_therapist(practice, "piet")
    sign_in(client, colleague)
    assert client.get("/practice/access-log/").status_code == 404
    assert client.get("/practice/access-log.csv").status_code == 404


def test_factories_still_write_a_chain(library):
    factories.anna_starts_today()
    assert access_log_verify()[1] is None


def test_an_appended_line_is_stored_as_written_and_chained(practice, therapist):
    """access_log_append writes its line in plain SQL: what the ORM reads back is
    the line it returned, every field, and each line's hash covers the one
    before it (on SQLite and on PostgreSQL, whose address type differs)."""
    from programs.access_log import access_log_source

    patient = make_patient(therapist, "Anna")
    written = []
    for address, user, who, detail in [
        ("203.0.113.7", therapist, patient, "list page 1: #1 #2"),
        ("2001:db8::1", None, None, "ünïcode — ‘quotes’ and 'single' and \"double\"; DROP"),
        (None, therapist, None, ""),
    ]:
        with access_log_source(address):
            written.append(
                access_log_append(
                    user=user,
                    practice=practice,
                    patient=who,
                    action=AccessAction.LIST,
                    detail=detail,
                )
            )
    for line in written:
        stored = AccessLogEntry.objects.get(pk=line.pk)
        fields = [field.attname for field in AccessLogEntry._meta.concrete_fields]
        assert {name: getattr(stored, name) for name in fields} == {
            name: getattr(line, name) for name in fields
        }
        assert stored.entry_hash == stored.content_hash()
        assert not line._state.adding
    assert written[1].previous_hash == written[0].entry_hash
    assert written[2].previous_hash == written[1].entry_hash
    assert access_log_verify() == (AccessLogEntry.objects.count(), None)
    with pytest.raises(AppendOnlyError):
        written[0].save()
