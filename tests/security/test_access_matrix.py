"""Every URL of the app, discovered from the resolver, asked for by everyone who
is not its owner: the anonymous visitor, a therapist and a staff member of
another practice, a therapist of the same practice whose session skipped the
second factor, and phones holding this patient's or another patient's plan.
Whatever is not theirs is a 404 or a way to the login, and no page, fragment,
PDF or CSV carries the patient's data. A URL added later is asked for too: the
test fails until its kind is named below."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programs import services
from tests.factories import make_link, make_practice, make_program, make_therapist, publish, sign_in

# What must never reach anyone but the practice (and, on the phone, the patient).
SECRETS = ("Vicky Leaktest", "REF-LEAK-991", "note-leak-5521", "tick-leak-8813")
WRONG_TOKEN = "A" * 22

# The kind of every URL name; unnamed patterns by their route.
RECORD = "a patient's record (the therapist's pages with an id)"
PRACTICE = "the practice's own pages"
LIBRARY = "the exercise library"
PLAN = "the patient's plan (behind the link's cookie)"
ACCOUNT = "sign-in and one's own account"
ADMIN = "the Django admin (no patient data is registered in it)"
PUBLIC = "public: redirects, language, files"

KINDS = {
    "therapist:patient_list": PRACTICE,
    "therapist:access_log": PRACTICE,
    "therapist:access_log_csv": PRACTICE,
    "therapist:practice_settings": PRACTICE,
    "set_language": PUBLIC,
    "ops:healthz": PUBLIC,  # the proxy's health checks: no session, no record
    "ops:readyz": PUBLIC,
}
UNNAMED_ROUTES = {
    "": PUBLIC,  # / redirects to the library
    "login/": PUBLIC,  # the old address of the login
    "admin/(?P<url>.*)$": ADMIN,  # the admin's catch-all
    "^media/(?P<path>.*)$": PUBLIC,  # uploaded photos
}


def _kind(name: str | None, route: str) -> str:
    if name is None:
        if route.startswith("admin/") and route.endswith("<path:object_id>/"):
            return ADMIN  # the admin's old-style change URL
        return UNNAMED_ROUTES[route]
    if name in KINDS:
        return KINDS[name]
    namespace = name.split(":")[0] if ":" in name else ""
    if namespace == "therapist":
        return RECORD
    if namespace == "exercises":
        return LIBRARY
    if namespace == "plan":
        return PLAN
    if namespace == "admin":
        return ADMIN
    if name.startswith(("account_", "mfa_", "usersessions_")):
        return ACCOUNT
    raise KeyError(name)


def _patterns(patterns=None, prefix="", namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern), pattern


def test_every_url_has_a_kind():
    unknown = []
    for name, route, _pattern in _patterns():
        try:
            _kind(name, route)
        except KeyError:
            unknown.append(name or route)
    assert unknown == [], "name the kind of these new URLs in KINDS or UNNAMED_ROUTES"


class World:
    """Practice A with its patient Vicky; practice B next door."""

    def __init__(self) -> None:
        practice = make_practice("Praktijk A")
        self.owner = make_therapist(practice, "owner", admin=True)
        self.program = make_program(self.owner, "hip-replacement-anterior", name="Vicky Leaktest")
        self.patient = self.program.patient
        self.patient.reference = "REF-LEAK-991"
        self.patient.save()
        self.item = self.program.items.first()
        self.item.note = "note-leak-5521"
        self.item.save()
        publish(self.program, self.owner)
        services.tick_save(
            program=self.program,
            item_id=self.item.pk,
            day=timezone.localdate(),
            session=1,
            pain=2,
            note="tick-leak-8813",
        )
        _link, self.token = make_link(self.patient, self.owner)
        other_practice = make_practice("Praktijk B")
        self.other = make_therapist(other_practice, "other", admin=True)
        self.staff = make_therapist(other_practice, "staffb", admin=True)
        self.staff.is_staff = True
        self.staff.save()
        self.staff.user_permissions.set(Permission.objects.all())
        bob = make_program(self.other, "knee-osteoarthritis", name="Bob Own").patient
        publish(bob.programs.get(), self.other)
        _other_link, self.other_token = make_link(bob, self.other)
        self.no_second_factor = make_therapist(practice, "nofa")

    def kwargs(self, name: str | None, route: str) -> dict:
        # The route's parameters, from every level of includes.
        names = set(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route))
        names = {first or second for first, second in names}
        values = {}
        for key in names:
            if key == "pk":
                is_patient = name.startswith("therapist:patient") if name else False
                values[key] = self.patient.pk if is_patient else self.program.pk
                if name and name.startswith("mfa_"):
                    values[key] = 1
            elif key == "item_pk":
                values[key] = self.item.pk
            elif key == "slug":
                values[key] = "hip-replacement-1"
            elif key == "token":
                values[key] = WRONG_TOKEN
            elif key == "object_id":
                values[key] = str(self.patient.practice_id)
            elif key == "content_type_id":
                values[key] = "1"
            elif key == "id":
                values[key] = str(self.owner.pk)
            elif key == "app_label":
                values[key] = "programs"
            elif key in ("uidb36", "key"):
                values[key] = "x1"
            elif key in ("url", "path"):
                values[key] = f"programs/patient/{self.patient.pk}/change/"
            else:
                raise KeyError(f"{name}: no value for {key}")
        return values

    def url(self, name, route, pattern) -> str:
        kwargs = self.kwargs(name, route)
        if name:
            return reverse(name, kwargs=kwargs)
        path = route
        for key, value in kwargs.items():
            path = re.sub(rf"\(\?P<{key}>[^)]*\)|<(?:\w+:)?{key}>", str(value), path)
        return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def world(library) -> World:
    return World()


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _to_login(response) -> bool:
    location = response.get("Location", "") if response.status_code == 302 else ""
    return "/accounts/" in location or "/admin/login/" in location


def _clients(world: World) -> dict[str, Client]:
    anonymous = Client()
    other, staff, no_second_factor = Client(), Client(), Client()
    sign_in(other, world.other)
    sign_in(staff, world.staff)
    no_second_factor.force_login(world.no_second_factor)  # password only
    same_phone, other_phone = Client(), Client()
    assert same_phone.get(f"/p/{world.token}/").status_code == 302
    assert other_phone.get(f"/p/{world.other_token}/").status_code == 302
    return {
        "anonymous": anonymous,
        "therapist of another practice": other,
        "staff of another practice": staff,
        "same practice, no second factor": no_second_factor,
        "this patient's phone": same_phone,
        "another patient's phone": other_phone,
    }


def _expectation(actor: str, kind: str, response) -> str | None:
    """None when the answer is right for who asked; else what is wrong."""
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if status == 405:
        return None  # the method is refused before anything is looked up
    if actor == "same practice, no second factor":
        # Only the account pages (to sign in properly) and public files remain.
        if kind in (RECORD, PRACTICE, LIBRARY, ADMIN) and not _to_login(response):
            return f"{status} instead of the way to the login"
        return None
    therapist_elsewhere = actor.startswith(("therapist of", "staff of"))
    if kind == RECORD and therapist_elsewhere:
        return None if status == 404 else f"{status} instead of 404"
    signed_out = actor == "anonymous" or "phone" in actor
    if kind in (RECORD, PRACTICE, LIBRARY) and signed_out and not _to_login(response):
        return f"{status}, not to the login"
    return None


def test_nothing_that_is_not_theirs_reaches_anyone(world):
    clients = _clients(world)
    failures = []
    checked = 0
    for name, route, pattern in _patterns():
        kind = _kind(name, route)
        url = world.url(name, route, pattern)
        for actor, client in clients.items():
            for method in ("get", "post"):
                if method == "post" and kind in (ACCOUNT, PUBLIC, ADMIN):
                    continue  # no records behind them; the admin's own POSTs change the site
                if actor == "same practice, no second factor":
                    # Such a session is signed out at its first request: ask each
                    # URL with a session that has just skipped the second factor.
                    client.force_login(world.no_second_factor)
                response = getattr(client, method)(url)
                checked += 1
                wrong = _expectation(actor, kind, response)
                body = _body(response)
                leaked = [s for s in SECRETS if s in body]
                if actor == "this patient's phone" and kind == PLAN:
                    leaked = []  # their own plan, of course
                if wrong or leaked:
                    failures.append((actor, method.upper(), url, wrong, leaked))
    assert failures == [], "\n".join(map(str, failures))
    assert checked > 600


def test_the_owner_reaches_every_record_url(world):
    """The matrix asks for real objects: their owner gets them."""
    owner = Client()
    sign_in(owner, world.owner)
    for name, route, pattern in _patterns():
        if _kind(name, route) != RECORD:
            continue
        response = owner.get(world.url(name, route, pattern))
        assert response.status_code in (200, 302, 405), (name, response.status_code)
    phone = Client()
    phone.get(f"/p/{world.token}/")
    assert "Vicky Leaktest" in phone.get("/plan/").content.decode()
