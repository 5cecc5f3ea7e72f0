"""Reminders before each session: when they are due (Norwegian time, summer time included), who gets
them, what they say, through which channel, and that each goes out once, even with two workers."""

import datetime
import threading
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from lms_forms import sms
from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration, Reminder, ReminderChannel
from lms_forms.services import once, reminders
from lms_forms.services.reminders import due_reminder, reminder_moment, send_reminders
from lms_forms.validators import parse_reminder_days
from lms_pages.models import Status
from tests.factories import add_group, add_session, oslo, translation_in
from tests.test_registration import make_offering

SESSION = oslo(2030, 1, 15, 18)  # make_offering's one session
REGISTERED = oslo(2030, 1, 1, 9)
BETWEEN_7_AND_1 = oslo(2030, 1, 12, 12)  # the seven-day reminder is due, the one-day one not yet
AFTER_1 = oslo(2030, 1, 14, 19)  # both are due: only the one-day one goes out


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def person(setup, name, email, *, status=RegistrationStatus.PLACE, registered=REGISTERED, **fields):
    registration = Registration.objects.create(
        page=fields.pop("page", setup.page),
        offering=setup.offering,
        group=setup.group,
        group_name=setup.group.name,
        name=name,
        email=email,
        status=status,
        form_data={},
        sensitive_answers={},
        field_labels={},
        language=fields.pop("language", "nb"),
        **fields,
    )
    Registration.objects.filter(pk=registration.pk).update(submit_time=registered)
    return registration


@pytest.fixture
def setup(catalogue):
    setup = make_offering(catalogue)
    setup.page.reminder_days = "7, 1"
    setup.page.reminder_text = "Ta med matpakke."
    setup.page.save()
    return setup


# When a reminder is due


def test_a_reminder_comes_at_the_sessions_time_of_day_across_summer_time():
    # Summer time begins on Sunday 31 March 2030: the reminder seven days before a Wednesday 10:00
    # session comes at 10:00 winter time, 167 hours before.
    start = oslo(2030, 4, 3, 10)
    assert reminder_moment(start, 7) == oslo(2030, 3, 27, 10)
    assert start - reminder_moment(start, 7) == datetime.timedelta(hours=167)
    # It ends on Sunday 27 October 2030: a week before a Tuesday 10:00 session is 169 hours before.
    start = oslo(2030, 10, 29, 10)
    assert reminder_moment(start, 7) == oslo(2030, 10, 22, 10)
    assert start - reminder_moment(start, 7) == datetime.timedelta(hours=169)
    # The day before a Sunday 10:00 session on the day the clocks go back is 25 hours before.
    start = oslo(2030, 10, 27, 10)
    assert start - reminder_moment(start, 1) == datetime.timedelta(hours=25)
    assert reminder_moment(start, 1).astimezone(reminders.OSLO).hour == 10


def test_the_latest_reminder_whose_moment_has_come_is_the_one_due():
    registered = oslo(2030, 1, 1)
    schedule = [7, 1]
    assert due_reminder(SESSION, schedule, oslo(2030, 1, 8, 17, 59), registered) is None
    assert due_reminder(SESSION, schedule, oslo(2030, 1, 8, 18), registered) == 7
    assert due_reminder(SESSION, schedule, oslo(2030, 1, 14, 17), registered) == 7
    assert due_reminder(SESSION, schedule, oslo(2030, 1, 14, 18), registered) == 1
    assert due_reminder(SESSION, schedule, SESSION, registered) is None  # begun
    # Registered after the one-day moment: the confirmation has just told them.
    assert due_reminder(SESSION, schedule, oslo(2030, 1, 15, 9), oslo(2030, 1, 15, 8)) is None
    # Registered between the two: the one-day reminder still comes.
    assert due_reminder(SESSION, schedule, oslo(2030, 1, 14, 18), oslo(2030, 1, 10)) == 1


def test_the_form_takes_days_separated_by_commas_and_refuses_anything_else():
    assert parse_reminder_days("1, 7,7 ; 3") == [7, 3, 1]
    assert parse_reminder_days("") == []
    for wrong in ("7, x", "0", "-1", "61", "1.5"):
        with pytest.raises(ValidationError) as error:
            parse_reminder_days(wrong)
        assert error.value.code == "reminder_days"


@pytest.mark.django_db
def test_the_form_page_refuses_bad_reminder_days_in_norwegian(setup):
    from django.utils import translation

    setup.page.reminder_days = "sju"
    with translation.override("nb"), pytest.raises(ValidationError) as error:
        setup.page.full_clean()
    assert "reminder_days" in error.value.message_dict
    assert "komma" in " ".join(error.value.message_dict["reminder_days"])


# Who gets one, and what it says


