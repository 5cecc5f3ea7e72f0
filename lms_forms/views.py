"""The registration form page's public routes: the form (Wagtail's form flow, with a rate limit and the
server's refusals around it), the confirmation, cancellation, the answer to an offered place, and the
notice of when registration opens (ask, confirm, unsubscribe); and the evaluation form page's."""

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django_ratelimit.core import is_ratelimited
from wagtail.contrib.forms.models import FormMixin

from lms_pages.models import RegistrationState

from .choices import ENDED, RegistrationStatus
from .forms import OpeningNoticeForm
from .models import EvaluationInvitation, OpeningNotice, Registration
from .pdf import pdf_response
from .services import certificates, evaluations, opening_notices
from .services.registration import NOT_ON_SITE_MESSAGE, refusal_message
from .services.waiting_list import OfferNotOpen, accept_offer, cancel, decline_offer
from .tokens import (
    CANCEL_SALT,
    CERTIFICATE_SALT,
    CONFIRMATION_SALT,
    EVALUATION_SALT,
    NOTICE_CONFIRM_SALT,
    NOTICE_UNSUBSCRIBE_SALT,
    OFFER_SALT,
    make_token,
    reference_from_token,
)

ACCEPTING = (RegistrationState.OPEN, RegistrationState.WAITING_LIST)
FORM_TEMPLATE = "lms_forms/registration_form_page.html"
NOTICE_TEMPLATE = "lms_forms/opening_notice.html"


def takes_registrations(offering, state):
    """Whether the form takes registrations now: open (or a waiting list), and the offering's method is
    this site's form (not a referral, email, phone or a coordinator)."""
    return offering is not None and offering.registers_on_site and state in ACCEPTING


def serve_form(page, request):
    offering = page.registration_offering(request)
    state = offering.registration_state() if offering else None
    if request.method != "POST":
        if takes_registrations(offering, state):
            return page.render(request, FORM_TEMPLATE, form=page.get_form(page=page, user=request.user))
        return page.render(
            request, FORM_TEMPLATE, form=None, **_opening_notice_context(page, request, offering, state)
        )
    if _rate_limited(request, "lms_forms.register"):
        return page.render(request, FORM_TEMPLATE, status=429, refusal="rate_limited")
    if not takes_registrations(offering, state):
        message = refusal_message(state) if state not in ACCEPTING else NOT_ON_SITE_MESSAGE
        return page.render(request, FORM_TEMPLATE, status=409, refusal=message)
    try:
        # Wagtail's form flow: get_form, process_form_submission (the registration service) and
        # render_landing_page (the redirect to the confirmation).
        response = FormMixin.serve(page, request)
    except OperationalError:
        # Another writer (a large import, say) held the places longer than a registration waits; the
        # transaction was rolled back, so nothing was stored.
        form = page.get_form(request.POST, page=page, user=request.user)
        form.is_valid()  # the answers are shown again, to be sent once more
        return page.render(request, FORM_TEMPLATE, status=503, refusal="busy", form=form)
    form = getattr(response, "context_data", {}).get("form") if response.status_code == 200 else None
    if form is not None and form.is_spam():
        response.status_code = 400
    return response


def _rate_limited(request, group):
    return is_ratelimited(
        request, group=group, key="ip", rate=getattr(settings, "LMS_FORMS_RATE_LIMIT", "10/m"), increment=True
    )


def _registration(page, token, salt):
    registration = Registration.from_token(token, salt)
    return registration if registration is not None and registration.page_id == page.pk else None


def _link_invalid(page, request):
    return page.render(request, "lms_forms/link_invalid.html", status=404)


def serve_confirmation(page, request, token):
    registration = _registration(page, token, CONFIRMATION_SALT)
    if registration is None:
        return _link_invalid(page, request)
    return page.render(
        request,
        "lms_forms/confirmation.html",
        registration=registration,
        companion=_companion(registration),
        waiting_position=registration.waiting_position(),
        cancel_path=page.get_url(request)
        + page.reverse_subpage("cancel", kwargs={"token": make_token(registration, CANCEL_SALT)}),
        calendar_url=_group_calendar_url(page, request, registration),
    )


def _group_calendar_url(page, request, registration):
    """The calendar file of the registrant's group, on the offering in the language of the form."""
    offering, group = page.offering_page, registration.group
    if offering is None or group is None or registration.status in ("cancelled", "expired"):
        return ""
    return offering.group_calendar_url(group, offering.get_url(request))


def _companion(registration):
    try:
        return registration.companion
    except Registration.DoesNotExist:
        return None


def serve_cancellation(page, request, token):
    registration = _registration(page, token, CANCEL_SALT)
    if registration is None:
        return _link_invalid(page, request)
    template = "lms_forms/cancel.html"
    if registration.status in ENDED:
        return page.render(request, template, registration=registration, done=True)
    if request.method == "POST":
        cancel(registration)
        registration.refresh_from_db()
        return page.render(request, template, registration=registration, done=True)
    return page.render(request, template, registration=registration, done=False)


def serve_offer(page, request, token):
    """A freed place offered by email: accept or decline it, before its deadline."""
    registration = _registration(page, token, OFFER_SALT)
    if registration is None:
        return _link_invalid(page, request)
    template = "lms_forms/offer.html"
    context = {"registration": registration}
    if request.method == "POST" and registration.status == RegistrationStatus.OFFERED:
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                accept_offer(registration)
            elif answer == "decline":
                decline_offer(registration)
            else:
                return page.render(request, template, status=400, **context)
        except OfferNotOpen as closed:
            context["refusal"] = closed.message
        registration.refresh_from_db()
        return page.render(request, template, status=409 if "refusal" in context else 200, **context)
    return page.render(request, template, **context)


