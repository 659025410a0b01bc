"""Serve the patient's plan page through gunicorn on loopback and measure it.

    DJANGO_SECRET_KEY=... .venv/bin/python bench/plan_page.py [--seconds 10] [--clients 4]

Builds a scratch database (SQLite in a temp folder, or DATABASE_URL if set)
with the demo practice, starts gunicorn (2 sync workers) on a free loopback
port, and drives two URLs from client threads with keep-alive connections:
a trivial Django view (the framework's floor under the same server and
middleware) and the plan page of the demo's transtibial patient (11
exercises). Prints requests per second and the median and 95th percentile
latency of each, and the plan page's cost as a ratio to the floor.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
    port: int, path: str, cookie: str, seconds: float, clients: int
) -> tuple[list[float], float]:
    """Each request's seconds from `clients` keep-alive clients asking `path` for
    `seconds`, and the seconds it took; any answer but 200 ends the benchmark."""
    measured: list[float] = []
    errors = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
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


def drive(port: int, path: str, cookie: str, seconds: float, clients: int) -> dict:
    measured, elapsed = latencies(port, path, cookie, seconds, clients)
    measured.sort()
    return {
        "rps": len(measured) / elapsed,
        "median": statistics.median(measured) * 1000,
        "p95": measured[int(len(measured) * 0.95) - 1] * 1000,
        "requests": len(measured),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
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
    manage(env, "migrate", "--noinput")
    manage(env, "loaddata", *sorted(str(p) for p in (ROOT / "fixtures").glob("*.yaml")))
    output = manage(env, "demo_setup")
    url = next(line.split(": ", 1)[1] for line in output.splitlines() if "/p/" in line)
    token_path = url.split("127.0.0.1:8000", 1)[1]

    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "oefenplan.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        opener = http.client.HTTPConnection("127.0.0.1", port)
        opener.request("GET", token_path)
        answer = opener.getresponse()
        answer.read()
        cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
        for path in ("/bench/hello/", "/plan/"):  # warm up both workers
            drive(port, path, cookie, 1, options.clients)
        floor = drive(port, "/bench/hello/", cookie, options.seconds, options.clients)
        plan = drive(port, "/plan/", cookie, options.seconds, options.clients)
    finally:
        server.terminate()
        server.wait()
        scratch.cleanup()

    print(
        f"gunicorn, {options.workers} sync workers, {options.clients} keep-alive clients, "
        f"{options.seconds:g} s per URL, database {env['DATABASE_URL'].split(':')[0]}"
    )
    print(f"{'':24}{'req/s':>10}{'median ms':>12}{'p95 ms':>10}{'requests':>10}")
    for name, figures in (("trivial Django view", floor), ("plan page (11 exercises)", plan)):
        print(
            f"{name:24}{figures['rps']:10.0f}{figures['median']:12.2f}"
            f"{figures['p95']:10.2f}{figures['requests']:10d}"
        )
    print(
        f"plan page / floor: {floor['rps'] / plan['rps']:.1f}x the time per request "
        f"(median {plan['median'] / floor['median']:.1f}x)"
    )


if __name__ == "__main__":
    main()