def test_everyone_holding_a_place_gets_one_reminder_and_nobody_else(setup):
    kari = person(setup, "Kari Nordmann", "kari@example.org")
    attended = person(setup, "Per Hansen", "per@example.org", status=RegistrationStatus.ATTENDED)
    person(setup, "Venter", "venter@example.org", status=RegistrationStatus.WAITING)
    person(setup, "Tilbudt", "tilbudt@example.org", status=RegistrationStatus.OFFERED)
    person(setup, "Avmeldt", "avmeldt@example.org", status=RegistrationStatus.CANCELLED)
    Registration.objects.create(
        page=setup.page,
        offering=setup.offering,
        group=setup.group,
        name="Ola Nordmann",
        email=kari.email,
        status=RegistrationStatus.PLACE,
        companion_of=kari,
        form_data={},
        sensitive_answers={},
        field_labels={},
    )

    assert send_reminders(now=BETWEEN_7_AND_1) == {"sent": 2, "failed": 0}

    assert sorted(message.to[0] for message in mail.outbox) == ["kari@example.org", "per@example.org"]
    kari_email = next(message for message in mail.outbox if message.to == ["kari@example.org"])
    assert kari_email.subject == "Påminnelse: Hodepineskolen, tirsdag 15. januar 2030, 18.00"
    assert "Hei Kari Nordmann," in kari_email.body
    assert "Når: tirsdag 15. januar 2030, 18.00" in kari_email.body
    assert "Du og Ola Nordmann har begge fått plass." in kari_email.body
    assert "Ta med matpakke." in kari_email.body
    assert f"{setup.page.full_url}avmelding/" in kari_email.body
    assert "migrene" not in kari_email.body
    reminder = Reminder.objects.get(registration=kari)
    assert (reminder.days_before, reminder.channel) == (7, ReminderChannel.EMAIL)
    assert reminder.sent_at is not None
    assert Reminder.objects.filter(registration=attended, sent_at__isnull=False).count() == 1


def test_the_reminder_carries_the_session_as_a_calendar_event_that_updates_the_offerings(setup, client):
    person(setup, "Kari Nordmann", "kari@example.org")
    session = setup.group.sessions.get()
    session.end = oslo(2030, 1, 15, 20)
    session.place_note = "Auditorium 2"
    session.save()

    send_reminders(now=BETWEEN_7_AND_1)

    (message,) = mail.outbox
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == SESSION
    assert event.decoded("dtend") == oslo(2030, 1, 15, 20)
    assert "Auditorium 2" in str(event["location"])
    assert "Hvor: Auditorium 2" in message.body
    assert "Når: tirsdag 15. januar 2030, 18.00–20.00" in message.body
    # The same event as in the offering's own calendar file.
    public = Calendar.from_ical(client.get(setup.offering.url + "kalender/").content)
    assert str(event["uid"]) in {str(e["uid"]) for e in public.walk("VEVENT")}


def test_each_reminder_goes_out_once_and_the_next_one_when_its_day_comes(setup):
    person(setup, "Kari Nordmann", "kari@example.org")

    assert send_reminders(now=BETWEEN_7_AND_1)["sent"] == 1
    assert send_reminders(now=BETWEEN_7_AND_1 + datetime.timedelta(hours=1))["sent"] == 0
    assert send_reminders(now=AFTER_1)["sent"] == 1
    assert send_reminders(now=AFTER_1 + datetime.timedelta(minutes=10))["sent"] == 0
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [1, 7]
    assert len(mail.outbox) == 2


def test_a_run_that_comes_late_sends_only_the_latest_reminder(setup):
    person(setup, "Kari Nordmann", "kari@example.org")
    assert send_reminders(now=AFTER_1)["sent"] == 1
    assert list(Reminder.objects.values_list("days_before", flat=True)) == [1]


def test_every_session_of_the_group_is_reminded_of(setup):
    add_session(setup.group, oslo(2030, 1, 22, 18))
    person(setup, "Kari Nordmann", "kari@example.org")
    assert send_reminders(now=oslo(2030, 1, 15, 19))["sent"] == 1  # the 22nd's seven-day reminder
    assert "22. januar 2030" in mail.outbox[0].subject


def test_no_reminders_when_the_form_has_none_or_the_offering_is_cancelled(setup):
    person(setup, "Kari Nordmann", "kari@example.org")
    setup.page.reminder_days = ""
    setup.page.save()
    assert send_reminders(now=BETWEEN_7_AND_1)["sent"] == 0

    setup.page.reminder_days = "7"
    setup.page.save()
    setup.offering.status = Status.CANCELLED
    setup.offering.save()
    assert send_reminders(now=BETWEEN_7_AND_1)["sent"] == 0
    assert not mail.outbox


def test_the_reminder_is_in_the_registrants_language_with_the_translations_words(setup):
    english = translation_in(setup.offering, "en", title="The headache school")
    english_form = translation_in(setup.page, "en")
    english.groups.update(name="Oslo, evenings")
    person(setup, "Kari Nordmann", "kari@example.org", language="en", page=english_form)

    send_reminders(now=BETWEEN_7_AND_1)

    (message,) = mail.outbox
    assert message.subject == "Reminder: The headache school, Tuesday 15 January 2030, 18:00"
    assert "(Oslo, evenings)" in message.body
    assert "If you cannot come, please cancel" in message.body
    assert english_form.full_url in message.body


