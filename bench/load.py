"""Load and faults through the production set: nginx (TLS) in front of two gunicorn
app servers on PostgreSQL, with Redis and a task worker.

    .venv/bin/python -m bench.load [--seconds 30] [--patients 40] [--therapists 4]
                                   [--fault none|kill-app|restart-postgres|stop-redis]

Starts the set with free ports and a fresh database of its own (dropped after),
makes the patients and therapists (bench/load_data.py), then for a fixed time:
patients open their link and their plan, and tick exercises off (today and the
two days before); therapists open the patient list, a patient, the program
editor, save an exercise's dose and download the handout. A fault, if asked,
strikes a third of the way in: an app server killed with SIGKILL, PostgreSQL
restarted, or Redis stopped for a while and started again.

Prints requests per second, median, p95 and p99 latency per endpoint and the
errors, what the visitors saw while a dependency was away, whether every
request succeeded again after it, and then checks that every tick the server
acknowledged is in the database exactly once. Exits 1 if a tick was lost.
"""

import argparse
import dataclasses
import html.parser
import http.client
import json
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

import psycopg

from deploy.local_stack import PG_SERVER, ROOT, Stack, database_drop, free_port, unverified_tls

FAULTS = ("none", "kill-app", "restart-postgres", "stop-redis")
CLEAN_ERROR_MARK = "Oefenplan"
ERROR_PAUSE = 1.0  # seconds  # our 503 page and nginx's page for a missing server
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
    "--save", "", "--appendonly", "no",
]  # fmt: skip


@dataclasses.dataclass
class Outcome:
    endpoint: str
    started: float  # seconds since the run began
    seconds: float
    status: int  # 0: no whole answer (connection refused or reset, or cut off)
    clean: bool  # an error came as one of our pages, not a trace or an empty body
    error_body: str = ""  # the start of an unclean error's body, to show
    # The server had begun its answer (the status line came) and died before the
    # body was whole. No proxy can turn that into a page: the headers have gone
    # to the browser, which shows its own network error (htmx: our script's
    # message). Only a request the killed server was answering can end so.
    cut_off: bool = False


@dataclasses.dataclass
class Report:
    seconds: float
    outcomes: list[Outcome]
    acknowledged: list[tuple]  # (program, item, date, session) the server said it saved
    lost: list[tuple]
    duplicated: list[tuple]
    fault: str
    fault_at: float | None
    recovered_at: float | None

    def errors(self, since: float = 0.0) -> list[Outcome]:
        return [o for o in self.outcomes if o.started >= since and not 200 <= o.status < 400]

    def print(self) -> None:
        by_endpoint = defaultdict(list)
        for outcome in self.outcomes:
            by_endpoint[outcome.endpoint].append(outcome)
        print(
            f"{'endpoint':<22}{'requests':>9}{'req/s':>8}{'median':>9}{'p95':>9}{'p99':>9}{'errors':>8}"
        )
        for endpoint, outcomes in sorted(by_endpoint.items()):
            times = sorted(o.seconds * 1000 for o in outcomes)
            errors = sum(1 for o in outcomes if not 200 <= o.status < 400)
            print(
                f"{endpoint:<22}{len(outcomes):>9}{len(outcomes) / self.seconds:>8.1f}"
                f"{statistics.median(times):>7.0f}ms{_percentile(times, 95):>7.0f}ms"
                f"{_percentile(times, 99):>7.0f}ms{errors:>8}"
            )
        total = len(self.outcomes)
        print(f"{'all':<22}{total:>9}{total / self.seconds:>8.1f}   errors: {len(self.errors())}")
        if self.fault != "none":
            during = self.errors()
            statuses = sorted({o.status for o in during})
            cut_off = sum(1 for o in during if o.cut_off)
            unclean = sum(1 for o in during if not (o.clean or o.cut_off))
            print(
                f"fault {self.fault} at {self.fault_at:.1f} s: {len(during)} failed requests "
                f"(statuses {statuses}; {cut_off} cut off mid-answer; "
                f"{unclean} without a clean error page)"
            )
            for outcome in [o for o in during if not o.clean][:3]:
                print(f"  {outcome.endpoint} {outcome.status}: {outcome.error_body!r}")
            if self.recovered_at is not None:
                after = self.errors(since=self.recovered_at)
                print(
                    f"recovered by {self.recovered_at:.1f} s, without restarting the app: "
                    f"{len(after)} errors after that"
                )
        print(
            f"ticks acknowledged: {len(self.acknowledged)}; lost: {len(self.lost)}; "
            f"saved more than once: {len(self.duplicated)}"
        )


