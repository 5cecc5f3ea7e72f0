"""Telling people when registration opens: ask (double opt-in), confirm, unsubscribe, and the run that
sends each confirmed notice once and then deletes it.

    subscribe(page, email)           # queues the confirmation email; tells nobody whether it existed
    confirm(notice) / unsubscribe(notice)
    send_opening_notices()           # what the task and `manage.py send_opening_notices` do

A notice holds an email address and nothing else, and is kept no longer than it serves: unconfirmed for
at most `UNCONFIRMED_DAYS`, confirmed until its email is sent (or until the registration it waits for
will not open). Confirming queues a run for the moment registration opens, on a backend that can run
tasks later; on one that cannot, run the command every few minutes (e.g. from cron), as with
`expire_offers`. Several workers may run at once: each notice is claimed by one before it is sent.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from lms_pages.formats import local_format
from lms_pages.models import RegistrationState

from ..languages import in_language
from ..models import OpeningNotice, RegistrationFormPage
from ..models.opening_notice import UNCONFIRMED_DAYS
from ..tokens import NOTICE_CONFIRM_SALT, NOTICE_UNSUBSCRIBE_SALT, make_token

logger = logging.getLogger(__name__)

# The registration states in which the form takes registrations: the notices are sent.
OPEN = (RegistrationState.OPEN, RegistrationState.WAITING_LIST)
# The states in which a notice is offered: registration on this site is still to open.
NOT_OPEN_YET = (RegistrationState.NOT_YET_OPEN, RegistrationState.PLANNED)
# The states in which it will not open (again): the notices waiting for it are deleted unsent.
WILL_NOT_OPEN = (
    RegistrationState.CLOSED,
    RegistrationState.CANCELLED,
    RegistrationState.RECRUITED,
    RegistrationState.NOT_REQUIRED,
)
# A notice claimed this long ago by a worker that never finished is deleted rather than sent again:
# its email may have gone out, and nobody is to get two.
CLAIM_TIMEOUT = datetime.timedelta(hours=1)


def offers_notice(offering, state):
    """Whether a visitor may ask to be told when registration opens: on this site, and not open yet."""
    return offering is not None and offering.registers_on_site and state in NOT_OPEN_YET


# Asking, confirming, unsubscribing.


def subscribe(page, email, *, language="", now=None):
    """Ask for a notice for `email` (already validated and normalised) and queue the email that asks
    its owner to confirm. An address already confirmed is left as it is and gets no email; one waiting
    for confirmation gets the confirmation again, and a new week to confirm. The caller tells every
    visitor the same, so nobody learns whether an address was there."""
    now = now or timezone.now()
    with transaction.atomic():
        notice, created = OpeningNotice.objects.get_or_create(
            page=page, email=email, defaults={"language": language, "created_at": now}
        )
        if notice.is_confirmed:
            return
        if not created:
            OpeningNotice.objects.filter(pk=notice.pk).update(language=language, created_at=now)
            notice.language = language  # the links go to the form in the language asked in now
        links = notice_links(page, notice)
        transaction.on_commit(
            lambda: send_notice_confirmation.enqueue(notice.pk, links["confirm"], links["unsubscribe"]),
            robust=True,
        )


def confirm(notice, *, now=None):
    """Confirm the address (the link in the confirmation email was followed) and queue the run for the
    moment registration opens. Confirming twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        confirmed = OpeningNotice.objects.filter(pk=notice.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
        if confirmed:
            offering = notice.page.registration_offering()
            if offering is not None:
                transaction.on_commit(lambda: schedule_run(offering, now), robust=True)
    return bool(confirmed)


def unsubscribe(notice):
    """Delete the notice: no email will be sent."""
    OpeningNotice.objects.filter(pk=notice.pk).delete()


def schedule_run(offering, now=None):
    """Queue the run that sends the offering's notices: at once when registration is open already,
    otherwise for when it opens, on a backend that can run tasks later. Returns whether one was queued."""
    now = now or timezone.now()
    if offering.registration_state(now) in OPEN:
        send_due_opening_notices.enqueue()
        return True
    opens = offering.registration_opens
    if opens and opens > now and send_due_opening_notices.get_backend().supports_defer:
        send_due_opening_notices.using(run_after=opens).enqueue()
        return True
    return False


# The links, to the form page in the language the visitor asked in.


def notice_links(page, notice):
    base = page.get_full_url()
    return {
        "confirm": base
        + page.reverse_subpage(
            "opening_notice_confirm", kwargs={"token": make_token(notice, NOTICE_CONFIRM_SALT)}
        ),
        "unsubscribe": base
        + page.reverse_subpage(
            "opening_notice_unsubscribe", kwargs={"token": make_token(notice, NOTICE_UNSUBSCRIBE_SALT)}
        ),
    }


# The run: expire the unconfirmed, send what is due, once, and delete it.


def send_opening_notices(*, now=None):
    """Delete unconfirmed notices older than `UNCONFIRMED_DAYS`; send each confirmed notice whose form
    now takes registrations, once, and delete it; delete those whose registration will not open.
    Returns {"sent": n, "expired": n, "dropped": n}."""
    now = now or timezone.now()
    result = {"sent": 0, "expired": 0, "dropped": 0}
    result["expired"] = OpeningNotice.objects.filter(
        confirmed_at__isnull=True, created_at__lt=OpeningNotice.unconfirmed_before(now)
    ).delete()[0]
    result["dropped"] = OpeningNotice.objects.filter(sending_since__lt=now - CLAIM_TIMEOUT).delete()[0]
    waiting = OpeningNotice.objects.filter(confirmed_at__isnull=False, sending_since__isnull=True)
    page_ids = set(waiting.values_list("page_id", flat=True))
    for page in RegistrationFormPage.objects.filter(pk__in=page_ids):
        offering = page.registration_offering()
        state = offering.registration_state(now) if offering is not None else None
        if offering is None or not offering.registers_on_site or state in WILL_NOT_OPEN:
            result["dropped"] += waiting.filter(page=page).delete()[0]
        elif state in OPEN and page.live:
            result["sent"] += _send_for_page(page, waiting.filter(page=page), now)
    return result


def _send_for_page(page, notices, now):
    sent = 0
    for notice in notices:
        # Claimed first, so a second worker passes it by; deleted once sent, so it is sent only once.
        if not OpeningNotice.objects.filter(pk=notice.pk, sending_since__isnull=True).update(
            sending_since=now
        ):
            continue
        try:
            _send_opening_email(notice, page)
        except Exception:  # noqa: BLE001 - released, and tried again on the next run
            logger.exception("Opening notice %s was not sent", notice.pk)
            OpeningNotice.objects.filter(pk=notice.pk).update(sending_since=None)
            continue
        OpeningNotice.objects.filter(pk=notice.pk).delete()
        sent += 1
    return sent


@task()
def send_due_opening_notices():
    """Queued for the moment a registration opens (see `schedule_run`)."""
    result = send_opening_notices()
    logger.info("Opening notices: %(sent)d sent, %(expired)d expired, %(dropped)d dropped", result)


# The emails.


def _send(notice, page, subject, body):
    EmailMessage(
        subject=subject,
        body=body,
        from_email=page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[notice.email],
    ).send()


def _offering_title(page):
    offering = page.offering_page
    return offering.title if offering is not None else page.title


@task()
def send_notice_confirmation(notice_id, confirm_link, unsubscribe_link):
    """Ask the owner of the address to confirm it; nothing is sent before they do."""
    notice = OpeningNotice.objects.select_related("page").filter(pk=notice_id).first()
    if notice is None or notice.is_confirmed:
        return
    page = notice.page
    with in_language(notice.language):
        offering = _offering_title(page)
        subject = _("Confirm your email: %(offering)s") % {"offering": offering}
        body = _(
            "Hello,\n\n"
            "Someone, we hope you, asked to be told by email when registration opens for %(offering)s.\n\n"
            "Confirm that you want this email by opening this link:\n"
            "%(confirm_link)s\n\n"
            "If you did not ask for it, do nothing: the address is deleted within %(days)d days.\n\n"
            "Changed your mind after confirming? Until the email is sent, this link stops it:\n"
            "%(unsubscribe_link)s\n"
        ) % {
            "offering": offering,
            "confirm_link": confirm_link,
            "unsubscribe_link": unsubscribe_link,
            "days": UNCONFIRMED_DAYS,
        }
        _send(notice, page, subject, body)


def _send_opening_email(notice, page):
    with in_language(notice.language):
        offering = page.registration_offering()
        title = _offering_title(page)
        subject = _("Registration is open: %(offering)s") % {"offering": title}
        closes = (
            _("Registration closes %(closes)s.")
            % {"closes": local_format(offering.registration_closes, "datetime")}
            + "\n\n"
            if offering.registration_closes
            else ""
        )
        body = _(
            "Hello,\n\n"
            "Registration for %(offering)s is now open. You can register here:\n"
            "%(link)s\n\n"
            "%(closes)s"
            "You asked us to tell you when registration opened. This is the only email about it: your "
            "address has now been deleted.\n"
        ) % {"offering": title, "link": page.get_full_url(), "closes": closes}
        _send(notice, page, subject, body)