def test_a_digital_session_says_how_to_join(setup):
    setup.offering.joining_instructions = "Lenken kommer på e-post dagen før."
    setup.offering.save()
    person(setup, "Kari Nordmann", "kari@example.org")
    send_reminders(now=BETWEEN_7_AND_1)
    assert "Slik blir du med:\nLenken kommer på e-post dagen før." in mail.outbox[0].body


# Channels


def test_a_text_message_goes_too_when_the_form_asks_for_it_and_holds_no_health_information(setup, settings):
    setup.page.reminder_sms = True
    setup.page.save()
    person(setup, "Kari Nordmann", "kari@example.org", phone="+4791234567")
    person(setup, "Uten Nummer", "uten@example.org")

    assert send_reminders(now=BETWEEN_7_AND_1)["sent"] == 3

    (message,) = sms.outbox
    assert message.to == "+4791234567"
    assert "tirsdag 15. januar 2030, 18.00" in message.text
    assert "Hodepine" not in message.text
    assert Reminder.objects.filter(channel=ReminderChannel.SMS).count() == 1

    settings.LMS_SMS_BACKEND = ""
    setup.offering.groups.get().sessions.update(start=oslo(2030, 1, 16, 18))
    Reminder.objects.all().delete()
    sms.outbox.clear()
    send_reminders(now=BETWEEN_7_AND_1)
    assert not sms.outbox


def test_the_console_backend_prints_the_message(capsys, settings):
    settings.LMS_SMS_BACKEND = "lms_forms.sms.ConsoleSmsBackend"
    settings.LMS_SMS_SENDER = "Sykehuset"
    assert sms.send_sms("+4791234567", "Hei") == 1
    assert "SMS from Sykehuset to +4791234567:\nHei" in capsys.readouterr().out


# Failures and workers that stop


def test_a_failed_email_is_tried_again_by_the_next_run(setup, monkeypatch):
    person(setup, "Kari Nordmann", "kari@example.org")
    original_send = EmailMessage.send

    def fail(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", fail)
    assert send_reminders(now=BETWEEN_7_AND_1) == {"sent": 0, "failed": 1}
    assert not Reminder.objects.exists()

    monkeypatch.setattr(EmailMessage, "send", original_send)
    assert send_reminders(now=BETWEEN_7_AND_1) == {"sent": 1, "failed": 0}


def test_claims_of_a_stopped_run_are_taken_over_but_one_that_may_have_gone_is_not_sent_again(setup):
    kari = person(setup, "Kari Nordmann", "kari@example.org")
    per = person(setup, "Per Hansen", "per@example.org")
    session = setup.group.sessions.get()
    long_ago = BETWEEN_7_AND_1 - once.CLAIM_TIMEOUT - datetime.timedelta(minutes=1)
    stopped = uuid.uuid4()
    Reminder.objects.create(
        registration=kari, session=session, days_before=7, channel="email", claim=stopped, claimed_at=long_ago
    )
    Reminder.objects.create(
        registration=per,
        session=session,
        days_before=7,
        channel="email",
        claim=stopped,
        claimed_at=long_ago,
        sending_since=long_ago,
    )

    assert send_reminders(now=BETWEEN_7_AND_1)["sent"] == 1
    assert [message.to for message in mail.outbox] == [["kari@example.org"]]


def test_someone_who_cancels_after_the_claim_gets_no_reminder(setup, monkeypatch):
    kari = person(setup, "Kari Nordmann", "kari@example.org")
    claimed = reminders._send_claimed

    def cancel_first(claim, now):
        Registration.objects.filter(pk=kari.pk).update(status=RegistrationStatus.CANCELLED)
        return claimed(claim, now)

    monkeypatch.setattr(reminders, "_send_claimed", cancel_first)
    assert send_reminders(now=BETWEEN_7_AND_1)["sent"] == 0
    assert not mail.outbox


def test_the_command_says_how_many_it_sent(setup, capsys, monkeypatch):
    person(setup, "Kari Nordmann", "kari@example.org")
    monkeypatch.setattr(timezone, "now", lambda: BETWEEN_7_AND_1)
    call_command("send_reminders")
    assert "Sendte 1 påminnelse." in capsys.readouterr().out
    assert len(mail.outbox) == 1


# Two workers at once, on PostgreSQL


@pytest.mark.postgres
# serialized_rollback restores Wagtail's root page and default site after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_reminder_exactly_once(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    setup = make_offering(catalogue, places=200)
    second = add_group(setup.offering, "Bergen", places=200, sessions=[oslo(2030, 1, 16, 18)])
    for number in range(120):
        group = setup.group if number % 2 else second
        registration = person(setup, f"Deltaker {number}", f"deltaker{number}@example.org")
        Registration.objects.filter(pk=registration.pk).update(group=group, group_name=group.name)

    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(send_reminders(now=BETWEEN_7_AND_1))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result["sent"] for result in results) == 120
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 120
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 120
