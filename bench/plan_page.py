"""The patient's plan page against a trivial view, through gunicorn on loopback.

    DJANGO_SECRET_KEY=... .venv/bin/python bench/plan_page.py [--rounds 5] [--seconds 2]
        [--clients 2] [--workers 2] [--no-redis]

Builds a scratch database (SQLite in a temp folder, or DATABASE_URL if set)
with the demo practice and serves it with gunicorn (sync workers) on a free
loopback port, twice: with the plan page's cache in each process's memory only,
then with Redis behind it (REDIS_URL, default redis://127.0.0.1:6379/2; the
script empties that Redis database before and after: never point it at one in
use). Keep-alive clients that ask for gzip drive two URLs in turn, round after
round, so both see the same machine: a trivial Django view (the framework's
floor under the same server and middleware) and the plan page of the demo's
transtibial patient (11 exercises), first with nothing ticked today, then with
five exercises ticked (one with a pain score and a note). Prints the median
and 95th percentile latency of each and the plan page's cost as a ratio to the
floor (requests per second, and medians). The first requests of each phase
(a warm-up, not counted) fill the caches: the figures are the warm page, as
nearly every patient request finds it.

The goal of issue 14: at most 2x the floor with local memory, 2.5x with Redis.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def wait_for(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def latencies(
    port: int,
    path: str,
    cookie: str,
    seconds: float,
    clients: int,
    headers: dict[str, str] | None = None,
) -> tuple[list[float], float]:
    """Each request's seconds from `clients` keep-alive clients asking `path` for
    `seconds`, and the seconds it took; any answer but 200 ends the benchmark."""
    headers = {"Cookie": cookie, **(headers or {})}
    measured: list[float] = []
    errors = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                errors.append(response.status)
        with lock:
            measured.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if errors:
        raise SystemExit(f"{path}: {len(errors)} non-200 answers, e.g. {errors[0]}")
    return measured, elapsed


GZIP = {"Accept-Encoding": "gzip"}
FLOOR, PLAN = "/bench/hello/", "/plan/"


def figures(measured: list[float]) -> dict:
    measured = sorted(measured)
    return {
        "median": statistics.median(measured) * 1000,
        "p95": measured[max(int(len(measured) * 0.95) - 1, 0)] * 1000,
        "requests": len(measured),
    }


def request(port: int, method: str, path: str, cookie: str, body: str = "") -> tuple[str, str]:
    """One request: (the body, decoded, and the csrftoken cookie it set, if any)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    answer = connection.getresponse()
    text = answer.read().decode()
    if answer.status not in (200, 302):
        raise SystemExit(f"{method} {path}: {answer.status}")
    csrf = re.search(r"csrftoken=([^;]+)", answer.getheader("Set-Cookie") or "")
    return text, csrf.group(1) if csrf else ""


def set_ticks(port: int, cookie: str, count: int) -> int:
    """Ticks off the first `count` exercises of today's first session and undoes
    the others (the first with a pain score and a note); returns how many exist."""
    page, csrf = request(port, "GET", PLAN, cookie)
    cookies = f"{cookie}; csrftoken={csrf}"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    date = re.search(r'name="date" value="([^"]+)"', page).group(1)
    items = list(dict.fromkeys(re.findall(r'name="item" value="(\d+)"', page)))
    for number, item in enumerate(items):
        fields = {"csrfmiddlewaretoken": token, "item": item, "date": date, "session": "1"}
        if number < count:
            fields["action"] = "save" if number == 0 else "done"
            if number == 0:
                fields.update(pain="3", note="Ging goed, wat stijf")
        else:
            fields["action"] = "undo"
        request(port, "POST", "/plan/tick/", cookies, urllib.parse.urlencode(fields))
    return len(items)


