"""Marks the session when a second factor is proven; notes the sign-in time;
logs sign-ins, failed sign-ins and sign-outs in the access log (NEN 7513)."""

from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_used
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from oefenplan.security.sessions import second_factor_mark, signed_in_mark
from programs.access_log import access_log_append
from programs.models import AccessAction, AccessOutcome


@receiver(authenticator_used)
def _second_factor_used(sender, request, user, **kwargs) -> None:
    second_factor_mark(request.session, user)


@receiver(authenticator_added)
def _second_factor_enrolled(sender, request, user, **kwargs) -> None:
    # Enrolling asks for a code from the new authenticator (or a passkey
    # ceremony): the user has just proven it, in this session.
    second_factor_mark(request.session, user)


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        signed_in_mark(request.session)
    access_log_append(user=user, practice=_practice(user), action=AccessAction.SIGN_IN)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        access_log_append(user=user, practice=_practice(user), action=AccessAction.SIGN_OUT)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already taken the password out of `credentials`.
    name = str(credentials.get("username") or credentials.get("login") or "")[:150]
    access_log_append(
        action=AccessAction.SIGN_IN_FAILED,
        outcome=AccessOutcome.REFUSED,
        detail=f"username: {name}",
    )


@receiver(authentication_failed)
def _second_factor_failed(sender, request, user, authenticator=None, **kwargs) -> None:
    access_log_append(
        user=None,  # not signed in: the password was right, the second step was not
        practice=_practice(user),
        action=AccessAction.SIGN_IN_FAILED,
        outcome=AccessOutcome.REFUSED,
        detail=f"second step failed for username: {user.get_username()}"[:200],
    )


def _practice(user):
    therapist = getattr(user, "therapist", None)
    return therapist.practice if therapist else None
