"""Who came to which session, as a course leader marked it: one row per participant and session."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms_pages.models import GroupSession

from .registration import Registration


class Attendance(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="lms_one_attendance_per_session")
        ]

    def __str__(self):
        return f"{self.registration_id}/{self.session_id}: {self.present}"
