"""No input gives a 500: every form on the app's pages, sent with hostile values.

Nothing here lists the forms. A signed-in therapist, a patient's phone and a
visitor open the pages in PAGES; every `<form>` on them is read from the HTML
(its action, method and fields, with the values the page offers: hidden ids,
options, checkboxes, buttons), and so are the query parameters of its links.
Hypothesis then sends each form, and each address with its parameters, with a
mix of the page's values and hostile ones: any text (unicode, emoji, RTL marks,
NUL characters, very long strings), huge and negative numbers, floats, empty
values, impossible dates, ids of another practice's records, extra fields.
First every field gets each of EVERY_FIELD at once, then come the random
examples. Posts carry the page's CSRF token (the clients enforce it, as a
browser meets it), about half come as htmx sends them, and a plain browser's
post follows its redirect. The answer may be a form error, a 404 or a
redirect, never a 500: the test client re-raises any exception a view lets
escape, and the database refuses what PostgreSQL would (a NUL in text).

A form added to one of these pages is fuzzed without editing this file. A new
address that takes a POST fails `test_every_post_address_is_fuzzed` until a
page in PAGES shows its form (or NOT_FUZZED says why not).
"""

import contextlib
import copy
import dataclasses
import datetime
import operator
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from allauth.usersessions.models import UserSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from programs.models import ProgramItem
from programs.safety import item_warnings
from programs.selectors import PATIENT_PAGE_SIZE
from tests import factories
from tests.database_refusals import refusing_nul_characters

CSRF_FIELD = "csrfmiddlewaretoken"

# The pages whose forms and links are fuzzed, and who opens them, in order: a
# form on several pages (the language switch, signing out) is fuzzed with the
# first. The phone's pages come before the preview, which shows their forms
# (disabled) to the therapist.
PAGES = {
    "patient list": "therapist",
    "patient page": "therapist",
    "erasing a patient": "therapist",
    "editor of the draft, an item open": "therapist",
    "editor of the published program": "therapist",
    "copying a program": "therapist",
    "publish review": "therapist",
    "paper grid": "therapist",
    "practice settings": "therapist",
    "access log": "therapist",
    "library": "therapist",
    "exercise detail": "therapist",
    "password change": "therapist",
    "sessions": "therapist",
    "plan": "phone",
    "plan, yesterday": "phone",
    "one exercise at a time": "phone",
    "plan week": "phone",
    "preview": "therapist",
    "login": "visitor",
    "password reset": "visitor",
    "second step of signing in": "signing in",
}


@dataclasses.dataclass
class World:
    """A practice with a patient in the middle of things, and another practice."""

    clients: dict[str, Client]  # by who holds them: therapist, phone, visitor, signing in
    urls: dict[str, str]  # by page
    foreign_ids: list[int]  # another practice's records


