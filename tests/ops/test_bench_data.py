"""bench/scale_data.py fills a database the way the app's own code would: run
small here, so a new column or table the loader leaves out fails a test instead
of the next scale measurement (issue 14's draft_version once did)."""

import os
import sqlite3
import subprocess
import sys

from django.conf import settings


def test_the_scale_data_fills_a_small_database_whose_access_log_verifies(tmp_path):
    database = tmp_path / "scale.sqlite3"
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
    }
    environment.setdefault("DJANGO_SECRET_KEY", "bench-test-only")
    command = [sys.executable, "bench/scale_data.py", "--database", str(database)]
    sizes = ["--practices", "2", "--patients", "10", "--programs", "20", "--ticks", "500"]
    filled = subprocess.run(
        command + sizes, cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert filled.returncode == 0, filled.stderr[-3000:]
    assert "Done in" in filled.stdout
    with sqlite3.connect(database) as connection:
        count = lambda table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: E731
        assert count("programs_program") >= 20
        assert count("programs_exercisetick") >= 500
    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_access_log"],
        cwd=settings.BASE_DIR,
        env={**environment, "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
