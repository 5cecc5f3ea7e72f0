"""Certificates of attendance in the admin: all of an offering's in one PDF to print, and one
participant's, with the participant's own link to it. Each download is audited (a count, no names)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .. import audit
from ..pdf import pdf_response
from ..permissions import participants_only
from ..services import certificates
from . import scope


def _download(request, shown, offering_id):
    audit.log_for_offerings(audit.CERTIFICATES_DOWNLOADED, request.user, {offering_id: len(shown)})
    response = pdf_response(certificates.render(shown), certificates.filename(*shown), inline=False)
    patch_cache_control(response, private=True, no_store=True)
    return response


@participants_only
def offering_certificates_view(request, pk):
    """Everyone who met the attendance rule of the offering, a page each, in one PDF."""
    offering = get_object_or_404(scope.offerings(request), pk=pk)
    shown = certificates.certificates(certificates.holders(offering.pk))
    if not shown:
        messages.info(request, _("Nobody in this offering has a certificate of attendance yet."))
        return redirect(f"{reverse('participants_modeladmin_index')}?offering__page_ptr__exact={offering.pk}")
    return _download(request, shown, offering.pk)


@participants_only
def participant_certificate_view(request, pk):
    registration = get_object_or_404(scope.participants(request), pk=pk)
    certificate = certificates.certificate_of(registration)
    if certificate is None:
        messages.error(request, _("This participant has no certificate of attendance."))
        return redirect(reverse("participants_modeladmin_inspect", args=[pk]))
    return _download(request, [certificate], registration.offering_id)


# What the participant list and a participant's page show of them.


def offering_certificates_url(groups):
    """The bulk download's address when the groups listed are one offering's and it grants
    certificates; else ""."""
    offerings = {group.offering_id for group in groups}
    if len(offerings) != 1:
        return ""
    (offering_id,) = offerings
    if not certificates.grants_certificates(offering_id):
        return ""
    return reverse("participants_modeladmin_certificates", args=[offering_id])


def participant_certificate(registration):
    """{"pdf_url", "link"} when the participant has a certificate, else None."""
    if not certificates.has_certificate(registration):
        return None
    return {
        "pdf_url": reverse("participants_modeladmin_certificate", args=[registration.pk]),
        "link": certificates.certificate_link(registration),
    }