def _build_world() -> World:
    today = timezone.localdate()
    practice = factories.make_practice()
    user = factories.make_therapist(practice, "tess", admin=True)
    # Running for a week, published, with a link the phone opened.
    running = factories.make_program(user, start_date=today - datetime.timedelta(days=7))
    factories.publish(running, user)
    patient = running.patient
    for number in range(PATIENT_PAGE_SIZE):  # a second page of patients, and
        factories.make_patient(user, f"Bram {number}")  # someone to copy a program to
    # A draft with an open warning: the keep form and the publish review's reasons.
    draft = factories.make_program(user, "knee-osteoarthritis", patient=patient)
    warned = draft.items.first()
    warned.sets_min = warned.sets_max = 9
    warned.save()
    assert item_warnings(dose=warned, exercise=warned.exercise, variant=draft.variant)

    elsewhere = factories.make_therapist(factories.make_practice("Fysio Zuid"), "olaf")
    foreign = factories.publish(factories.make_program(elsewhere, name="Otto"), elsewhere)

    therapist, laptop = Client(enforce_csrf_checks=True), Client()
    for client in (therapist, laptop):  # a session elsewhere: the sessions page ends it
        factories.sign_in(client, user)
        UserSession.objects.create(user=user, session_key=client.session.session_key, ip="::1")
    phone = Client(enforce_csrf_checks=True)
    _link, token = factories.make_link(patient, user)
    assert phone.get(f"/p/{token}/").status_code == 302
    signing_in = Client(enforce_csrf_checks=True)
    signing_in.get("/accounts/login/")
    password_step = signing_in.post(
        "/accounts/login/",
        {
            "login": "tess",
            "password": factories.PASSWORD,
            CSRF_FIELD: signing_in.cookies["csrftoken"].value,
        },
    )
    assert password_step.url == "/accounts/2fa/authenticate/"

    yesterday = today - datetime.timedelta(days=1)
    return World(
        clients={
            "therapist": therapist,
            "phone": phone,
            "visitor": Client(enforce_csrf_checks=True),
            "signing in": signing_in,
        },
        urls={
            "patient list": "/patients/",
            "patient page": patient.get_absolute_url(),
            "erasing a patient": f"/patients/{patient.pk}/erase/",
            "editor of the draft, an item open": f"/programs/{draft.pk}/?edit={warned.pk}",
            "editor of the published program": (
                f"/programs/{running.pk}/?edit={running.items.first().pk}"
            ),
            "copying a program": f"/programs/{running.pk}/copy/",
            "publish review": f"/programs/{draft.pk}/publish/",
            "paper grid": f"/programs/{running.pk}/paper/",
            "practice settings": "/practice/",
            "access log": "/practice/access-log/",
            "library": "/library/",
            "exercise detail": f"/library/{warned.exercise.slug}/",
            "password change": "/accounts/password/change/",
            "sessions": "/accounts/sessions/",
            "plan": "/plan/",
            "plan, yesterday": f"/plan/?dag={yesterday.isoformat()}",
            "one exercise at a time": "/plan/oefenen/",
            "plan week": "/plan/week/",
            "preview": f"/programs/{running.pk}/preview/",
            "login": "/accounts/login/",
            "password reset": "/accounts/password/reset/",
            "second step of signing in": "/accounts/2fa/authenticate/",
        },
        foreign_ids=[
            foreign.pk,
            foreign.patient.pk,
            *ProgramItem.objects.filter(program=foreign).values_list("pk", flat=True)[:3],
        ],
    )


# Reading forms and links from a page ----------------------------------------------


@dataclasses.dataclass
class Target:
    """A form, or an address with the query parameters its links carry."""

    method: str  # "post" or "get"
    actions: list[str]  # every address it was seen going to (the same form on each item)
    fields: dict[str, list[str]]  # name -> the values the page offers
    files: set[str] = dataclasses.field(default_factory=set)  # file inputs
    multipart: bool = False
    hx_targets: set[str] = dataclasses.field(default_factory=set)

    @property
    def view_name(self) -> str:
        path = urlsplit(self.actions[0]).path
        try:
            return resolve(path).view_name
        except Resolver404:
            return f"(no view for {path})"

    @property
    def key(self) -> tuple:
        """One form on many items is one form; one address, one set of parameters."""
        if self.method == "get":
            return ("get", self.view_name)
        return ("post", self.view_name, frozenset(self.fields) | frozenset(self.files))

    def merge(self, other: "Target") -> None:
        self.actions += [action for action in other.actions if action not in self.actions]
        for name, values in other.fields.items():
            known = self.fields.setdefault(name, [])
            known += [value for value in values if value not in known]
        self.files |= other.files
        self.hx_targets |= other.hx_targets


