"""Marks the session when a second factor is proven; notes the sign-in time."""

from allauth.mfa.signals import authenticator_added, authenticator_used
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from oefenplan.security.sessions import second_factor_mark, signed_in_mark


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
