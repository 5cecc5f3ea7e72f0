"""The registration form's routes: the form, the confirmation after sending it, and cancellation."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django_ratelimit.core import is_ratelimited

from lms_pages.models import RegistrationState

from .models import RegistrationStatus
from .registration import (
    CANCEL_SALT,
    CONFIRMATION_SALT,
    RegistrationRefused,
    cancel,
    make_token,
    queue_confirmation,
    queue_place_offered,
    refusal_message,
    register,
    registration_for_token,
)

ACCEPTING = (RegistrationState.OPEN, RegistrationState.WAITING_LIST)


def _render(page, request, template, status=200, **context):
    full_context = page.get_context(request)
    full_context.update(context)
    return TemplateResponse(request, template, full_context, status=status)


def serve_form(page, request):
    offering = page.registration_offering(request)
    state = offering.registration_state() if offering else None
    template = "lms_forms/registration_form_page.html"
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="lms_forms.register",
            key="ip",
            rate=getattr(settings, "LMS_FORMS_RATE_LIMIT", "10/m"),
            increment=True,
        ):
            return _render(page, request, template, status=429, refusal="rate_limited")
        if state not in ACCEPTING:
            return _render(page, request, template, status=409, refusal=refusal_message(state))
        form = page.get_form(request.POST, page=page, user=request.user)
        if not form.is_valid():
            return _render(page, request, template, status=400 if form.is_spam() else 200, form=form)
        try:
            registration = register(page, form)
        except RegistrationRefused as refused:
            form.add_error(refused.field, refused.message)
            return _render(page, request, template, status=409, form=form)
        queue_confirmation(page, registration, request)
        token = make_token(registration, CONFIRMATION_SALT)
        return HttpResponseRedirect(page.url + page.reverse_subpage("confirmation", kwargs={"token": token}))
    form = page.get_form(page=page, user=request.user) if state in ACCEPTING else None
    return _render(page, request, template, form=form)


def serve_confirmation(page, request, token):
    registration = registration_for_token(token, CONFIRMATION_SALT)
    if registration is None or registration.page_id != page.pk:
        return _render(page, request, "lms_forms/link_invalid.html", status=404)
    return _render(
        page,
        request,
        "lms_forms/confirmation.html",
        registration=registration,
        waiting_position=registration.waiting_position(),
        cancel_token=make_token(registration, CANCEL_SALT),
    )


def serve_cancellation(page, request, token):
    registration = registration_for_token(token, CANCEL_SALT)
    if registration is None or registration.page_id != page.pk:
        return _render(page, request, "lms_forms/link_invalid.html", status=404)
    template = "lms_forms/cancel.html"
    if registration.status == RegistrationStatus.CANCELLED:
        return _render(page, request, template, registration=registration, done=True)
    if request.method == "POST":
        offered = cancel(registration)
        if offered is not None:
            queue_place_offered(page, offered, request)
        registration.refresh_from_db()
        return _render(page, request, template, registration=registration, done=True)
    return _render(page, request, template, registration=registration, done=False)