def gunicorn_command(port: int, workers: int) -> list[str]:
    """gunicorn serving the project's WSGI app on a loopback port, sync workers."""
    return [
        str(BIN / "gunicorn"),
        "oefenplan.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


class Server:
    """gunicorn serving the bench settings, with the given environment."""

    def __init__(self, env: dict, workers: int, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("a")  # a JSON line per request: kept out of the figures' way
        self.process = subprocess.Popen(
            gunicorn_command(self.port, workers),
            cwd=ROOT,
            env=env,
            stderr=self.log,
        )
        wait_for(self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()
        self.log.close()


def measure(port: int, cookie: str, options) -> dict[str, list[float]]:
    """The floor and the plan page in turn, `options.rounds` times."""
    kept: dict[str, list[float]] = {FLOOR: [], PLAN: []}
    for path in (FLOOR, PLAN):  # warm up every worker and the caches
        latencies(port, path, cookie, 1, max(options.clients, options.workers), GZIP)
    for _round in range(options.rounds):
        for path in (FLOOR, PLAN):
            kept[path] += latencies(port, path, cookie, options.seconds, options.clients, GZIP)[0]
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2, help="per URL and round")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-redis", action="store_true")
    options = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="oefenplan-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS_ONLY": "0",  # gunicorn on loopback, plain HTTP
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3"),
        "MEDIA_ROOT": f"{scratch.name}/media",
    }
    env.pop("REDIS_URL", None)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")
    manage(env, "migrate", "--noinput")
    manage(env, "loaddata", *sorted(str(p) for p in (ROOT / "fixtures").glob("*.yaml")))
    output = manage(env, "demo_setup")
    url = next(line.split(": ", 1)[1] for line in output.splitlines() if "/p/" in line)
    token_path = url.split("127.0.0.1:8000", 1)[1]

    setups = [("local memory", {})]
    if not options.no_redis:
        setups.append(("Redis", {"REDIS_URL": redis_url}))
    results = []
    try:
        for name, extra in setups:
            if extra:
                flush(redis_url)
            server = Server({**env, **extra}, options.workers, Path(scratch.name) / "server.log")
            try:
                opener = http.client.HTTPConnection("127.0.0.1", server.port)
                opener.request("GET", token_path)
                answer = opener.getresponse()
                answer.read()
                cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
                for ticked in (0, 5):
                    exercises = set_ticks(server.port, cookie, ticked)
                    kept = measure(server.port, cookie, options)
                    results.append((name, ticked, exercises, kept))
            finally:
                server.stop()
                if extra:
                    flush(redis_url)
    finally:
        scratch.cleanup()

    print(
        f"gunicorn, {options.workers} sync workers, {options.clients} keep-alive clients "
        f"asking for gzip, {options.rounds} rounds of {options.seconds:g} s per URL, "
        f"database {env['DATABASE_URL'].split(':')[0]}, {os.cpu_count()} CPUs"
    )
    print(f"{'':44}{'median ms':>10}{'p95 ms':>9}{'requests':>10}{'ratio':>8}")
    for name, ticked, exercises, kept in results:
        floor, plan = figures(kept[FLOOR]), figures(kept[PLAN])
        # Each URL had the same seconds: the ratio of request counts is the
        # ratio of time per request under the same load.
        ratio = floor["requests"] / plan["requests"]
        for label, row, shown in (
            ("trivial Django view", floor, ""),
            (f"plan page, {exercises} exercises, {ticked} ticked", plan, f"{ratio:7.2f}x"),
        ):
            print(
                f"{name + ': ' + label:44}{row['median']:10.2f}{row['p95']:9.2f}"
                f"{row['requests']:10d}{shown:>8}"
            )
        print(
            f"  -> {name}, {ticked} ticked: plan page / trivial view = {ratio:.2f}x the time "
            f"per request (medians {plan['median'] / floor['median']:.2f}x)"
        )


def flush(url: str) -> None:
    """Empties the bench's own Redis database (REDIS_URL's number)."""
    import redis

    redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    main()