def _percentile(values: list[float], percent: float) -> float:
    index = min(len(values) - 1, max(0, round(percent / 100 * len(values)) - 1))
    return values[index]


class FormReader(html.parser.HTMLParser):
    """Every <form>: its action and the values it would send as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
        elif not self.forms:
            return
        fields = self.forms[-1][1]
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind not in ("submit", "button", "file"):
                fields[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in fields or "selected" in attributes:
                fields[self._select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(page: str) -> list[tuple[str, dict[str, str]]]:
    reader = FormReader()
    reader.feed(page)
    return reader.forms


class Browser:
    """One visitor: a keep-alive connection to the proxy and its cookies."""

    def __init__(self, port: int, started: float, outcomes: list[Outcome], lock: threading.Lock):
        self.port, self.started, self.outcomes, self.lock = port, started, outcomes, lock
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPSConnection | None = None

    def request(self, endpoint: str, method: str, path: str, form: dict | None = None, htmx=False):
        headers = {"Accept-Encoding": "identity", "Referer": f"https://127.0.0.1:{self.port}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
        if htmx:
            headers["HX-Request"] = "true"
        begun = time.monotonic()
        status, text, failure, headed = 0, "", "", 0
        # As a browser does: a kept-alive connection the server has closed
        # meanwhile is opened again, once, and the request sent on the new one.
        for attempt in range(2):
            reused = self.connection is not None
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPSConnection(
                        "127.0.0.1", self.port, timeout=40, context=unverified_tls()
                    )
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                # The status line alone is no answer: it counts once the body is read.
                headed = response.status
                status, text = headed, response.read().decode("utf-8", "replace")
                for header, value in response.getheaders():
                    if header.lower() == "set-cookie":
                        name, _, rest = value.partition("=")
                        self.cookies[name] = rest.split(";", 1)[0]
                break
            except (OSError, http.client.HTTPException) as error:
                failure = f"{type(error).__name__} after status {headed}: {error}"
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                stale = isinstance(error, (http.client.RemoteDisconnected, ConnectionResetError))
                if not (reused and stale and attempt == 0):
                    break
        finished = time.monotonic()
        clean = 200 <= status < 400 or (status >= 400 and CLEAN_ERROR_MARK in text)
        cut_off = status == 0 and headed != 0
        with self.lock:
            self.outcomes.append(
                Outcome(
                    endpoint,
                    begun - self.started,
                    finished - begun,
                    status,
                    clean,
                    "" if clean else (failure or text[:300]),
                    cut_off,
                )  # fmt: skip
            )
        if not 200 <= status < 400:
            time.sleep(ERROR_PAUSE)  # a person reads the error page before trying again
        return status, text


def _csrf(page: str) -> str | None:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1) if found else None


def patient(browser: Browser, person: dict, deadline: float, acknowledged: list, lock) -> None:
    today = time.strftime("%Y-%m-%d")
    days = [None] + [
        time.strftime("%Y-%m-%d", time.localtime(time.time() - d * 86400)) for d in (1, 2)
    ]
    while time.monotonic() < deadline:
        status, _page = browser.request("open link", "GET", f"/p/{person['token']}/")
        if status != 302:
            time.sleep(0.5)
            continue
        for day in days:
            if time.monotonic() >= deadline:
                return
            path = "/plan/" if day is None else f"/plan/?dag={day}"
            status, page = browser.request("plan page", "GET", path)
            token = _csrf(page) if status == 200 else None
            if token is None:
                time.sleep(0.5)
                continue
            for action, fields in forms_of(page):
                if action != "/plan/tick/" or fields.get("action") == "undo":
                    continue
                if time.monotonic() >= deadline:
                    return
                fields = {**fields, "pain": str(random.randint(0, 3)), "note": uuid.uuid4().hex[:8]}
                fields.pop("action", None)
                status, _answer = browser.request("tick", "POST", "/plan/tick/", fields, htmx=True)
                if status == 200:
                    with lock:
                        acknowledged.append(
                            (person["program"], int(fields["item"]), fields.get("date") or today,
                             int(fields["session"]))
                        )  # fmt: skip


def therapist(browser: Browser, person: dict, deadline: float) -> None:
    browser.cookies["__Host-sessionid"] = person["session"]
    while time.monotonic() < deadline:
        program = random.choice(person["programs"])
        browser.request("patient list", "GET", "/patients/")
        browser.request("patient page", "GET", f"/patients/{random.choice(person['patients'])}/")
        status, page = browser.request("program editor", "GET", f"/programs/{program}/")
        items = re.findall(rf"/programs/{program}/items/(\d+)/edit/", page) if status == 200 else []
        if items:
            item = random.choice(items)
            status, form_page = browser.request(
                "dose form", "GET", f"/programs/{program}/?edit={item}"
            )
            for action, fields in forms_of(form_page) if status == 200 else []:
                if action == f"/programs/{program}/items/{item}/" and "sets_min" in fields:
                    browser.request("save dose", "POST", action, fields, htmx=True)
                    break
        browser.request("handout pdf", "GET", f"/programs/{program}/handout.pdf")


def _strike(stack: Stack, fault: str, outage: float) -> None:
    if fault == "kill-app":
        stack.kill("app1", signal.SIGKILL)  # nginx sends its traffic to app2
    elif fault == "restart-postgres":
        version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
        subprocess.run(  # nosec B603 B607  # the machine's own service command
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
        )
    elif fault == "stop-redis":
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)  # nosec B603 B607
        time.sleep(outage)
        subprocess.run(REDIS_START, check=True, capture_output=True)  # nosec B603 B607


def run(
    *,
    seconds: float = 30,
    patients: int = 40,
    therapists: int = 4,
    fault: str = "none",
    outage: float = 5,
    quiet: bool = False,
) -> Report:
    database_url = f"{PG_SERVER}/oefenplan_load_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="oefenplan-load-") as run_dir:
        stack = Stack(
            run_dir=Path(run_dir),
            database_url=database_url,
            redis_url="redis://127.0.0.1:6379/14",
            app_ports=[free_port(), free_port()],
            https_port=free_port(),
            http_port=free_port(),
        )
        try:
            stack.prepare(demo=False)
            made = subprocess.run(  # nosec B603  # our own script
                [sys.executable, "bench/load_data.py", str(patients), str(therapists)],
                cwd=ROOT, env=stack.env(), check=True, capture_output=True, text=True,
            )  # fmt: skip
            people = json.loads(made.stdout)
            stack.start()
            # The handouts of the new programs are rendered first, as after a
            # morning's publishing: the run measures the day, not that backlog.
            _wait_for_the_task_queue(database_url)
            return _drive(stack, people, seconds, fault, outage, quiet)
        finally:
            stack.stop()
            database_drop(database_url)


def _drive(stack: Stack, people: dict, seconds: float, fault: str, outage: float, quiet: bool):
    outcomes: list[Outcome] = []
    acknowledged: list[tuple] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=patient,
            args=(
                Browser(stack.https_port, started, outcomes, lock),
                person,
                deadline,
                acknowledged,
                lock,
            ),
        )  # fmt: skip
        for person in people["patients"]
    ] + [
        threading.Thread(
            target=therapist,
            args=(Browser(stack.https_port, started, outcomes, lock), person, deadline),
        )
        for person in people["therapists"]
    ]
    for thread in threads:
        thread.start()
    fault_at = recovered_at = None
    if fault != "none":
        time.sleep(seconds / 3)
        fault_at = time.monotonic() - started
        if not quiet:
            print(f"fault: {fault} at {fault_at:.1f} s", flush=True)
        _strike(stack, fault, outage)
        # Recovered when the readiness check passes again through the proxy.
        stack.wait_for(f"{stack.url}/readyz", timeout=60)
        recovered_at = time.monotonic() - started
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    lost, duplicated = _check_ticks(stack.database_url, acknowledged)
    return Report(elapsed, outcomes, acknowledged, lost, duplicated, fault, fault_at, recovered_at)


def _wait_for_the_task_queue(database_url: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()[0]
            if not waiting:
                return
            time.sleep(1)
    raise RuntimeError("the task worker did not finish the handouts in time")


def _check_ticks(database_url: str, acknowledged: list[tuple]) -> tuple[list, list]:
    with psycopg.connect(database_url) as connection:
        saved = connection.execute(
            "SELECT program_id, item_id, date::text, session, count(*)"
            " FROM programs_exercisetick GROUP BY 1, 2, 3, 4"
        ).fetchall()
    counts = {row[:4]: row[4] for row in saved}
    lost = sorted({tick for tick in acknowledged if tick not in counts})
    duplicated = sorted(key for key, count in counts.items() if count > 1)
    return lost, duplicated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--therapists", type=int, default=4)
    parser.add_argument("--fault", choices=FAULTS, default="none")
    parser.add_argument("--outage", type=float, default=5, help="seconds Redis stays away")
    options = parser.parse_args()
    report = run(
        seconds=options.seconds,
        patients=options.patients,
        therapists=options.therapists,
        fault=options.fault,
        outage=options.outage,
    )
    report.print()
    sys.exit(1 if report.lost or report.duplicated else 0)


if __name__ == "__main__":
    main()
