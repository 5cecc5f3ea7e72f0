"""The registration form page's public routes: the form (Wagtail's form flow, with a rate limit and the
server's refusals around it), the confirmation, cancellation, and the answer to an offered place."""

from django.conf import settings
from django.db import OperationalError
from django_ratelimit.core import is_ratelimited
from wagtail.contrib.forms.models import FormMixin

from lms_pages.models import RegistrationState

from .choices import ENDED, RegistrationStatus
from .models import Registration
from .services.registration import refusal_message
from .services.waiting_list import OfferNotOpen, accept_offer, cancel, decline_offer
from .tokens import CANCEL_SALT, CONFIRMATION_SALT, OFFER_SALT, make_token

ACCEPTING = (RegistrationState.OPEN, RegistrationState.WAITING_LIST)
FORM_TEMPLATE = "lms_forms/registration_form_page.html"


def serve_form(page, request):
    offering = page.registration_offering(request)
    state = offering.registration_state() if offering else None
    if request.method != "POST":
        form = page.get_form(page=page, user=request.user) if state in ACCEPTING else None
        return page.render(request, FORM_TEMPLATE, form=form)
    if is_ratelimited(
        request,
        group="lms_forms.register",
        key="ip",
        rate=getattr(settings, "LMS_FORMS_RATE_LIMIT", "10/m"),
        increment=True,
    ):
        return page.render(request, FORM_TEMPLATE, status=429, refusal="rate_limited")
    if state not in ACCEPTING:
        return page.render(request, FORM_TEMPLATE, status=409, refusal=refusal_message(state))
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
        cancel_path=page.url
        + page.reverse_subpage("cancel", kwargs={"token": make_token(registration, CANCEL_SALT)}),
    )


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
