"""django-allauth, fitted to a practice's software.

- No one signs up: practices get their therapists' accounts from a site admin.
- TOTP secrets are stored encrypted (Fernet, with a key derived from the
  server's secret key), so a copy of the database alone yields no second factor.
  Rotating DJANGO_SECRET_KEY therefore means enrolling the authenticator apps
  again; passkeys and recovery codes are not affected (they hold no secret here).
"""

import base64
import hashlib

import segno
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"oefenplan.mfa.totp:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def build_totp_svg(self, url: str) -> str:
        # Inline SVG, shown in the page: the strict CSP allows no data: images,
        # which is how allauth shows it by default. segno writes it from the URL.
        return segno.make(url, error="m").svg_inline(
            scale=5,
            omitsize=True,
            title=_("QR code for your authenticator app"),
            svgclass="qr-code",
        )