def _local(url: str) -> str | None:
    """The path and query of an address of this app, or None for another site's."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    return parts._replace(scheme="", netloc="", fragment="").geturl()


class PageParser(HTMLParser):
    """A page's forms, and the query parameters of its links and htmx GETs."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Target] = []
        self.links: list[Target] = []
        self.csrf_token = ""
        self._form: Target | None = None
        self._select: str | None = None
        self._option: dict | None = None  # an open <option>'s attributes...
        self._textarea: str | None = None
        self._text = ""  # ...and the text of an open option or textarea

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for link in ("href", "hx-get"):
            if "?" in attributes.get(link, ""):
                self.add_link(attributes[link])
        if tag == "form":
            self._start_form(attributes)
        elif self._form is None:
            return
        elif tag == "option":
            self._option, self._text = attributes, ""
        elif name := attributes.get("name"):
            self._field(tag, name, attributes)

    def _start_form(self, attributes: dict) -> None:
        # Where a browser sends it (no action: the page itself), and where htmx does.
        addresses = [attributes.get("action") or self.url, attributes.get("hx-post") or ""]
        actions = [_local(urljoin(self.url, address)) for address in addresses if address]
        self._form = Target(
            method=(attributes.get("method") or "get").lower(),
            actions=list(dict.fromkeys(action for action in actions if action)),
            fields={},
            multipart=attributes.get("enctype") == "multipart/form-data",
            hx_targets={attributes.get("hx-target", "").lstrip("#")} - {""},
        )

    def _field(self, tag: str, name: str, attributes: dict) -> None:
        kind = attributes.get("type", "")
        if name == CSRF_FIELD:
            self.csrf_token = attributes.get("value", "")
        elif tag == "input" and kind == "file":
            self._form.files.add(name)
        elif tag in ("input", "button"):
            self._offer(
                name, attributes.get("value", "on" if kind in ("checkbox", "radio") else "")
            )
        elif tag == "select":
            self._select = name
            self._form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None:
            self._offer(self._select, self._option.get("value", self._text.strip()))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._offer(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def _offer(self, name: str | None, value: str) -> None:
        if name and self._form is not None:
            values = self._form.fields.setdefault(name, [])
            if value not in values:
                values.append(value)

    def add_link(self, href: str) -> None:
        address = _local(urljoin(self.url, href))
        if address is None:
            return
        fields: dict[str, list[str]] = {}
        for name, value in parse_qsl(urlsplit(address).query, keep_blank_values=True):
            fields.setdefault(name, []).append(value)
        self.links.append(Target("get", [urlsplit(address).path], fields))


@dataclasses.dataclass
class Found:
    page: str
    client: Client
    csrf_token: str
    target: Target


def discover(world: World) -> list[Found]:
    """Every form and every address with parameters, each once, with the first page
    (in PAGES' order) that shows it and the values of every page that does."""
    found: dict[tuple, Found] = {}
    for page, who in PAGES.items():
        client, url = world.clients[who], world.urls[page]
        response = client.get(url)
        assert response.status_code == 200, (page, url, response.status_code)
        parser = PageParser(url)
        parser.feed(response.content.decode())
        # The page's own address, with its own parameters (?edit=, ?dag=).
        own = PageParser(url)
        own.add_link(url)
        for target in [*parser.forms, *parser.links, *own.links]:
            if target.key in found:
                found[target.key].target.merge(target)
            else:
                found[target.key] = Found(page, client, parser.csrf_token, target)
    return list(found.values())


# Hostile values -------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "1\x00",
    "-1",
    "+1",
    "1.5",
    "1e309",
    "NaN",
    "1_000",
    "٣",  # an Arabic-Indic digit: int() reads it
    str(2**63 - 1),
    str(2**63),  # beyond PostgreSQL's bigint
    str(-(2**63) - 1),
    "9" * 40,
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "2026-02-30",
    "10000-01-01",
    "😀",
    "\u202eevil",  # right-to-left override
    "<script>alert(1)</script>",
    "%00",
]
# Every field of a form gets each of these at once, before the random examples.
EVERY_FIELD = ["\x00", "", "-1", str(2**63), "9" * 40, "9999-12-31", "0000-00-00", "😀\u202e"]


