"""The participant admin, its audit-log actions, and who may see registrations in Wagtail's form views."""

from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from .models import EvaluationFormPage, ParticipantScope, RegistrationFormPage
from .participants.admin import ParticipantAdmin
from .participants.log_formatters import register_actions
from .permissions import can_manage_participants

modeladmin_register(ParticipantAdmin)


@hooks.register("register_log_actions")
def register_participant_log_actions(actions):
    register_actions(actions)


@hooks.register("filter_form_submissions_for_user")
def hide_registrations_without_permission(user, editable_forms):
    """Registrations are health data: page editors see them only with the participant permission, and
    then only on the sites whose participants they see. So are evaluations' answers, by site."""
    if not can_manage_participants(user):
        return editable_forms.not_type(RegistrationFormPage)
    scope = ParticipantScope.of(user)
    if scope.everything:
        return editable_forms
    ours = (RegistrationFormPage, EvaluationFormPage)
    return editable_forms.not_type(*ours) | scope.restrict(editable_forms.type(*ours))
