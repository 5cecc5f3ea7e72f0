"""Encrypt every stored health answer again with the first key: `manage.py rotate_encryption_key`.

To replace a key: put the new one first in LMS_ENCRYPTION_KEYS (keeping the old one after it), deploy,
run this command, then remove the old key.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from lms_forms.services.keys import reencrypt_health_answers


class Command(BaseCommand):
    help = "Encrypt every stored answer about health again with the first key in LMS_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = reencrypt_health_answers()
        self.stdout.write(
            ngettext(
                "Encrypted the answers of %(count)d registration with the first key.",
                "Encrypted the answers of %(count)d registrations with the first key.",
                count,
            )
            % {"count": count}
        )
