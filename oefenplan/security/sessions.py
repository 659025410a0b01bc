"""What a therapist's session remembers about how and when it was signed in.

Two marks in the session, both tied to the user they were made for:
- the second factor: set when the user proved one (TOTP, recovery code or
  passkey at login, or an authenticator just enrolled), checked by
  `SecondFactorRequiredMiddleware` before any patient data;
- the sign-in time and the last request, for `SessionLimitsMiddleware`
  (30 minutes idle, 12 hours in all).
"""

import time

from django.contrib.sessions.backends.base import SessionBase

SECOND_FACTOR_KEY = "oefenplan.second_factor"
SIGNED_IN_KEY = "oefenplan.signed_in_at"
LAST_SEEN_KEY = "oefenplan.last_seen_at"


def second_factor_mark(session: SessionBase, user) -> None:
    session[SECOND_FACTOR_KEY] = {"user": str(user.pk), "at": time.time()}


def second_factor_passed(session: SessionBase, user) -> bool:
    mark = session.get(SECOND_FACTOR_KEY)
    return isinstance(mark, dict) and mark.get("user") == str(user.pk)


def signed_in_mark(session: SessionBase) -> None:
    now = time.time()
    session[SIGNED_IN_KEY] = now
    session[LAST_SEEN_KEY] = now
