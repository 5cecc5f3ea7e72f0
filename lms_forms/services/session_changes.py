"""Telling those who hold a place when a session of their group moves or is cancelled.

An editor changes sessions by publishing the offering: Wagtail then saves the sessions it keeps and
deletes those it no longer has. `session_saving` and `session_deleting` (connected in lms_forms.signals)
see each one before it changes, and when a session yet to come changed its time or place, or was taken
away, queue the notice for after the publication is committed:

    session_saving(session)      # before a session is saved: has its time or place changed?
    session_deleting(session)    # before a session is deleted: it is cancelled

Only the original offering's groups hold places, so a translation's sessions tell nobody. Deleting the
whole offering deletes its registrations too and sends nothing.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_tasks import task

from lms_pages.formats import local_format
from lms_pages.ics import session_location
from lms_pages.models import GroupSession

from ..languages import in_language
from ..models import Registration, RegistrationFormPage
from .reminders import REMINDED, cancel_link
from .session_texts import SessionTexts

logger = logging.getLogger(__name__)

CHANGED = "changed"
CANCELLED = "cancelled"
# What a participant needs to know again when it changes; a new topic is not worth an email.
TOLD_FIELDS = ("start", "end", "venue_id", "place_note")


def session_saving(session, *, now=None):
    if session.pk is None:
        return
    before = (
        GroupSession.objects.select_related("venue", "group__venue", "group__offering__venue")
        .filter(pk=session.pk)
        .first()
    )
    if before is None or all(getattr(before, name) == getattr(session, name) for name in TOLD_FIELDS):
        return
    now = now or timezone.now()
    if before.start <= now and session.start <= now:
        return
    _queue(CHANGED, before, session.pk)


def session_deleting(session, *, now=None):
    now = now or timezone.now()
    if session.start <= now:
        return
    before = (
        GroupSession.objects.select_related("venue", "group__venue", "group__offering__venue")
        .filter(pk=session.pk)
        .first()
    )
    if before is not None:
        _queue(CANCELLED, before, None)


def _holders(group_id):
    return list(
        Registration.objects.filter(
            group_id=group_id, status__in=REMINDED, companion_of__isnull=True, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _queue(kind, before, session_id):
    recipients = _holders(before.group_id)
    if not recipients:
        return
    old = {
        "start": before.start.isoformat(),
        "end": before.end.isoformat() if before.end else "",
        "location": session_location(before.group.offering, before.group, before),
        "group_id": before.group_id,
    }
    transaction.on_commit(
        lambda: send_session_notices.enqueue(kind, session_id, old, recipients), robust=True
    )


@task()
def send_session_notices(kind, session_id, old, registration_ids):
    """Tell each registration in `registration_ids` that still holds a place in the group."""
    session = None
    if session_id is not None:
        session = (
            GroupSession.objects.select_related("group__offering", "group__venue", "venue")
            .filter(pk=session_id)
            .first()
        )
        if session is None:
            return  # deleted since: its cancellation notice tells them
    registrations = list(
        Registration.objects.filter(pk__in=registration_ids, group_id=old["group_id"], status__in=REMINDED)
        .select_related("offering")
        .only("pk", "reference", "name", "email", "language", "page_id", "offering__title", "group_name")
    )
    forms = RegistrationFormPage.objects.in_bulk({r.page_id for r in registrations})
    texts = SessionTexts()
    failures = 0
    for registration in registrations:
        registration.form_page = forms[registration.page_id]
        try:
            _send_notice(kind, registration, old, session, texts)
        except Exception:  # noqa: BLE001 - the others are still told
            logger.exception(
                "Registration %s: the notice of a %s session was not sent", registration.pk, kind
            )
            failures += 1
    if failures:
        logger.warning("%d of %d session notices were not sent", failures, len(registrations))


def _old_when(old):
    start = local_format(parse_datetime(old["start"]), "weekday_datetime")
    if not old["end"]:
        return start
    return _("%(start)s–%(end)s") % {"start": start, "end": local_format(parse_datetime(old["end"]), "time")}


def _send_notice(kind, registration, old, session, texts):
    page = registration.form_page
    offering = texts.offering_of(page)
    with in_language(registration.language):
        title = offering.title if offering is not None else registration.offering.title
        was = _old_when(old) + (f", {old['location']}" if old["location"] else "")
        if kind == CHANGED:
            shown = texts.of(page, session)
            subject = _("A session has changed: %(offering)s") % {"offering": title}
            now_text = shown.when() + (f", {shown.location}" if shown.location else "")
            body = _(
                "Hello %(name)s,\n\n"
                "A session of %(offering)s (%(group)s) has changed.\n\n"
                "Before: %(was)s\n"
                "Now: %(now)s\n\n"
                "The changed session is attached as a calendar file.\n\n"
                "If you can no longer come, please cancel, so that someone on the waiting list can have "
                "your place:\n%(cancel_link)s\n"
            ) % {
                "name": registration.name,
                "offering": title,
                "group": shown.group_name,
                "was": was,
                "now": now_text,
                "cancel_link": cancel_link(registration),
            }
        else:
            subject = _("A session is cancelled: %(offering)s") % {"offering": title}
            body = _(
                "Hello %(name)s,\n\n"
                "The session of %(offering)s (%(group)s) on %(was)s is cancelled.\n\n"
                "You keep your place in the group's other sessions. The offering's page shows them:\n"
                "%(url)s\n"
            ) % {
                "name": registration.name,
                "offering": title,
                "group": registration.group_name,
                "was": was,
                "url": offering.get_full_url() if offering is not None else page.get_full_url(),
            }
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=page.from_address or settings.DEFAULT_FROM_EMAIL,
            to=[registration.email],
        )
        if kind == CHANGED:
            message.attach(
                _("session.ics"), shown.calendar(session), "text/calendar; charset=utf-8; method=PUBLISH"
            )
        message.send()
