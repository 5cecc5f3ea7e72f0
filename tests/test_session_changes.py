"""An editor who moves or removes a session and publishes tells everyone holding a place, once, in their
language; a new topic, a session already held, or a translation's sessions tell nobody."""

import pytest
from django.core import mail
from icalendar import Calendar

from lms_forms.choices import RegistrationStatus
from lms_pages.models import OfferingPage
from tests.factories import add_session, oslo, translation_in
from tests.test_registration import make_offering
from tests.test_reminders import person


@pytest.fixture
def setup(catalogue):
    setup = make_offering(catalogue)
    add_session(setup.group, oslo(2030, 1, 22, 18))
    person(setup, "Kari Nordmann", "kari@example.org")
    person(setup, "Per Hansen", "per@example.org", language="en")
    person(setup, "Venter", "venter@example.org", status=RegistrationStatus.WAITING)
    return setup


def publish_sessions(offering, change, django_capture_on_commit_callbacks):
    """Publish the offering as the editor does, with `change(sessions)` returning the group's new
    sessions (the first group's, in order)."""
    page = OfferingPage.objects.get(pk=offering.pk)
    groups = list(page.groups.all())
    sessions = sorted(groups[0].sessions.all(), key=lambda session: session.start)
    groups[0].sessions = change(sessions)
    page.groups = groups
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


def test_a_moved_session_tells_those_with_a_place_before_and_now(setup, django_capture_on_commit_callbacks):
    def move(sessions):
        sessions[0].start = oslo(2030, 1, 16, 17)
        return sessions

    publish_sessions(setup.offering, move, django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == ["kari@example.org", "per@example.org"]
    kari = next(message for message in mail.outbox if message.to == ["kari@example.org"])
    assert kari.subject == "En samling er endret: Hodepineskolen"
    assert "Før: tirsdag 15. januar 2030, 18.00" in kari.body
    assert "Nå: onsdag 16. januar 2030, 17.00" in kari.body
    assert f"{setup.page.full_url}avmelding/" in kari.body
    (event,) = Calendar.from_ical(kari.attachments[0][1]).walk("VEVENT")
    assert event.decoded("dtstart") == oslo(2030, 1, 16, 17)
    per = next(message for message in mail.outbox if message.to == ["per@example.org"])
    assert per.subject == "A session has changed: Hodepineskolen"
    assert "Before: Tuesday 15 January 2030, 18:00" in per.body


def test_a_removed_session_is_cancelled_and_the_rest_stand(setup, django_capture_on_commit_callbacks):
    publish_sessions(setup.offering, lambda sessions: sessions[:1], django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    kari = next(message for message in mail.outbox if message.to == ["kari@example.org"])
    assert kari.subject == "En samling er avlyst: Hodepineskolen"
    assert "tirsdag 22. januar 2030, 18.00 er avlyst" in kari.body
    assert setup.offering.full_url in kari.body
    assert setup.group.sessions.count() == 1


def test_publishing_without_a_change_of_time_or_place_tells_nobody(setup, django_capture_on_commit_callbacks):
    def new_topic(sessions):
        sessions[0].topic = "Søvn og hodepine"
        return sessions

    publish_sessions(setup.offering, new_topic, django_capture_on_commit_callbacks)
    publish_sessions(setup.offering, lambda sessions: sessions, django_capture_on_commit_callbacks)
    assert not mail.outbox


def test_a_session_already_held_tells_nobody(setup, django_capture_on_commit_callbacks):
    past = add_session(setup.group, oslo(2020, 1, 1, 18))

    def remove_past(sessions):
        return [session for session in sessions if session.pk != past.pk]

    publish_sessions(setup.offering, remove_past, django_capture_on_commit_callbacks)
    assert not mail.outbox


def test_a_translations_sessions_tell_nobody(setup, django_capture_on_commit_callbacks):
    english = translation_in(setup.offering, "en", title="The headache school")

    def move(sessions):
        sessions[0].start = oslo(2030, 1, 16, 17)
        return sessions

    publish_sessions(english, move, django_capture_on_commit_callbacks)
    assert not mail.outbox


def test_deleting_the_offering_sends_nothing(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        OfferingPage.objects.get(pk=setup.offering.pk).delete()
    assert not mail.outbox
