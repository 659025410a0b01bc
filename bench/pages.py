"""Serve the therapist's pages and the patient's plan through gunicorn and time them.

    .venv/bin/python bench/pages.py                       # a small (demo) SQLite database
    .venv/bin/python bench/pages.py --scale /tmp/scale.sqlite3
    DJANGO_SECRET_KEY=... .venv/bin/python bench/pages.py \\
        --small postgres://postgres@127.0.0.1:5432/pages_small \\
        --scale postgres://postgres@127.0.0.1:5432/scale_bench
    .venv/bin/python bench/pages.py --scale /tmp/scale.sqlite3 --queries   # SQL and plans
    git worktree add --detach /tmp/before main
    .venv/bin/python bench/pages.py --scale /tmp/scale.sqlite3 --before /tmp/before

A database is a SQLite file or a DATABASE_URL. `--small` defaults to a scratch
SQLite file in a temporary folder; each database is migrated and gets the
library and the demo (`demo_setup`, which changes nothing where it already
ran), so both hold the same demo practice, patients and login. `--scale` is
one that bench/scale_data.py filled: the demo practice is then one of 50, with
200 patients, and the rest of the database holds 10,000 patients, 20,000
programs and 2 million ticks.

One gunicorn (sync workers) per database on a free loopback port, a session of
the demo therapist made as after a full sign-in (password and second factor,
as the tests' `sign_in` does), and the demo patient Els (back rehabilitation).
Pages, asked in turn, round after round, every database in each round (so a
busy machine slows all of them alike):

- the trivial Django view (bench/urls.py) with the therapist's session: the
  framework's floor under the same middleware;
- the patient list (first page, 25 patients at scale), Els's patient page, the
  editor of her back program (13 exercises, and the add panel's 21 of the back
  leaflet), and her plan page (`/plan/`, her link's cookie);
- the practice's access log (`/practice/access-log/`, first page; the demo
  therapist is the practice's administrator): 12,000 lines a practice at scale.

Prints the median and 95th percentile latency per page, its ratio to the
floor (issue 14's bounds: the patient list at most 3x, the editor at most 10x),
and with two databases the scale/small ratio of the medians. Every page
also writes its access-log line, as in production; the servers' own JSON line
per request is switched off (OEFENPLAN_REQUEST_LOG=0).

`--before DIR` also serves every database from another checkout (the same
migrations), asked in the same rounds, and prints after/before per page: a
busy machine then slows before and after alike.

`--queries` prints instead each page's SQL with its time and the whole tables
its plan reads (PostgreSQL's Seq Scan, SQLite's SCAN; SQLite also says SCAN for
a walk in id order that a LIMIT stops after one row, as the access log's last
line is read), then the plans of the two slowest: EXPLAIN (ANALYZE, BUFFERS) on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite.

The figures measured are in bench/README-scale.md.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The code a child runs: this tree, or the one `--before` names (the child's
# environment says which).
ROOT = Path(os.environ.get("BENCH_CODE_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))  # run as a script: bench/ is a package of the project

from bench.plan_page import free_port, gunicorn_command, latencies, wait_for  # noqa: E402

PAGES = ("floor", "patient list", "patient page", "editor (back)", "plan page", "access log")
# Issue 14's bounds, as multiples of the floor's median.
TARGETS = {"patient list": 3, "editor (back)": 10}


def database_url(value: str) -> str:
    return value if "://" in value else f"sqlite:///{Path(value).resolve()}"


def child_env(url: str, scratch: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS_ONLY": "0",  # gunicorn on loopback, plain HTTP
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret"),
        "DATABASE_URL": url,
        "MEDIA_ROOT": f"{scratch}/media",
        "HANDOUT_CACHE_DIR": f"{scratch}/handouts",
        "OEFENPLAN_REQUEST_LOG": "0",  # no JSON line per request on the terminal
    }


# In a child process, on one database ---------------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> None:
    """Migrate, library, demo; a signed-in session; the pages' addresses (JSON)."""
    _setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from exercises.models import Exercise
    from oefenplan.security.sessions import second_factor_mark
    from programs import links, services
    from programs.management.commands.demo_setup import DEMO_PATIENTS, DEMO_USERNAME
    from programs.models import Patient

    call_command("migrate", verbosity=0)
    if not Exercise.objects.exists():
        fixtures = sorted(str(path) for path in (ROOT / "fixtures").glob("*.yaml"))
        call_command("loaddata", *fixtures, verbosity=0)
    call_command("demo_setup", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    els_reference = DEMO_PATIENTS[-1][1]
    els = Patient.objects.get(practice=user.therapist.practice, reference=els_reference)
    program = els.programs.get(protocol="back-rehabilitation")
    # The protocol's default selection is 13 of the leaflet's 21 exercises; the
    # editor is measured with all 21 (issue 14's back program), added once and
    # published, as a therapist would: the editor then opens with nothing
    # unpublished, the plan page shows all 21.
    missing = Exercise.objects.filter(leaflet=program.items.first().exercise.leaflet).exclude(
        pk__in=program.items.values("exercise")
    )
    for exercise in missing.order_by("order"):
        services.program_add_exercise(program=program, exercise=exercise, user=user)
    program.refresh_from_db()
    if program.has_draft_changes:
        services.program_publish(program=program, user=user)
    link = links.patient_active_link(patient=els)
    token = link and links.link_token(link)
    if token is None:  # made under another secret key: a new link for this one
        link = links.patient_link_create(patient=els, user=user)
        token = links.link_token(link)
    client = Client()
    client.force_login(user)
    session = client.session
    second_factor_mark(session, user)
    session.save()
    name = settings.SESSION_COOKIE_NAME
    print(
        json.dumps(
            {
                "cookie": f"{name}={client.cookies[name].value}",
                "link": f"/p/{token}/",
                "paths": {
                    "floor": "/bench/hello/",
                    "patient list": "/patients/",
                    "patient page": f"/patients/{els.pk}/",
                    "editor (back)": f"/programs/{program.pk}/",
                    "plan page": "/plan/",
                    "access log": "/practice/access-log/",
                },
                "patients": Patient.objects.count(),
            }
        )
    )


def queries() -> None:
    """Each page's SQL in the test client, with times, any whole table it reads, and
    the plans of the two slowest."""
    _setup_django()
    from django.db import connection
    from django.test import Client

    subjects = json.loads(os.environ["BENCH_SUBJECTS"])
    client = Client(HTTP_HOST="127.0.0.1")
    name, value = subjects["cookie"].split("=", 1)
    client.cookies[name] = value
    client.get(subjects["link"])  # the plan cookie
    timed: list[tuple[float, str, tuple]] = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - start) * 1000, sql, params))

    for page in PAGES[1:]:
        client.get(subjects["paths"][page])  # warm
        timed.clear()
        with connection.execute_wrapper(timer):
            response = client.get(subjects["paths"][page])
        assert response.status_code == 200, (page, response.status_code)
        total = sum(ms for ms, _sql, _params in timed)
        print(f"\n== {page}: {len(timed)} queries, {total:.1f} ms of SQL")
        plans = []
        for ms, sql, params in timed:
            print(f"  {ms:7.2f} ms  {sql[:150]}")
            if sql.lstrip().startswith("SELECT"):
                plan = explain(connection, sql, params)
                plans.append((plan_time(plan, ms), sql, params, plan))
                for line in plan:  # whole tables read: the lines to look at first
                    if "Seq Scan" in line or line.lstrip().startswith("SCAN "):
                        print(f"             {line.strip()}")
        for ms, sql, params, plan in sorted(plans, key=lambda each: -each[0])[:2]:
            print(f"\n-- the {ms:.2f} ms query:\n{sql}\n{params}\n")
            print("\n".join(plan))


