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

from lms_pages.models import GroupSession

from .models import Registration, RegistrationStatus

# What the emails use, so the task reads one narrow row instead of three whole pages.
EMAIL_COLUMNS = (
    "name",
    "email",
    "status",
    "language",
    "group_id",
    "group_name",
    "submit_time",
    "offering__title",
    *(
        f"page__registrationformpage__{name}"
        for name in ("confirmation_subject", "confirmation_text", "from_address", "to_address", "subject")
    ),
)


def _registration(registration_id):
    """The registration with its form page (as a registration form) and offering, in one query."""
    registration = (
        Registration.objects.select_related("page__registrationformpage", "offering")
        .only(*EMAIL_COLUMNS)
        .get(pk=registration_id)
    )
    registration.form_page = registration.page.registrationformpage
    return registration


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
    upcoming = (
        GroupSession.objects.filter(group_id=registration.group_id, start__gte=timezone.now())
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    if registration.group_id is None or upcoming is None:
        return "-"
    return date_format(timezone.localtime(upcoming), "l j. F Y, H.i")


def _send(registration, subject, body):
    EmailMessage(
        subject=subject,
        body=body,
        from_email=registration.form_page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    ).send()


@task()
def send_confirmation(registration_id, cancel_link):
    registration = _registration(registration_id)
    page = registration.form_page
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
    page = registration.form_page
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