# "Tell me when registration opens": the form sits on the form page while registration is yet to open.
# The offering page links to it rather than carry it, so that page sets no cookie and stays cacheable.


def _opening_notice_context(page, request, offering, state, form=None):
    if not opening_notices.offers_notice(offering, state):
        return {}
    return {
        "notice_form": form or OpeningNoticeForm(auto_id="notice_%s"),
        "notice_action": page.get_url(request) + page.reverse_subpage("opening_notice"),
    }


def serve_opening_notice(page, request):
    """POST an email address to be told when registration opens; every address hears the same."""
    if request.method != "POST":
        return HttpResponseRedirect(page.get_url(request))
    if _rate_limited(request, "lms_forms.opening_notice"):
        return page.render(request, FORM_TEMPLATE, status=429, refusal="notice_rate_limited")
    offering = page.registration_offering(request)
    state = offering.registration_state() if offering else None
    if not opening_notices.offers_notice(offering, state):
        # Registration opened (or was called off) since the page was read: the form page says what now.
        return HttpResponseRedirect(page.get_url(request))
    form = OpeningNoticeForm(request.POST, auto_id="notice_%s")
    if not form.is_valid():
        context = _opening_notice_context(page, request, offering, state, form=form)
        return page.render(request, FORM_TEMPLATE, status=400, form=None, **context)
    opening_notices.subscribe(page, form.cleaned_data["email"], language=get_language() or "")
    return HttpResponseRedirect(page.get_url(request) + page.reverse_subpage("opening_notice_sent"))


def serve_opening_notice_sent(page, request):
    return page.render(request, NOTICE_TEMPLATE, step="sent")


def _notice(page, token, salt):
    notice = OpeningNotice.from_token(token, salt)
    return notice if notice is not None and notice.page_id == page.pk else None


def serve_opening_notice_confirm(page, request, token):
    """The link in the confirmation email: a button to confirm (a mail scanner opening the link confirms
    nothing), then done."""
    notice = _notice(page, token, NOTICE_CONFIRM_SALT)
    if notice is None:
        if reference_from_token(token, NOTICE_CONFIRM_SALT) is None:
            return _link_invalid(page, request)
        # One of ours, but gone: expired unconfirmed, sent already, or unsubscribed.
        return page.render(request, NOTICE_TEMPLATE, status=410, step="gone")
    if notice.is_confirmed:
        return page.render(request, NOTICE_TEMPLATE, step="confirmed", notice=notice)
    if request.method == "POST":
        opening_notices.confirm(notice)
        return page.render(request, NOTICE_TEMPLATE, step="confirmed", notice=notice)
    return page.render(request, NOTICE_TEMPLATE, step="confirm", notice=notice)


def serve_opening_notice_unsubscribe(page, request, token):
    """Stop the notice before it is sent: a button, then done. A link whose notice is already gone says
    so plainly (only the owner of the address has the link)."""
    if reference_from_token(token, NOTICE_UNSUBSCRIBE_SALT) is None:
        return _link_invalid(page, request)
    notice = _notice(page, token, NOTICE_UNSUBSCRIBE_SALT)
    if notice is None:
        return page.render(request, NOTICE_TEMPLATE, step="unsubscribed")
    if request.method == "POST":
        opening_notices.unsubscribe(notice)
        return page.render(request, NOTICE_TEMPLATE, step="unsubscribed")
    return page.render(request, NOTICE_TEMPLATE, step="unsubscribe")


# The evaluation form page: reached through a participant's invitation, answered once.

EVALUATION_TEMPLATE = "lms_forms/evaluation_form_page.html"


def _evaluation_form(page, request, form, status=200, **context):
    questions = [(question, form[question.clean_name]) for question in page.get_form_fields()]
    return page.render(request, EVALUATION_TEMPLATE, status=status, form=form, questions=questions, **context)


def serve_evaluation_about(page, request):
    """Without an invitation: whom the evaluation is for, and how to get the link."""
    return page.render(request, EVALUATION_TEMPLATE, form=None, about=True)


def serve_evaluation_preview(page, request):
    return _evaluation_form(page, request, page.get_form(page=page, user=request.user), preview=True)


def serve_evaluation(page, request, token):
    invitation = EvaluationInvitation.from_token(token, EVALUATION_SALT)
    if invitation is None or invitation.page_id != page.pk:
        return _link_invalid(page, request)
    if invitation.used:
        return page.render(request, EVALUATION_TEMPLATE, form=None, answered=True)
    if request.method != "POST":
        return _evaluation_form(page, request, page.get_form(page=page, user=request.user))
    form = page.get_form(request.POST, page=page, user=request.user)
    if not form.is_valid():
        return _evaluation_form(page, request, form, status=400)
    invitation.page = page
    try:
        evaluations.answer(invitation, form.cleaned_data)
    except evaluations.AlreadyAnswered:
        return page.render(request, EVALUATION_TEMPLATE, form=None, answered=True)
    return page.render(request, EVALUATION_TEMPLATE, form=None, thanks=True)


# A participant's certificate of attendance, through the signed link they were given.


def serve_certificate(page, request, token):
    """The participant's certificate (PDF), in their language. A link that is not one of this form's
    certificate links, or a registration without a certificate (the form grants none, the rule was not
    met, the personal data were deleted), gets the "link invalid" page, which says nothing of whose."""
    registration = _registration(page, token, CERTIFICATE_SALT)
    certificate = certificates.certificate_of(registration) if registration is not None else None
    if certificate is None:
        return _link_invalid(page, request)
    response = pdf_response(certificates.render([certificate]), certificates.filename(certificate))
    # It carries a name, at an address without a login: no shared cache may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response
