"""gunicorn's settings for Oefenplan: `gunicorn -c deploy/gunicorn.conf.py oefenplan.wsgi`.

Each value can be changed from the environment (GUNICORN_BIND, GUNICORN_WORKERS,
GUNICORN_THREADS). The app servers are stateless: run as many as the machine
and the database allow, side by side, behind the proxy (deploy/nginx.conf).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Threads let a worker wait on the database for one request while it renders
# another; processes use the cores.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request that takes longer than this is stuck: the worker is replaced. The
# slow work (handout renders) is the task worker's, not the app server's.
timeout = 30
graceful_timeout = 20
keepalive = 5  # seconds: the proxy holds connections to us (upstream keepalive)
# Workers are renewed now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The app logs each request itself as one JSON line without the path (a
# patient's link carries its token there); gunicorn's access log would not.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Only the proxy on this machine may say which client and scheme it forwarded;
# Django reads X-Forwarded-For itself (DJANGO_TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "oefenplan"
