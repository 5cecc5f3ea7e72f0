"""What a scheduled run sends once to one person, and the reminder of a session, recorded so it goes
out once per participant, session and channel.

A run of `lms_forms.services.reminders` claims the reminders that are due by inserting these rows: the
unique constraint lets only one of several workers claim each. It marks a reminder as being sent just
before it hands it to the channel and as sent right after, so a worker that stops half way leaves
behind what was certainly not sent (claimed, never being sent: another run sends it) apart from what
may have gone (being sent, never sent: left as it is, because nobody is to get two).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms_pages.models import GroupSession

from .registration import Registration


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class ClaimedSend(models.Model):
    """Something sent once to one person by a scheduled run (lms_forms.services.once): claimed by the run
    that inserted it, marked as being sent just before sending, and as sent right after."""

    # The run that claimed it, so that run knows which rows of a shared insert are its own.
    claim = models.UUIDField(editable=False)
    claimed_at = models.DateTimeField(_("claimed"), editable=False)
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Reminder(ClaimedSend):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="reminders"
    )
    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    # Which of the form's reminders this is: the number of days before the session it was due.
    days_before = models.PositiveSmallIntegerField(_("days before"))
    channel = models.CharField(_("channel"), max_length=8, choices=ReminderChannel.choices)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session", "days_before", "channel"], name="lms_one_reminder"
            )
        ]
        indexes = [models.Index(fields=["claim"], name="lms_reminder_claim")]

    def __str__(self):
        return f"{self.registration_id}/{self.session_id}/{self.days_before}/{self.channel}"
