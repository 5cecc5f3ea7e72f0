"""Emails, sent by django-tasks after the registration has been committed.

A task sends the emails of one event: a new registration's confirmation and organiser notice together
(the registration is read once for both), a freed place on its own. A failure in one email (a refused
address, a mail server that is down) neither stops the other nor touches the registration, which is
already stored; the task then fails with the first error, so the worker records it.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from lms_pages.formats import local_format
from lms_pages.models import GroupSession

from .models import Registration, RegistrationStatus

logger = logging.getLogger(__name__)

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
    """The registration with its form page (as a registration form), offering and group's next session
    (`first_session`, None without one), in one query."""
    upcoming = GroupSession.objects.filter(group=OuterRef("group"), start__gte=timezone.now()).order_by(
        "start"
    )
    registration = (
        Registration.objects.select_related("page__registrationformpage", "offering")
        .only(*EMAIL_COLUMNS)
        .annotate(first_session=Subquery(upcoming.values("start")[:1]))
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
    if registration.first_session is None:
        return "-"
    return local_format(registration.first_session, "weekday_datetime")


def _send(registration, subject, body):
    EmailMessage(
        subject=subject,
        body=body,
        from_email=registration.form_page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[registration.email],
    ).send()


@task()
def send_registration_emails(registration_id, cancel_link, admin_link):
    """A new registration's confirmation to the registrant and notice to the organiser."""
    registration = _registration(registration_id)
    sends = {
        "confirmation": lambda: _send_confirmation(registration, cancel_link),
        "organiser notice": lambda: _notify_organiser(registration, admin_link),
    }
    failures = []
    for email, send in sends.items():
        try:
            send()
        except Exception as error:  # noqa: BLE001 - the other email is still sent; raised below
            logger.exception("Registration %s: the %s was not sent", registration_id, email)
            failures.append(error)
    if failures:
        raise failures[0]


def _send_confirmation(registration, cancel_link):
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


def _notify_organiser(registration, admin_link):
    """Tells the organiser that someone registered: no name, no answers, only where to look."""
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


# The daily purge: each run schedules the next, at PURGE_HOUR Norwegian time, on a backend that can
# run tasks later (the database queue in production); `manage.py purge_participant_data --schedule`
# starts it once.
PURGE_HOUR = 3


def next_purge_time(now=None):
    """The next PURGE_HOUR o'clock in Norwegian time after `now`, as an aware datetime."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=PURGE_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run = timezone.make_aware(
            datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(PURGE_HOUR))
        )
    return run


def schedule_purge(now=None):
    """Queue the next daily purge; returns its time, or None when the backend cannot run tasks later."""
    if not purge_personal_data_daily.get_backend().supports_defer:
        return None
    run_after = next_purge_time(now)
    purge_personal_data_daily.using(run_after=run_after).enqueue()
    return run_after


@task()
def purge_personal_data_daily():
    """Anonymise what is past its retention, then queue tomorrow's run."""
    from .retention import purge_personal_data

    try:
        counts = purge_personal_data()
        logger.info("Personal data deleted past retention: %d registrations", sum(counts.values()))
    finally:
        schedule_purge()
