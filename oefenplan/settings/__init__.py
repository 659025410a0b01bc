"""Settings: `app` serves the app (the default of manage.py and wsgi), `test` runs
the test suite; both build on `base`."""