def explain(connection, sql: str, params) -> list[str]:
    """PostgreSQL's plan as run (EXPLAIN ANALYZE, BUFFERS), SQLite's as chosen."""
    if connection.vendor == "postgresql":
        command = "EXPLAIN (ANALYZE, BUFFERS)"
    else:
        command = "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {sql}", params)  # nosec B608
        return [str(row[-1]) for row in cursor.fetchall()]


def plan_time(plan: list[str], measured: float) -> float:
    """PostgreSQL's own execution time (steadier than the clock on a busy machine)."""
    for line in plan:
        if line.startswith("Execution Time:"):
            return float(line.split()[2])
    return measured


# The driver ------------------------------------------------------------------------------


class Server:
    """gunicorn on one database, running one code tree, and the cookies of the demo
    therapist and of Els's phone."""

    def __init__(self, label: str, url: str, workers: int, code: Path = ROOT) -> None:
        self.label, self.url = label, url
        self.scratch = tempfile.TemporaryDirectory(prefix="oefenplan-pages-")
        self.env = {**child_env(url, self.scratch.name), "BENCH_CODE_ROOT": str(code)}
        answer = subprocess.run(
            [sys.executable, __file__, "--child", "prepare"],
            cwd=code,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        self.subjects = json.loads(answer.stdout.strip().splitlines()[-1])
        self.port = free_port()
        self.process = subprocess.Popen(
            gunicorn_command(self.port, workers),
            cwd=code,  # gunicorn imports the app from its working directory first
            env=self.env,
        )
        wait_for(self.port, timeout=30)
        opener = http.client.HTTPConnection("127.0.0.1", self.port)
        opener.request("GET", self.subjects["link"])
        answer = opener.getresponse()
        answer.read()
        assert answer.status == 302, answer.status
        self.plan_cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
        self.latencies: dict[str, list[float]] = {page: [] for page in PAGES}

    def cookie(self, page: str) -> str:
        return self.plan_cookie if page == "plan page" else self.subjects["cookie"]

    def drive(self, page: str, seconds: float, clients: int, keep: bool = True) -> None:
        measured, _elapsed = latencies(
            self.port, self.subjects["paths"][page], self.cookie(page), seconds, clients
        )
        if keep:
            self.latencies[page].extend(measured)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()
        self.scratch.cleanup()


def figures(measured: list[float]) -> tuple[float, float, int]:
    ordered = sorted(measured)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000, len(ordered)


def report(servers: list[Server], options) -> dict:
    print(
        f"\ngunicorn, {options.workers} sync workers, {options.clients} keep-alive client(s), "
        f"{options.rounds} rounds of {options.seconds:g} s per page and database"
    )
    results = {}
    for server in servers:
        floor = figures(server.latencies["floor"])[0]
        vendor = server.url.split(":", 1)[0]
        print(f"\n{server.label} ({vendor}, {server.subjects['patients']:,} patients)")
        print(f"  {'':16}{'median ms':>10}{'p95 ms':>10}{'x floor':>9}{'requests':>10}")
        results[server.label] = {}
        for page in PAGES:
            median, p95, count = figures(server.latencies[page])
            results[server.label][page] = {"median": median, "p95": p95, "requests": count}
            target = TARGETS.get(page)
            verdict = ""
            if target:
                verdict = f"  {'ok' if median / floor <= target else 'OVER'} (at most {target}x)"
            print(f"  {page:16}{median:10.2f}{p95:10.2f}{median / floor:9.1f}{count:10d}{verdict}")

    def compare(first: Server, second: Server, bound: float | None) -> None:
        print(f"\n{second.label} / {first.label} (median; p95)")
        for page in PAGES:
            ratio = results[second.label][page]["median"] / results[first.label][page]["median"]
            p95 = results[second.label][page]["p95"] / results[first.label][page]["p95"]
            verdict = ""
            if bound and page != "floor":
                verdict = "  ok" if ratio <= bound else f"  OVER {bound}x"
            print(f"  {page:16}{ratio:8.2f}x{p95:8.2f}x{verdict}")

    by_label = {server.label: server for server in servers}
    for label in ("scale", "scale (before)"):
        if label in by_label:
            small = by_label["small" + label[len("scale") :]]
            compare(small, by_label[label], 1.5)
    for label in ("small", "scale"):
        if f"{label} (before)" in by_label:
            compare(by_label[f"{label} (before)"], by_label[label], None)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", help="the small database (default: a scratch SQLite demo)")
    parser.add_argument("--scale", help="a database filled by bench/scale_data.py")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2, help="per page, round and database")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", action="store_true", help="print SQL and plans instead")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--before",
        type=Path,
        help="another checkout of the project (e.g. a worktree of main): its servers on the "
        "same databases are asked in the same rounds, for a before/after under the same load",
    )
    parser.add_argument("--child", choices=["prepare", "queries"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "prepare":
        return prepare()
    if options.child == "queries":
        return queries()

    scratch = tempfile.TemporaryDirectory(prefix="oefenplan-pages-small-")
    databases = [("small", database_url(options.small or f"{scratch.name}/small.sqlite3"))]
    if options.scale:
        databases.append(("scale", database_url(options.scale)))
    servers: list[Server] = []
    try:
        trees = [("", ROOT)]
        if options.before:
            trees.append((" (before)", options.before.resolve()))
        for suffix, code in trees:
            for label, url in databases:
                print(f"{label}{suffix}: preparing {url.split('@')[-1]}", flush=True)
                servers.append(Server(label + suffix, url, options.workers, code))
        if options.queries:
            for server in servers:
                print(f"\n######## {server.label}: {server.url.split('@')[-1]}", flush=True)
                subprocess.run(
                    [sys.executable, __file__, "--child", "queries"],
                    cwd=ROOT,
                    env={**server.env, "BENCH_SUBJECTS": json.dumps(server.subjects)},
                    check=True,
                )
            return None
        for server in servers:  # warm every worker and page
            for page in PAGES:
                server.drive(page, 1, max(options.clients, options.workers), keep=False)
        for round_ in range(options.rounds):
            print(f"round {round_ + 1} of {options.rounds}", flush=True)
            # A different page and database first each round, so none is always first.
            order = PAGES[round_ % len(PAGES) :] + PAGES[: round_ % len(PAGES)]
            for page in order:
                for server in servers if round_ % 2 == 0 else reversed(servers):
                    server.drive(page, options.seconds, options.clients)
    finally:
        for server in servers:
            server.stop()
        scratch.cleanup()
    results = report(servers, options)
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2))
    return None


if __name__ == "__main__":
    main()
