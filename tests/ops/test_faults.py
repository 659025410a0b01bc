"""The production set under load, with an app server killed: nothing acknowledged
is lost. The real thing: nginx with TLS, two gunicorn servers, PostgreSQL,
Redis and the task worker (deploy/local_stack.py), driven by bench/load.py.

The other faults (PostgreSQL restarted, Redis stopped) would pull the servers
from under the rest of the suite; `python -m bench.load --fault ...` runs them.
"""

import pytest
from django.db import connection

from bench.load import run

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the production set runs on PostgreSQL: make test's second run",
)


def test_an_app_server_killed_under_load_loses_no_acknowledged_tick():
    report = run(seconds=12, patients=8, therapists=1, fault="kill-app", quiet=True)
    report.print()  # shown with -s, and in the log of a failure

    assert len(report.acknowledged) >= 20, "too little load to show anything"
    assert report.lost == [], "ticks the server acknowledged are not in the database"
    assert report.duplicated == []
    # The killed server's requests in flight failed with a page of ours, never a
    # trace. One it had begun to answer (status line sent, body not) is cut off
    # whatever the proxy does: that happens only to requests sent before the kill.
    errors = report.errors()
    assert [o.error_body for o in errors if not (o.clean or o.cut_off)] == []
    assert [o for o in errors if o.cut_off and o.started > report.fault_at] == []
    # The proxy sends everything to the other server at once: no errors after
    # the kill but the requests that were in flight on the killed one.
    settled = report.fault_at + 2
    assert report.errors(since=settled) == []
    served_after = [o for o in report.outcomes if o.started > settled and 200 <= o.status < 400]
    assert len({o.endpoint for o in served_after}) >= 3 and len(served_after) >= 20
