"""The participant admin, its audit-log actions, and who may see registrations in Wagtail's form views."""

from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from . import audit
from .models import RegistrationFormPage, can_manage_participants
from .participants import ParticipantAdmin

modeladmin_register(ParticipantAdmin)


@hooks.register("register_log_actions")
def register_participant_log_actions(actions):
    audit.register_actions(actions)


@hooks.register("filter_form_submissions_for_user")
def hide_registrations_without_permission(user, editable_forms):
    """Registrations are health data: page editors see them only with the participant permission."""
    if can_manage_participants(user):
        return editable_forms
    return editable_forms.not_type(RegistrationFormPage)
