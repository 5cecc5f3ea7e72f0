"""The registration app's models: the registration form page, its questions, registrations, the
requests to be told when registration opens, the reminders sent before sessions,
attendance and evaluations."""

from django.dispatch import receiver
from wagtail.signals import page_published

from ..encryption import resplit_registrations
from ..permissions import can_manage_participants
from .access import EVERYWHERE, ParticipantAccess, ParticipantScope
from .attendance import Attendance
from .evaluation import EvaluationField, EvaluationFormPage, EvaluationInvitation, EvaluationResponse
from .form_page import RegistrationFormField, RegistrationFormPage
from .opening_notice import OpeningNotice
from .registration import Registration
from .reminder import Reminder, ReminderChannel

__all__ = [
    "EVERYWHERE",
    "Attendance",
    "EvaluationField",
    "EvaluationFormPage",
    "EvaluationInvitation",
    "EvaluationResponse",
    "OpeningNotice",
    "ParticipantAccess",
    "ParticipantScope",
    "Registration",
    "RegistrationFormField",
    "RegistrationFormPage",
    "Reminder",
    "ReminderChannel",
]


@receiver(page_published, sender=RegistrationFormPage)
def keep_health_answers_encrypted(sender, instance, revision=None, **kwargs):
    """An editor who marks a question as asking about health moves its stored answers into the encrypted
    column. Unmarking one moves them out only when the editor may see participants: otherwise a page
    editor could turn health answers into plain text without ever being allowed to read them."""
    user = getattr(revision, "user", None)
    resplit_registrations(
        Registration.objects.filter(page=instance),
        instance.sensitive_field_names(),
        may_decrypt=user is not None and can_manage_participants(user),
    )
