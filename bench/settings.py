"""The app's settings plus a trivial view, for the benchmarks only."""

from oefenplan.settings.app import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
