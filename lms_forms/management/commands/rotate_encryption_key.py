"""Encrypt every stored health answer again with the first key: `manage.py rotate_encryption_key`.

To replace a key: put the new one first in LMS_ENCRYPTION_KEYS (keeping the old one after it), deploy,
run this command, then remove the old key.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import ngettext

from lms_forms.models import Registration

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Encrypt every stored answer about health again with the first key in LMS_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        registrations = Registration.objects.exclude(sensitive_answers="").only("pk", "sensitive_answers")
        batch, count = [], 0
        with transaction.atomic():
            # Read with whichever key decrypts, written with the first.
            for registration in registrations.iterator(chunk_size=BATCH_SIZE):
                batch.append(registration)
                if len(batch) == BATCH_SIZE:
                    count += Registration.objects.bulk_update(batch, ["sensitive_answers"])
                    batch = []
            count += Registration.objects.bulk_update(batch, ["sensitive_answers"])
        self.stdout.write(
            ngettext(
                "Encrypted the answers of %(count)d registration with the first key.",
                "Encrypted the answers of %(count)d registrations with the first key.",
                count,
            )
            % {"count": count}
        )
