"""Everything the site holds about one email address, across offerings: shown, exported as JSON, erased.

For a person's requests under the GDPR: access (article 15: the JSON file holds every registration with
its answers) and erasure (article 17: the registrations are cancelled and their personal data deleted;
the rows stay, anonymised, so the groups' counts stay right). Only course administrators may use it;
both the export and the erasure are in the audit log, with counts, never the address.
"""

import json
from collections import Counter

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit
from .models import HOLDS_PLACE, Registration, RegistrationStatus, can_manage_participants
from .registration import lock_groups, recount_groups
from .retention import anonymise

# Registrations that hold or wait for a place; erasing them cancels them first.
ACTIVE = (*HOLDS_PLACE, RegistrationStatus.WAITING)


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


def registrations_of(email):
    """The registrations made with `email` (in any letter case), not yet anonymised, oldest first."""
    return (
        Registration.objects.filter(email__iexact=email, anonymised_at__isnull=True)
        .select_related("offering")
        .order_by("submit_time", "pk")
    )


def person_record(registration):
    """One registration as the person's own copy: every field that says something about them."""
    labels = registration.field_labels or {}
    return {
        "offering": registration.offering.title,
        "group": registration.group_name,
        "status": str(registration.get_status_display()),
        "registered": registration.submit_time,
        "source": str(registration.get_source_display()),
        "name": registration.name,
        "email": registration.email,
        "phone": registration.phone,
        "birth_date": registration.birth_date,
        "language": registration.language,
        "confidentiality_notice_version": registration.notice_version,
        "confidentiality_notice_accepted": registration.notice_accepted_at,
        "health_information_consent": registration.health_consent_at,
        "answers": {labels.get(name, name): value for name, value in registration.answers.items()},
        "note": registration.note,
        "updated": registration.updated_at,
    }


def person_view(request):
    """Find a person by email address; download their data, or erase it after a confirmation."""
    if not can_manage_participants(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    form = PersonForm(data if "email" in data else None)
    context = {"form": form}
    if not form.is_valid():
        return TemplateResponse(request, "lms_forms/participants/person.html", context)
    email = form.cleaned_data["email"]
    registrations = list(registrations_of(email))
    per_offering = Counter(registration.offering_id for registration in registrations)

    if request.method == "POST" and request.POST.get("confirm") == "erase":
        return _erase(request, registrations, per_offering)
    if request.GET.get("export") == "json":
        return _export(request, registrations, per_offering)
    audit.log_for_offerings(audit.VIEWED, request.user, per_offering)
    context.update(
        email=email,
        registrations=registrations,
        erase=request.method == "POST",  # the erase button was pressed: ask to confirm
        export_url=f"{reverse('participants_modeladmin_person')}?{urlencode({'email': email, 'export': 'json'})}",
    )
    return TemplateResponse(request, "lms_forms/participants/person.html", context)


def _export(request, registrations, per_offering):
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
    audit.log_for_offerings(audit.SUBJECT_EXPORTED, request.user, per_offering)
    return response


def _erase(request, registrations, per_offering):
    ids = [registration.pk for registration in registrations]
    with transaction.atomic():
        groups = lock_groups(registration.group_id for registration in registrations if registration.group_id)
        erased = Registration.objects.filter(pk__in=ids, anonymised_at__isnull=True)
        erased.filter(status__in=ACTIVE).update(
            status=RegistrationStatus.CANCELLED, updated_at=timezone.now()
        )
        count = anonymise(erased)
        recount_groups(groups)
    audit.log_for_offerings(audit.ERASED, request.user, per_offering)
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
