"""Bulk status changes on the participant list; giving places beyond a group's places asks first."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ..choices import RegistrationStatus
from ..permissions import can_manage_participants
from ..services.status import OverCapacity, set_status
from . import scope

BULK_FORM_ID = "lms-participants-bulk"

# The statuses an administrator can give several people at once.
BULK_ACTIONS = {
    RegistrationStatus.PLACE: _("Give a place"),
    RegistrationStatus.WAITING: _("Move to the waiting list"),
    RegistrationStatus.CANCELLED: _("Cancel the registration"),
    RegistrationStatus.ATTENDED: _("Mark as attended"),
    RegistrationStatus.NO_SHOW: _("Mark as no-show"),
}


def over_capacity_message(error):
    return "; ".join(
        str(
            _("%(group)s would have %(holding)d people with a place, for %(places)d places")
            % {"group": group.name, "holding": holding, "places": group.places}
        )
        for group, holding in error.groups
    )


@require_POST
def bulk_action(request):
    """Give several people a new status. Giving places beyond a group's places asks for confirmation."""
    if not can_manage_participants(request.user):
        raise PermissionDenied
    return_to = request.POST.get("return_to", "")
    if not url_has_allowed_host_and_scheme(
        return_to, {request.get_host()}, require_https=request.is_secure()
    ):
        return_to = reverse("participants_modeladmin_index")
    status = request.POST.get("action", "")
    ids = [value for value in request.POST.getlist("selected") if value.isdigit()]
    if status not in BULK_ACTIONS:
        messages.error(request, _("Choose what to do with the selected participants."))
        return redirect(return_to)
    if not ids:
        messages.error(request, _("Select at least one participant."))
        return redirect(return_to)
    # Another site's participant among the chosen is left out, as if it did not exist.
    registrations = scope.participants(request).filter(pk__in=ids)
    try:
        changed = set_status(
            registrations, status, user=request.user, allow_over_capacity=request.POST.get("confirm") == "1"
        )
    except OverCapacity as error:
        return TemplateResponse(
            request,
            "lms_forms/participants/confirm_over_capacity.html",
            {
                "message": over_capacity_message(error),
                "action": status,
                "action_label": BULK_ACTIONS[status],
                "selected": ids,
                "return_to": return_to,
                "count": len(ids),
            },
        )
    messages.success(
        request,
        ngettext(
            "%(count)d participant now has the status “%(status)s”.",
            "%(count)d participants now have the status “%(status)s”.",
            changed,
        )
        % {"count": changed, "status": RegistrationStatus(status).label},
    )
    return redirect(return_to)
