"""Encrypting every stored health answer again with the first key, when a key is replaced."""

from django.db import transaction

from ..models import Registration

BATCH_SIZE = 500


def reencrypt_health_answers():
    """Read each encrypted answer with whichever key decrypts it and write it with the first; returns
    how many registrations were written. All or nothing."""
    registrations = Registration.objects.exclude(sensitive_answers="").only("pk", "sensitive_answers")
    batch, count = [], 0
    with transaction.atomic():
        for registration in registrations.iterator(chunk_size=BATCH_SIZE):
            batch.append(registration)
            if len(batch) == BATCH_SIZE:
                count += Registration.objects.bulk_update(batch, ["sensitive_answers"])
                batch = []
        count += Registration.objects.bulk_update(batch, ["sensitive_answers"])
    return count
