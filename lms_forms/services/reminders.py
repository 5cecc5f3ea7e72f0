"""Reminders before each session, to everyone holding a place, once per person, session and channel.

    send_reminders()        # what the task and `manage.py send_reminders` do; run it every few minutes

The form says when (`reminder_days`, e.g. "7, 1": seven days and one day before, at the session's time of
day in Norway, so a reminder across a change to or from summer time still comes at the same hour on the
clock). Each run sends, for each upcoming session and each participant, the latest of the form's
reminders whose moment has come, unless it went out already:
- a run that comes late (a stopped worker) sends the one-day reminder only, never a stale seven-day one;
- a reminder whose moment came before the person registered is not sent: their confirmation told them;
- nothing goes to someone who cancelled, is waiting or is offered a place not yet accepted, to a
  companion (their registrant's reminder names them), or about an offering that is cancelled or postponed.

Exactly once, with several workers: a run claims the due reminders by inserting `Reminder` rows that a
unique constraint lets only one run insert, and sends them through lms_forms.services.once.

Channels: email always (with the session as a calendar file); a text message as well when the form asks
for it, the participant gave a phone number, and the site has an SMS backend (lms_forms.sms).
"""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from lms_pages.models import GroupSession, Status

from .. import sms
from ..choices import RegistrationStatus
from ..languages import in_language
from ..models import Registration, RegistrationFormPage, Reminder, ReminderChannel
from ..tokens import CANCEL_SALT, make_token
from ..validators import REMINDER_MAX_DAYS, parse_reminder_days
from . import once
from .session_texts import SessionTexts

logger = logging.getLogger(__name__)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# Those who are reminded: they hold a place they have accepted.
REMINDED = (RegistrationStatus.PLACE, RegistrationStatus.ATTENDED)
NOT_GOING_AHEAD = (Status.CANCELLED, Status.POSTPONED)


def reminder_moment(start, days):
    """`days` days before `start`, at the same time of day on the clock in Norway."""
    local = start.astimezone(OSLO)
    # Arithmetic on an aware datetime keeps the wall clock and finds the offset of the new day.
    return (local - datetime.timedelta(days=days)).astimezone(datetime.UTC)


def due_reminder(start, schedule, now, registered_at):
    """The reminder of `schedule` (days before, largest first) due at `now` for a session starting at
    `start`: the latest whose moment has come, or None (the session has begun, none is due yet, or the
    due one's moment came before the person registered)."""
    if now >= start:
        return None
    due = None
    for days in schedule:
        if reminder_moment(start, days) <= now:
            due = days
    if due is None or reminder_moment(start, due) < registered_at:
        return None
    return due


def send_reminders(*, now=None):
    """Claim and send every reminder due at `now`. Returns {"sent": n, "failed": n}."""
    now = now or timezone.now()
    claim = once.new_claim()
    _claim_due(claim, now)
    once.take_over_stale(Reminder, claim, now, session__start__gt=now)
    return _send_claimed(claim, now)


@task()
def send_due_reminders():
    """The scheduled run (see `manage.py send_reminders`)."""
    result = send_reminders()
    logger.info("Reminders: %(sent)d sent, %(failed)d failed", result)


# Claiming.


def _candidates(now, horizon):
    """(registration, session, form's schedule, form asks for SMS, phone, registered at) for every
    registrant holding a place and every session of their group within the longest reminder's reach."""
    return (
        Registration.objects.filter(
            status__in=REMINDED,
            companion_of__isnull=True,
            anonymised_at__isnull=True,
            group__sessions__start__gt=now,
            group__sessions__start__lte=horizon,
        )
        .exclude(offering__status__in=NOT_GOING_AHEAD)
        .exclude(page__registrationformpage__reminder_days="")
        .values_list(
            "pk",
            "group__sessions__pk",
            "group__sessions__start",
            "page__registrationformpage__reminder_days",
            "page__registrationformpage__reminder_sms",
            "phone",
            "submit_time",
        )
    )


def _claim_due(claim, now):
    horizon = now + datetime.timedelta(days=REMINDER_MAX_DAYS + 1)
    recorded = set(
        Reminder.objects.filter(session__start__gt=now, session__start__lte=horizon).values_list(
            "registration_id", "session_id", "days_before", "channel"
        )
    )
    schedules = {}
    due = []
    channels = [ReminderChannel.EMAIL, ReminderChannel.SMS] if sms.sms_enabled() else [ReminderChannel.EMAIL]
    for registration_id, session_id, start, days, asks_sms, phone, registered_at in _candidates(now, horizon):
        if days not in schedules:
            schedules[days] = parse_reminder_days(days)
        stage = due_reminder(start, schedules[days], now, registered_at)
        if stage is None:
            continue
        for channel in channels:
            if channel == ReminderChannel.SMS and not (asks_sms and phone):
                continue
            if (registration_id, session_id, stage, channel) not in recorded:
                due.append((registration_id, session_id, stage, channel))
    once.claim_rows(
        Reminder,
        [
            Reminder(
                registration_id=registration_id,
                session_id=session_id,
                days_before=stage,
                channel=channel,
                claim=claim,
                claimed_at=now,
            )
            for registration_id, session_id, stage, channel in due
        ],
    )


