"""Emails, sent by django-tasks after the registration has been committed.

Each email is its own task: a failure in one (a refused address, a mail server that is down) neither
stops the others nor touches the registration, which is already stored.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Registration, RegistrationStatus


def _registration(registration_id):
    return Registration.objects.select_related("page", "offering", "group").get(pk=registration_id)


def status_text(registration):
    if registration.status == RegistrationStatus.WAITING:
        return _("You are number %(position)d on the waiting list.") % {
            "position": registration.waiting_position()
        }
    if registration.status == RegistrationStatus.OFFERED:
        return _("A place has become free, and it is yours.")
    if registration.status == RegistrationStatus.PLACE:
        return _("You have a place.")
    return registration.get_status_display()


def first_session_text(registration):
    if registration.group is None:
        return "-"
    now = timezone.now()
    upcoming = [session for session in registration.group.sessions.all() if session.start >= now]
    if not upcoming:
        return "-"
    start = timezone.localtime(min(upcoming, key=lambda session: session.start).start)
    return date_format(start, "l j. F Y, H.i")


def _send(registration, subject, body):
    EmailMessage(
        subject=subject,
        body=body,
        from_email=registration.page.specific.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    ).send()


@task()
def send_confirmation(registration_id, cancel_link):
    registration = _registration(registration_id)
    page = registration.page.specific
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        body = page.confirmation_text.format(
            name=registration.name,
            offering=registration.offering.title,
            group=registration.group_name,
            status=status_text(registration),
            first_session=first_session_text(registration),
            cancel_link=cancel_link,
        )
        _send(registration, page.confirmation_subject, body)


@task()
def send_place_offered(registration_id, cancel_link):
    registration = _registration(registration_id)
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        subject = _("A place has become free: %(offering)s") % {"offering": registration.offering.title}
        body = _(
            "Hello %(name)s,\n\n"
            "A place has become free in %(offering)s (%(group)s), and it is yours.\n"
            "First session: %(first_session)s\n\n"
            "If you cannot come after all, please cancel so the next person can have the place:\n"
            "%(cancel_link)s\n"
        ) % {
            "name": registration.name,
            "offering": registration.offering.title,
            "group": registration.group_name,
            "first_session": first_session_text(registration),
            "cancel_link": cancel_link,
        }
        _send(registration, subject, body)


@task()
def notify_organiser(registration_id, admin_link):
    """Tells the organiser that someone registered: no name, no answers, only where to look."""
    registration = _registration(registration_id)
    page = registration.page.specific
    addresses = [address.strip() for address in page.to_address.split(",") if address.strip()]
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = page.subject or _("New registration: %(offering)s") % {
            "offering": registration.offering.title
        }
        body = _(
            "There is a new registration for %(offering)s (%(status)s).\n\n"
            "The registrations are in the admin, for those allowed to see them:\n%(link)s\n"
        ) % {
            "offering": registration.offering.title,
            "status": registration.get_status_display().lower(),
            "link": admin_link,
        }
    EmailMessage(
        subject=subject,
        body=body,
        from_email=page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=addresses,
    ).send()
