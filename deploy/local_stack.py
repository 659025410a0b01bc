"""The production set, on one machine: PostgreSQL, Redis, a task worker, two or
more gunicorn app servers on loopback and nginx in front with TLS.

`make serve-prod` runs it (`python -m deploy.local_stack`); the load and fault
benchmarks (bench/load.py) and the fault test (tests/ops/test_faults.py) start
their own with free ports and a database of their own. Every process gets the
environment a real server would: DEBUG off, HTTPS only, one trusted proxy,
PostgreSQL, Redis for the cache and the rate limits.
"""

import argparse
import contextlib
import dataclasses
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = ROOT / ".secret_key"
    if not path.exists():
        raise SystemExit("No DJANGO_SECRET_KEY and no .secret_key: run `make setup` first.")
    return path.read_text().strip()


def database_create(url: str, *, fresh: bool = False) -> None:
    """Create the URL's PostgreSQL database if it is missing (dropped first if fresh)."""
    name = dj_database_url.parse(url)["NAME"]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        if fresh:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(url: str) -> None:
    name = dj_database_url.parse(url)["NAME"]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def unverified_tls() -> ssl.SSLContext:
    """The local set's certificate is self-signed: clients on this machine skip the check."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # nosec B501  # loopback only, our own certificate
    return context


@dataclasses.dataclass
class Stack:
    run_dir: Path
    database_url: str
    redis_url: str = "redis://127.0.0.1:6379/0"
    app_ports: list[int] = dataclasses.field(default_factory=lambda: [8001, 8002])
    https_port: int = 8443
    http_port: int = 8080
    task_queue: str = "database"  # or "redis": RQ workers
    gunicorn_workers: int = 2
    quiet: bool = False
    processes: dict[str, subprocess.Popen] = dataclasses.field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oefenplan.settings.app",
            "DJANGO_SECRET_KEY": secret_key(),
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS_ONLY": "1",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "DJANGO_SERVE_MEDIA": "1",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "OEFENPLAN_TASK_QUEUE": self.task_queue,
            "OEFENPLAN_SITE_URL": self.url,
            "STATIC_ROOT": str(self.run_dir / "static"),
            "MEDIA_ROOT": str(self.run_dir / "media"),
            "HANDOUT_CACHE_DIR": str(self.run_dir / "handouts"),
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # nosec B603  # our own interpreter and manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    # Setting up ------------------------------------------------------------

    def prepare(self, *, demo: bool = True) -> str:
        """Database, tables, static files and (if the database is new) the demo.
        Returns what demo_setup printed (the demo sign-in), or ""."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)  # nginx's workers (www-data) read the static files here
        database_create(self.database_url)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        counted = self.manage(
            "shell", "-c", "from exercises.models import Exercise; print(Exercise.objects.count())"
        )
        new = counted.strip().splitlines()[-1] == "0"
        if not new:
            return ""
        fixtures = sorted(str(path) for path in (ROOT / "fixtures").glob("*.yaml"))
        self.manage("loaddata", *fixtures)
        return self.manage("demo_setup") if demo else ""

    def _certificate(self) -> tuple[Path, Path]:
        certificate, key = self.run_dir / "tls.crt", self.run_dir / "tls.key"
        if not certificate.exists():
            subprocess.run(  # nosec B603 B607  # openssl from the system, fixed arguments
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "30",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout",
                    str(key),
                    "-out",
                    str(certificate),
                ],
                check=True,
                capture_output=True,
            )
            key.chmod(0o600)  # read by nginx's master, as root
        return certificate, key

    def _nginx_conf(self) -> Path:
        certificate, key = self._certificate()
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
            for port in self.app_ports
        )
        text = (ROOT / "deploy" / "nginx.conf").read_text()
        for name, value in {
            "RUN_DIR": str(self.run_dir),
            "UPSTREAM_SERVERS": servers,
            "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "HTTPS_PORT": str(self.https_port),
            "TLS_CERTIFICATE": str(certificate),
            "TLS_KEY": str(key),
            "STATIC_ROOT": str(self.run_dir / "static"),
        }.items():
            text = text.replace(f"@{name}@", value)
        path = self.run_dir / "nginx.conf"
        path.write_text(text)
        return path

    # Processes -------------------------------------------------------------

    def _start(self, name: str, command: list[str], env: dict | None = None) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115  # closed with the process
        self.processes[name] = subprocess.Popen(  # nosec B603  # our own commands
            command,
            cwd=ROOT,
            env=env or self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches the set through stop(), in order
        )

    def start_app(self, index: int) -> None:
        port = self.app_ports[index]
        env = {
            **self.env(),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(self.gunicorn_workers),
        }
        command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "oefenplan.wsgi"]
        self._start(f"app{index + 1}", command, env)
        self.wait_for(f"http://127.0.0.1:{port}/healthz")

    def start_worker(self) -> None:
        if self.task_queue == "redis":
            command = ["rqworker", "--job-class", "django_tasks_rq.Job", "default"]
        else:
            command = ["db_worker", "--no-reload"]
        self._start("worker", [sys.executable, "manage.py", *command])

    def start_proxy(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        conf = self._nginx_conf()
        self._start("nginx", [nginx, "-c", str(conf), "-p", str(self.run_dir), "-g", "daemon off;"])
        self.wait_for(f"{self.url}/readyz")

    def start(self, *, worker: bool = True) -> None:
        for index in range(len(self.app_ports)):
            self.start_app(index)
        if worker:
            self.start_worker()
        self.start_proxy()

    def kill(self, name: str, how: int = signal.SIGKILL) -> None:
        """Kill a process of the set, gunicorn's workers with their master."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, how)
        process.wait(timeout=30)

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def wait_for(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2, context=unverified_tls()) as answer:  # nosec B310  # our own URL
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {timeout:.0f} s (logs in {self.run_dir})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"{PG_SERVER}/oefenplan")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--run-dir", default=str(ROOT / "run"))
    parser.add_argument("--app-servers", type=int, default=2)
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--task-queue", choices=["database", "redis"], default="database")
    options = parser.parse_args()
    stack = Stack(
        run_dir=Path(options.run_dir).resolve(),
        database_url=options.database_url,
        redis_url=options.redis_url,
        app_ports=[8001 + index for index in range(options.app_servers)],
        https_port=options.https_port,
        http_port=8080,
        task_queue=options.task_queue,
    )
    demo = stack.prepare()
    try:
        stack.start()
        print(demo.strip())
        print(
            f"\n  Oefenplan (production set) runs at {stack.url}/ behind nginx, "
            f"{len(stack.app_ports)} app servers, a {options.task_queue} task worker.\n"
            f"  The certificate is self-signed. Logs: {stack.run_dir}/*.log. Stop with Ctrl+C.\n"
        )
        signal.signal(signal.SIGTERM, _interrupt)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                signal.pause()
    finally:
        stack.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
