"""Find a person: everything registered with one email address, downloaded as JSON or erased.

The address is always sent by POST, so it never stands in a URL, a browser's history or a server log.
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from .. import audit
from ..permissions import can_manage_participants
from ..services.person import erase_person, log_export, person_record, registrations_of
from .scope import scope_of


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


@never_cache
def person_view(request):
    """Find a person by email address (POST); download their data, or erase it after a confirmation."""
    if not can_manage_participants(request.user):
        raise PermissionDenied
    template = "lms_forms/participants/person.html"
    if request.method != "POST":
        return TemplateResponse(request, template, {"form": PersonForm()})
    form = PersonForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, template, {"form": form})
    email = form.cleaned_data["email"]
    action = request.POST.get("action", "")
    if action == "erase-confirmed":
        return _erase(request, email)
    registrations = list(registrations_of(email, scope_of(request)))
    if action == "export":
        return _export(request, registrations)
    audit.log_for_offerings(audit.VIEWED, request.user, audit.count_per_offering(registrations))
    return TemplateResponse(
        request,
        template,
        {
            "form": form,
            "email": email,
            "registrations": registrations,
            "erase": action == "erase",  # the erase button was pressed: ask to confirm
        },
    )


def _export(request, registrations):
    document = {
        "exported": timezone.now(),
        "registrations": [person_record(registration) for registration in registrations],
    }
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json",
    )
    filename = f"personopplysninger-{timezone.localdate().isoformat()}.json"
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_store=True)
    log_export(registrations, user=request.user)
    return response


def _erase(request, email):
    count = erase_person(email, user=request.user, scope=scope_of(request))
    messages.success(
        request,
        ngettext(
            "The personal data of %(count)d registration were erased.",
            "The personal data of %(count)d registrations were erased.",
            count,
        )
        % {"count": count},
    )
    return redirect("participants_modeladmin_person")
