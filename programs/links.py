"""Private patient links: made, shown, checked and revoked (no HTTP here: the
plan's `access` module turns a link into a cookie, its `throttle` module counts
wrong guesses).

A token is 128 random bits (the nonce) passed through HMAC-SHA256 under the
server's secret key and cut to 22 URL-safe characters (132 bits). Only its
SHA-256 hash is looked up, so a database dump cannot open a plan; the secret
key lets the practice show the same link again (QR code, printed handout).
After a key rotation an old link still opens (its hash is unchanged), but can
no longer be shown; the therapist then makes a new one.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programs.access_log import access_log_record
from programs.models import AccessAction, Patient, PatientLink, Program
from programs.signals import handout_changed

TOKEN_LENGTH = 22
_SIGNING_CONTEXT = b"oefenplan.patient-link.v1:"


def _token_from_nonce(nonce: str, key: str) -> str:
    digest = hmac.new(key.encode(), _SIGNING_CONTEXT + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_token(link: PatientLink) -> str | None:
    """The link's token again, or None when the secret key has changed since."""
    for key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        token = _token_from_nonce(link.nonce, key)
        if hmac.compare_digest(token_hash(token), link.token_hash):
            return token
    return None


def link_url(link: PatientLink, base_url: str | None = None) -> str | None:
    """The absolute address the patient opens (also the QR code's content)."""
    token = link_token(link)
    if token is None:
        return None
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("plan:open", args=[token])


def active_links() -> "Q":
    return Q(revoked_at__isnull=True) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def patient_active_link(*, patient: Patient) -> PatientLink | None:
    return patient.links.filter(active_links()).first()


@transaction.atomic
def patient_link_create(*, patient: Patient, user: User, expires_at=None) -> PatientLink:
    """A new link; any earlier link of the patient stops working (one per patient)."""
    _revoke_open_links(patient)
    nonce = secrets.token_hex(16)
    link = PatientLink.objects.create(
        patient=patient,
        nonce=nonce,
        token_hash=token_hash(_token_from_nonce(nonce, settings.SECRET_KEY)),
        language=patient.language,
        expires_at=expires_at,
        created_by=user,
    )
    access_log_record(user=user, patient=patient, action=AccessAction.CHANGE, detail="link made")
    # The handouts print the link's QR code: each published program's is new.
    published = Program.objects.filter(patient=patient, archived_at__isnull=True).exclude(
        revisions=None
    )
    handout_changed.send(
        sender=PatientLink, program_ids=list(published.values_list("pk", flat=True))
    )
    return link


def _revoke_open_links(patient: Patient) -> int:
    return patient.links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def patient_link_revoke(*, patient: Patient, user: User) -> int:
    revoked = _revoke_open_links(patient)
    if revoked:
        access_log_record(
            user=user, patient=patient, action=AccessAction.CHANGE, detail="link revoked"
        )
    return revoked


def link_for_token(token: str) -> PatientLink | None:
    """The active link this token opens, or None (wrong, revoked or expired alike)."""
    if not token or len(token) != TOKEN_LENGTH:
        return None
    return (
        PatientLink.objects.filter(active_links(), token_hash=token_hash(token))
        .select_related("patient")
        .first()
    )


def patient_link_set_language(*, link: PatientLink, language: str) -> None:
    if language in dict(settings.LANGUAGES) and link.language != language:
        link.language = language
        link.save(update_fields=["language"])
