"""The test suite's settings: `base`, runnable with nothing in the environment.

`pytest tests/some/test_file.py` works on a fresh clone after `make setup`; the
database and Redis still come from DATABASE_URL and REDIS_URL when set (the
PostgreSQL run of `make test`).
"""

import os

from oefenplan.settings.base import *  # noqa: F403

# Not a secret: it signs nothing outside a test run. A key from the
# environment wins, so a developer can run the suite as CI does.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "insecure-test-only-key-" + "x" * 40

# The suite creates and logs in hundreds of users; the real hasher's 1,000,000
# PBKDF2 rounds would cost a third of a second each. Hashing itself is Django's.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client and the browser tests' live server speak plain HTTP; the
# HTTPS settings are tested as production runs them (tests/security/).
globals().update(https_settings(False))  # noqa: F405
# Passkeys in the browser tests: the live server is http://localhost, which
# browsers treat as secure but WebAuthn's origin check in fido2 does not.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# Tasks are kept, not run: a publish in a test renders no PDF unless the test
# runs a worker (tests/programs/handout/test_prerender.py does, on the database queue).
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