# Sending.


def _send_claimed(claim, now):
    claimed = once.claimed(Reminder, claim)
    if not claimed:
        return {"sent": 0, "failed": 0}
    registrations = _registrations({reminder.registration_id for reminder in claimed})
    sessions = GroupSession.objects.select_related("group__offering", "group__venue", "venue").in_bulk(
        {reminder.session_id for reminder in claimed}
    )
    texts = SessionTexts()
    connection = get_connection()
    sms_backend = sms.get_backend() if any(r.channel == ReminderChannel.SMS for r in claimed) else None

    def send(reminder):
        registration = registrations[reminder.registration_id]
        session = sessions[reminder.session_id]
        shown = texts.of(registration.form_page, session)
        if reminder.channel == ReminderChannel.SMS:
            _send_sms(sms_backend, registration, shown)
        else:
            _send_email(connection, registration, shown, session)

    # Only while the person still holds a place: they may have cancelled since the claim.
    return once.send_claimed(Reminder, claimed, send, still_due=Q(registration__status__in=REMINDED))


def _registrations(ids):
    companions = {
        companion.companion_of_id: companion.name
        for companion in Registration.objects.filter(companion_of__in=ids)
        .exclude(status=RegistrationStatus.CANCELLED)
        .only("companion_of_id", "name")
    }
    registrations = (
        Registration.objects.filter(pk__in=ids)
        .select_related("page")
        .only("pk", "reference", "name", "email", "phone", "language", "page")
        .in_bulk()
    )
    forms = RegistrationFormPage.objects.in_bulk({r.page_id for r in registrations.values()})
    for registration in registrations.values():
        registration.companion_name = companions.get(registration.pk, "")
        registration.form_page = forms[registration.page_id]
    return registrations


def cancel_link(registration):
    page = registration.form_page
    token = make_token(registration, CANCEL_SALT)
    return page.get_full_url() + page.reverse_subpage("cancel", kwargs={"token": token})


def _send_email(connection, registration, shown, original_session):
    page = registration.form_page
    with in_language(registration.language):
        subject = _("Reminder: %(offering)s, %(when)s") % {
            "offering": shown.offering_title,
            "when": shown.when(),
        }
        message = EmailMessage(
            subject=subject,
            body=reminder_body(registration, shown, page.reminder_text),
            from_email=page.from_address or settings.DEFAULT_FROM_EMAIL,
            to=[registration.email],
            connection=connection,
        )
        message.attach(
            _("session.ics"), shown.calendar(original_session), "text/calendar; charset=utf-8; method=PUBLISH"
        )
        message.send()


def reminder_body(registration, shown, reminder_text):
    """The reminder's text, in the active language."""
    lines = [
        _("Hello %(name)s,") % {"name": registration.name},
        "",
        _("A reminder of the next session of %(offering)s (%(group)s):")
        % {"offering": shown.offering_title, "group": shown.group_name},
        "",
        _("When: %(when)s") % {"when": shown.when()},
    ]
    if shown.location:
        lines.append(_("Where: %(where)s") % {"where": shown.location})
    if shown.session.topic:
        lines.append(_("Topic: %(topic)s") % {"topic": shown.session.topic})
    if registration.companion_name:
        lines.append(
            _("You and %(companion)s have a place each.") % {"companion": registration.companion_name}
        )
    if shown.is_digital and shown.offering.joining_instructions:
        lines += ["", _("How to join:"), shown.offering.joining_instructions]
    if reminder_text:
        lines += ["", reminder_text]
    lines += [
        "",
        _("The session is attached as a calendar file."),
        "",
        _("If you cannot come, please cancel, so that someone on the waiting list can have your place:"),
        cancel_link(registration),
        "",
    ]
    return "\n".join(lines)


def _send_sms(backend, registration, shown):
    # A text message is read on a locked screen: time and place, never the offering's name (health).
    with in_language(registration.language):
        text = _(
            "Reminder: you have a place at a session %(when)s, %(where)s. Details are in your email."
        ) % {
            "when": shown.when(),
            "where": shown.location or "-",
        }
    backend.send_messages([sms.SmsMessage(to=registration.phone, text=text)])