def _hostile(foreign_ids: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),  # any unicode, NUL and RTL marks included
        st.text(max_size=10).map(lambda text: f"{text}\x00{text}"),
        st.builds(operator.mul, st.text(min_size=1, max_size=4), st.integers(300, 3000)),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.floats().map(str),
        st.dates().map(datetime.date.isoformat),
        st.sampled_from(foreign_ids).map(str),
    )


def _offered(values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.sampled_from(values).map(lambda value: [value]) if values else st.just([])


def _anything(values: list[str], hostile: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """One value (the page's or a hostile one), none (left out), or several."""
    one = st.one_of(st.sampled_from(values), hostile) if values else hostile
    return st.one_of(
        one.map(lambda value: [value]), st.just([]), st.lists(one, min_size=2, max_size=3)
    )


def _data(fields: dict[str, list[str]], hostile) -> st.SearchStrategy[dict[str, list[str]]]:
    """One field hostile and the others as the page offers them (to get past the
    form to the code behind it), or any field anything."""
    if not fields:
        return st.just({})

    def one_hostile(name: str) -> st.SearchStrategy[dict[str, list[str]]]:
        return st.fixed_dictionaries(
            {
                each: hostile.map(lambda value: [value]) if each == name else _offered(values)
                for each, values in fields.items()
            }
        )

    anything = st.fixed_dictionaries(
        {name: _anything(values, hostile) for name, values in fields.items()}
    )
    return st.one_of(st.sampled_from(sorted(fields)).flatmap(one_hostile), anything)


@dataclasses.dataclass(frozen=True)
class Request:
    action: str
    data: dict[str, list[str]]  # an empty list leaves the field out
    files: dict[str, bytes]
    htmx_target: str | None  # None: a plain browser's request; "": htmx without a target
    multipart: bool


def _requests(target: Target, foreign_ids: list[int]) -> st.SearchStrategy[Request]:
    hostile = _hostile(foreign_ids)
    extra = st.dictionaries(
        st.text(min_size=1, max_size=12), hostile.map(lambda value: [value]), max_size=2
    )
    return st.builds(
        Request,
        action=st.sampled_from(target.actions),
        data=st.builds(lambda known, more: {**more, **known}, _data(target.fields, hostile), extra),
        files=st.fixed_dictionaries({name: st.binary(max_size=200) for name in target.files}),
        htmx_target=st.none() | st.sampled_from(sorted(target.hx_targets) or [""]),
        multipart=st.just(True) if target.multipart else st.booleans(),
    )


def _every_field(target: Target) -> list[Request]:
    """Each of EVERY_FIELD in every field at once, by turns as a browser and as htmx."""
    if not target.fields and not target.files:
        return []
    return [
        Request(
            action=target.actions[0],
            data={name: [value] for name in target.fields},
            files={name: value.encode() for name in target.files},
            htmx_target=None if index % 2 else min(target.hx_targets, default=""),
            multipart=target.multipart,
        )
        for index, value in enumerate(EVERY_FIELD)
    ]


# Sending them ---------------------------------------------------------------------


@contextlib.contextmanager
def _undone(client: Client) -> Iterator[None]:
    """Each example starts from the same records and the same session; meanwhile
    the database refuses what PostgreSQL would."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with refusing_nul_characters(), transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies


def _send(found: Found, request: Request):
    client, data = found.client, {name: values for name, values in request.data.items() if values}
    headers = {}
    if request.htmx_target is not None:
        headers = {"HX-Request": "true", "X-CSRFToken": found.csrf_token}
        if request.htmx_target:
            headers["HX-Target"] = request.htmx_target
    browser = request.htmx_target is None  # follows a redirect; htmx shows what it got
    if found.target.method == "get":
        return client.get(request.action, data, headers=headers, follow=browser)
    data[CSRF_FIELD] = found.csrf_token
    if request.multipart:
        for name, content in request.files.items():
            data[name] = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
        return client.post(request.action, data, headers=headers, follow=browser)
    body = urlencode(data, doseq=True)
    return client.post(
        request.action,
        body,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        follow=browser,
    )


FUZZ = settings(
    max_examples=30,
    deadline=None,  # a request renders a page: tens of milliseconds, sometimes more
    # The world is made once per page, not per example (each example is rolled
    # back); requests are slow next to pure functions; the paper grid has 84 boxes.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
    ],
)


def _fuzz(found: Found, foreign_ids: list[int]) -> None:
    @FUZZ
    @given(request=_requests(found.target, foreign_ids))
    def send(request: Request) -> None:
        with _undone(found.client):
            response = _send(found, request)
        assert response.status_code < 500, (found.target.view_name, response.status_code)
        # The page's own token: a 403 would mean the fuzzer never got past the CSRF check.
        assert response.status_code != 403, (found.target.view_name, "refused: 403")

    for request in _every_field(found.target):
        send = example(request=request)(send)
    send()


@pytest.fixture
def world(library) -> World:
    return _build_world()


@pytest.mark.parametrize("page", PAGES)
def test_no_form_or_parameter_gives_a_server_error(world, page):
    targets = [found for found in discover(world) if found.page == page]
    for found in targets:
        _fuzz(found, world.foreign_ids)


# Every address that takes a POST is reached ------------------------------------------

# Addresses (view names, or routes for unnamed ones) that take a POST while no page
# above shows a form for them, and why they are not fuzzed here.
NOT_FUZZED = {
    "": "a redirect to the library",
    "login/": "a redirect to allauth's login page",
    # allauth's pages that no page above leads to (tests/security/test_sign_in.py
    # tests signing in, the second factor and the sessions through HTTP).
    "account_signup": "closed: accounts are made by a site admin",
    "account_reauthenticate": "asked by allauth before a sensitive change",
    "account_reset_password_from_key": "a mailed key",
    "account_confirm_login_code": "login by code is off",
    "account_confirm_email": "e-mail verification is off",
    "account_email": "addresses are managed by a site admin",
    "account_set_password": "every account has a password",
    "mfa_reauthenticate": "asked by allauth before a change of factors",
    "mfa_activate_totp": "enrolment, before the pages above",
    "mfa_deactivate_totp": "behind reauthentication",
    "mfa_generate_recovery_codes": "behind reauthentication",
    "mfa_download_recovery_codes": "behind reauthentication",
    "mfa_add_webauthn": "a passkey needs a browser's authenticator",
    "mfa_remove_webauthn": "a passkey needs a browser's authenticator",
    "mfa_edit_webauthn": "a passkey needs a browser's authenticator",
    "mfa_reauthenticate_webauthn": "a passkey needs a browser's authenticator",
}
# Whole branches: Django's admin (site admins only, Django's own forms; see
# tests/security/test_admin.py) and the uploaded photos (files, never posted).
NOT_FUZZED_UNDER = ("admin/", "media/")


def _routes(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(route, view name) of every address the resolver knows; an unnamed one's
    route stands in for its name."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else route


def _example_path(route: str) -> str:
    """The route with each parameter filled in with a record that does not exist."""
    return "/" + re.sub(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)", "999999", route)


def test_every_post_address_is_fuzzed(world, django_user_model):
    reached = {found.target.view_name for found in discover(world) if found.target.method == "post"}
    routes = dict(_routes(get_resolver().url_patterns))
    assert set(NOT_FUZZED) <= set(routes.values()), "NOT_FUZZED names an address that is gone"
    assert not set(NOT_FUZZED) & reached, f"fuzzed after all: {set(NOT_FUZZED) & reached}"
    therapist = django_user_model.objects.get(username="tess")
    missing = []
    for route, name in routes.items():
        if name in reached or name in NOT_FUZZED or route.startswith(NOT_FUZZED_UNDER):
            continue
        probe = Client()  # a session of its own: a probe may sign out
        factories.sign_in(probe, therapist)
        # Any answer but 405 Method Not Allowed: the view takes a POST.
        if probe.post(_example_path(route)).status_code != 405:
            missing.append(name)
    assert not missing, f"addresses that take a POST without a fuzzed form: {missing}"
