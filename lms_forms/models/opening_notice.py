"""A request to be told, once, when registration for an offering opens.

It holds an email address and nothing else about the person, and lives only as long as it must: an
unconfirmed one is deleted after `UNCONFIRMED_DAYS`, a confirmed one as soon as its email has been sent
(or the registration it waits for will not open), and at any time through its unsubscribe link.
"""

import datetime
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tokens import reference_from_token

# Days an address waits for its owner to confirm it before it is deleted.
UNCONFIRMED_DAYS = 7


class OpeningNotice(models.Model):
    """One address waiting for the opening of one registration form (double opt-in)."""

    page = models.ForeignKey(
        "lms_forms.RegistrationFormPage",
        verbose_name=_("registration form"),
        on_delete=models.CASCADE,
        related_name="opening_notices",
    )
    email = models.EmailField(_("email"))
    # The language the visitor asked in; the emails are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("asked"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    # Set by the worker that sends the notice, so two workers never send it twice.
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("opening notice")
        verbose_name_plural = _("opening notices")
        constraints = [
            models.UniqueConstraint(fields=["page", "email"], name="lms_one_opening_notice_per_email")
        ]

    def __str__(self):
        return str(self.reference)

    @classmethod
    def from_token(cls, token, salt):
        """The notice a signed link points to; None for a bad link, or one already sent or removed."""
        reference = reference_from_token(token, salt)
        if reference is None:
            return None
        return cls.objects.filter(reference=reference).first()

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    @staticmethod
    def unconfirmed_before(now):
        """The moment before which an unconfirmed notice has expired."""
        return now - datetime.timedelta(days=UNCONFIRMED_DAYS)
