"""Signed links: they carry a registration's (or an opening notice's) random reference, never its id or
personal data.

The signed value is base64-encoded again, because Wagtail's page URLs allow only letters, digits, _ and -.
Each kind of link has its own salt, so a confirmation link cannot cancel, and a cancellation link cannot
accept an offer.
"""

from django.core import signing
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

CANCEL_SALT = "lms_forms.cancel"
CONFIRMATION_SALT = "lms_forms.confirmation"
OFFER_SALT = "lms_forms.offer"
NOTICE_CONFIRM_SALT = "lms_forms.opening_notice.confirm"
NOTICE_UNSUBSCRIBE_SALT = "lms_forms.opening_notice.unsubscribe"
CERTIFICATE_SALT = "lms_forms.certificate"
EVALUATION_SALT = "lms_forms.evaluation"


def make_token(registration, salt):
    return urlsafe_base64_encode(signing.dumps(str(registration.reference), salt=salt).encode())


def reference_from_token(token, salt):
    """The registration reference a token carries, or None when it is not one of ours for `salt`."""
    try:
        return signing.loads(urlsafe_base64_decode(token).decode(), salt=salt)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
