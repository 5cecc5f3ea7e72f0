"""Encryption at rest for the answers that say something about a person's health.

Answers to the questions an editor marks as asking about health (diagnosis, medication) are stored in
`Registration.sensitive_answers`, an `EncryptedJSONField`: in the database, a Fernet token
(AES-128-CBC with an HMAC-SHA256, from the `cryptography` package), never the text. A database dump or
a backup without the key reveals nothing of them.

The keys come from `settings.LMS_ENCRYPTION_KEYS` (production reads them from the environment): the
first encrypts, every one decrypts, so a key is replaced by putting the new one first, running
`manage.py rotate_encryption_key`, and then removing the old one.

    Fernet.generate_key()   # a new key: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


def configured_keys():
    keys = getattr(settings, "LMS_ENCRYPTION_KEYS", None) or []
    return [keys] if isinstance(keys, str | bytes) else list(keys)


@cache
def fernet():
    """The MultiFernet of the configured keys; ImproperlyConfigured when there is none or one is bad."""
    keys = configured_keys()
    if not keys:
        raise ImproperlyConfigured("LMS_ENCRYPTION_KEYS is not set: health answers cannot be stored.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"LMS_ENCRYPTION_KEYS holds a key that is not a Fernet key: {error}"
        ) from None


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting == "LMS_ENCRYPTION_KEYS":
        fernet.cache_clear()


def encrypt(data):
    return fernet().encrypt(json.dumps(data, cls=DjangoJSONEncoder).encode()).decode()


def decrypt(token):
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ImproperlyConfigured(
            "Health answers cannot be decrypted with any key in LMS_ENCRYPTION_KEYS."
        ) from None


class EncryptedJSONField(models.TextField):
    """A dict kept encrypted in a text column; an empty dict is stored as an empty string."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else {}

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return decrypt(value) if value else {}

    def get_prep_value(self, value):
        return encrypt(value) if value else ""

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)


def split_answers(form_data, sensitive_answers, sensitive_names, *, may_decrypt=True):
    """All answers split again by which questions ask about health: (plain, encrypted, changed).

    Without `may_decrypt`, answers already encrypted stay encrypted, whatever `sensitive_names` says.
    """
    if not may_decrypt:
        sensitive_names = set(sensitive_names) | set(sensitive_answers or {})
    answers = {**(form_data or {}), **(sensitive_answers or {})}
    plain = {name: value for name, value in answers.items() if name not in sensitive_names}
    sensitive = {name: value for name, value in answers.items() if name in sensitive_names}
    return plain, sensitive, (plain, sensitive) != (form_data or {}, sensitive_answers or {})


def resplit_registrations(registrations, sensitive_names, batch_size=500, *, may_decrypt=True):
    """Move answers between the plain and the encrypted column after an editor (un)marked a question
    as asking about health; returns how many registrations changed. Works on historical models too.

    Only when `may_decrypt` (the editor may see participants) do answers leave the encrypted column.
    """
    changed = []
    for registration in registrations.only("pk", "form_data", "sensitive_answers").iterator(
        chunk_size=batch_size
    ):
        plain, sensitive, moved = split_answers(
            registration.form_data, registration.sensitive_answers, sensitive_names, may_decrypt=may_decrypt
        )
        if moved:
            registration.form_data, registration.sensitive_answers = plain, sensitive
            changed.append(registration)
    registrations.model.objects.bulk_update(
        changed, ["form_data", "sensitive_answers"], batch_size=batch_size
    )
    return len(changed)


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs, **kwargs):
    """The keys must be there, and be keys, before a health answer is ever taken."""
    try:
        fernet()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint='Set LMS_ENCRYPTION_KEYS to a list of Fernet keys; make one with python -c "from '
                'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())".',
                id="lms_forms.E001",
            )
        ]
    return []
