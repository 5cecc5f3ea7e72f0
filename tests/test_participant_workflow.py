"""The participant's path through the waiting list and the administrator's changes around it: freed places
offered by email and answered by link, offers that run out, moves, people added by hand, companions,
email retries, hardening of names and spreadsheet cells, finding a person, an overfilling import, and
health answers that stay encrypted when a page editor unticks "asks about health"."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from lms_forms.choices import EmailState, RegistrationStatus
from lms_forms.models import Registration, RegistrationFormField
from lms_forms.services import notifications
from lms_forms.services.status import (
    ChangeRefused,
    OverCapacity,
    add_participant,
    delete_registration,
    move_to_group,
    set_status,
)
from lms_forms.services.waiting_list import expire_offer, expire_offers
from lms_forms.transfer.columns import cell_text, neutralise
from lms_pages.models import GroupOccupancy
from tests.test_participant_admin import add_registration
from tests.test_participant_import import csv_upload
from tests.test_registration import (  # noqa: F401 - post_form is a fixture
    cancel_link_in,
    field_errors,
    make_offering,
    path_of,
    post_form,
    text_of,
)

OFFER_LINK = re.compile(r"https?://\S+/tilbud/[\w-]+/")


@pytest.fixture(autouse=True)
def _registration_settings(settings):
    """No minimum fill time and a generous rate limit."""
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"


def counts(group):
    occupancy = GroupOccupancy.objects.get(group=group)
    return occupancy.places_taken, occupancy.waiting


def messages_to(email):
    return [message for message in mail.outbox if message.to == [email]]


def offer_link_in(message):
    match = OFFER_LINK.search(message.body)
    assert match, message.body
    return path_of(match.group(0))


def register(post_form, setup, name, email, **overrides):  # noqa: F811 - the fixture, passed in
    response = post_form(setup, name=name, email=email, **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Registration.objects.get(email=email, companion_of__isnull=True, status__in=("place", "waiting"))


@pytest.fixture
def one_place(catalogue):
    return make_offering(catalogue, places=1)


@pytest.fixture
def queue(one_place, post_form):  # noqa: F811
    """One place: Anne has it, Bjørn and Cecilie wait, in that order."""
    setup = one_place
    setup.anne = register(post_form, setup, "Anne Hansen", "anne@example.org")
    setup.bjorn = register(post_form, setup, "Bjørn Berg", "bjorn@example.org")
    setup.cecilie = register(post_form, setup, "Cecilie Dahl", "cecilie@example.org")
    assert [setup.anne.status, setup.bjorn.status, setup.cecilie.status] == ["place", "waiting", "waiting"]
    return setup


def status_of(registration):
    registration.refresh_from_db()
    return registration.status


# 1. A freed place is offered, and accepted by link


@pytest.mark.django_db
def test_a_cancellation_by_link_offers_the_place_to_the_first_waiting(
    queue, client, django_capture_on_commit_callbacks
):
    cancel_path = cancel_link_in(messages_to("anne@example.org")[0])
    mail.outbox.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(cancel_path).status_code == 200

    assert status_of(queue.anne) == RegistrationStatus.CANCELLED
    assert status_of(queue.bjorn) == RegistrationStatus.OFFERED
    assert status_of(queue.cecilie) == RegistrationStatus.WAITING
    hours = queue.page.offer_hours
    assert hours == 48
    expected = before + datetime.timedelta(hours=hours)
    assert abs(queue.bjorn.offer_expires_at - expected) < datetime.timedelta(minutes=1)
    # The offered place is held for Bjørn until he answers.
    assert counts(queue.group) == (1, 1)
    offers = messages_to("bjorn@example.org")
    assert len(offers) == 1
    assert "/tilbud/" in offers[0].body
    assert not messages_to("cecilie@example.org")


@pytest.fixture
def offered(queue, client, django_capture_on_commit_callbacks):
    """Anne has cancelled; Bjørn is offered her place; `offer_path` is the link in his email."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_link_in(messages_to("anne@example.org")[0]))
    assert status_of(queue.bjorn) == RegistrationStatus.OFFERED
    queue.offer_path = offer_link_in(messages_to("bjorn@example.org")[-1])
    mail.outbox.clear()
    return queue


@pytest.mark.django_db
def test_accepting_the_offer_gives_the_place(offered, client, django_capture_on_commit_callbacks):
    shown = client.get(offered.offer_path)
    assert shown.status_code == 200
    assert shown.context["registration"].pk == offered.bjorn.pk
    buttons = re.findall(r'name="answer" value="(\w+)"', shown.content.decode())
    assert buttons == ["accept", "decline"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offered.offer_path, {"answer": "accept"})
    assert response.status_code == 200
    offered.bjorn.refresh_from_db()
    assert offered.bjorn.status == RegistrationStatus.PLACE
    assert offered.bjorn.offer_expires_at is None
    assert status_of(offered.cecilie) == RegistrationStatus.WAITING
    assert counts(offered.group) == (1, 1)

    # A second answer changes nothing.
    again = client.post(offered.offer_path, {"answer": "decline"})
    assert again.status_code == 200
    assert status_of(offered.bjorn) == RegistrationStatus.PLACE


@pytest.mark.django_db
def test_an_unknown_answer_is_a_bad_request(offered, client):
    assert client.post(offered.offer_path, {"answer": "maybe"}).status_code == 400
    assert status_of(offered.bjorn) == RegistrationStatus.OFFERED


# 2. Declining


@pytest.mark.django_db
def test_declining_cancels_and_offers_the_place_to_the_next(
    offered, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offered.offer_path, {"answer": "decline"})
    assert response.status_code == 200
    offered.bjorn.refresh_from_db()
    assert offered.bjorn.status == RegistrationStatus.CANCELLED
    assert offered.bjorn.offer_expires_at is None
    assert status_of(offered.cecilie) == RegistrationStatus.OFFERED
    assert counts(offered.group) == (1, 0)
    assert "/tilbud/" in messages_to("cecilie@example.org")[0].body


@pytest.mark.django_db
def test_declining_with_no_one_waiting_leaves_the_place_free(
    one_place,
    post_form,  # noqa: F811 - the fixture
    client,
    django_capture_on_commit_callbacks,
):
    anne = register(post_form, one_place, "Anne Hansen", "anne@example.org")
    bjorn = register(post_form, one_place, "Bjørn Berg", "bjorn@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_link_in(messages_to(anne.email)[0]))
    offer_path = offer_link_in(messages_to(bjorn.email)[-1])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(offer_path, {"answer": "decline"}).status_code == 200
    assert status_of(bjorn) == RegistrationStatus.CANCELLED
    assert counts(one_place.group) == (0, 0)


# 3. Offers that run out


def past_deadline(registration):
    Registration.objects.filter(pk=registration.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=5)
    )


@pytest.mark.django_db
def test_the_expiry_task_ends_the_offer_and_passes_the_place_on(offered, django_capture_on_commit_callbacks):
    # Before the deadline the task does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        expire_offer.call(offered.bjorn.pk)
    assert status_of(offered.bjorn) == RegistrationStatus.OFFERED
    assert mail.outbox == []

    past_deadline(offered.bjorn)
    with django_capture_on_commit_callbacks(execute=True):
        expire_offer.call(offered.bjorn.pk)
    offered.bjorn.refresh_from_db()
    assert offered.bjorn.status == RegistrationStatus.OFFER_EXPIRED
    assert offered.bjorn.offer_expires_at is None
    assert status_of(offered.cecilie) == RegistrationStatus.OFFERED
    assert counts(offered.group) == (1, 0)
    (told,) = messages_to("bjorn@example.org")
    assert "/tilbud/" not in told.body
    assert offered.offering.title in told.subject
    assert "/tilbud/" in messages_to("cecilie@example.org")[0].body


@pytest.mark.django_db
def test_expire_offers_with_a_later_now(offered, django_capture_on_commit_callbacks):
    deadline = Registration.objects.get(pk=offered.bjorn.pk).offer_expires_at
    assert expire_offers(now=deadline - datetime.timedelta(minutes=1)) == 0
    assert status_of(offered.bjorn) == RegistrationStatus.OFFERED
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_offers(now=deadline + datetime.timedelta(minutes=1)) == 1
    assert status_of(offered.bjorn) == RegistrationStatus.OFFER_EXPIRED
    assert status_of(offered.cecilie) == RegistrationStatus.OFFERED
    # Running it again ends nothing more.
    assert expire_offers(now=deadline + datetime.timedelta(minutes=2)) == 0


@pytest.mark.django_db
def test_accepting_after_the_deadline_is_refused(offered, client, django_capture_on_commit_callbacks):
    past_deadline(offered.bjorn)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offered.offer_path, {"answer": "accept"})
    assert response.status_code == 409
    assert response.context["refusal"]
    assert status_of(offered.bjorn) == RegistrationStatus.OFFER_EXPIRED
    assert status_of(offered.cecilie) == RegistrationStatus.OFFERED
    assert counts(offered.group) == (1, 0)


@pytest.mark.django_db
def test_the_expire_offers_command(offered, django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command("expire_offers", stdout=out)
    assert re.search(r"\b0\b", out.getvalue())
    assert status_of(offered.bjorn) == RegistrationStatus.OFFERED

    past_deadline(offered.bjorn)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_offers", stdout=out)
    assert re.search(r"\b1\b", out.getvalue())
    assert status_of(offered.bjorn) == RegistrationStatus.OFFER_EXPIRED
    assert status_of(offered.cecilie) == RegistrationStatus.OFFERED
    assert messages_to("bjorn@example.org") and messages_to("cecilie@example.org")


# 4. The administrator frees a place


@pytest.mark.django_db
def test_an_administrators_cancellation_offers_the_place(
    queue, course_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert set_status([queue.anne], RegistrationStatus.CANCELLED, user=course_admin) == 1
    assert status_of(queue.anne) == RegistrationStatus.CANCELLED
    assert status_of(queue.bjorn) == RegistrationStatus.OFFERED
    assert status_of(queue.cecilie) == RegistrationStatus.WAITING
    assert counts(queue.group) == (1, 1)
    assert "/tilbud/" in messages_to("bjorn@example.org")[-1].body


@pytest.mark.django_db
def test_deleting_a_registration_offers_the_place(queue, course_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delete_registration(queue.anne, user=course_admin)
    assert not Registration.objects.filter(pk=queue.anne.pk).exists()
    assert status_of(queue.bjorn) == RegistrationStatus.OFFERED
    assert counts(queue.group) == (1, 1)


# 5. Moving to another group


@pytest.fixture
def two_groups(catalogue):
    setup = make_offering(catalogue, places=1, groups=("Oslo", "Bergen"))
    setup.oslo, setup.bergen = setup.groups
    return setup


@pytest.mark.django_db
def test_moving_to_a_group_with_room_offers_the_place_left(two_groups, course_admin):
    anne = add_registration(two_groups, two_groups.oslo, "Anne Hansen", "anne@example.org")
    bjorn = add_registration(
        two_groups, two_groups.oslo, "Bjørn Berg", "bjorn@example.org", RegistrationStatus.WAITING
    )
    moved = move_to_group(anne, two_groups.bergen, user=course_admin)
    assert [person.pk for person in moved] == [anne.pk]
    anne.refresh_from_db()
    assert (anne.group, anne.group_name, anne.status) == (
        two_groups.bergen,
        "Bergen",
        RegistrationStatus.PLACE,
    )
    assert status_of(bjorn) == RegistrationStatus.OFFERED
    assert counts(two_groups.oslo) == (1, 0)
    assert counts(two_groups.bergen) == (1, 0)


@pytest.mark.django_db
def test_moving_into_a_full_group_needs_confirmation(two_groups, course_admin):
    anne = add_registration(two_groups, two_groups.oslo, "Anne Hansen", "anne@example.org")
    add_registration(two_groups, two_groups.bergen, "Siri Berg", "siri@example.org")
    with pytest.raises(OverCapacity):
        move_to_group(anne, two_groups.bergen, user=course_admin)
    anne.refresh_from_db()
    assert anne.group == two_groups.oslo
    assert (counts(two_groups.oslo), counts(two_groups.bergen)) == ((1, 0), (1, 0))

    move_to_group(anne, two_groups.bergen, user=course_admin, allow_over_capacity=True)
    anne.refresh_from_db()
    assert anne.group == two_groups.bergen
    assert (counts(two_groups.oslo), counts(two_groups.bergen)) == ((0, 0), (2, 0))


# 6. Adding someone by hand


@pytest.mark.django_db
def test_add_participant_gives_a_place_then_the_waiting_list(one_place, course_admin):
    first = add_participant(
        one_place.offering, one_place.group, user=course_admin, name="Anne Hansen", email="anne@example.org"
    )
    second = add_participant(
        one_place.offering, one_place.group, user=course_admin, name="Bjørn Berg", email="bjorn@example.org"
    )
    assert (first.status, second.status) == (RegistrationStatus.PLACE, RegistrationStatus.WAITING)
    assert first.source == "admin"
    assert counts(one_place.group) == (1, 1)
    with pytest.raises(ChangeRefused) as refused:
        add_participant(
            one_place.offering,
            one_place.group,
            user=course_admin,
            name="Anne igjen",
            email="anne@example.org",
        )
    assert refused.value.field == "email"
    assert Registration.objects.count() == 2
    with pytest.raises(OverCapacity):
        add_participant(
            one_place.offering,
            one_place.group,
            user=course_admin,
            name="Per Hansen",
            email="per@example.org",
            status=RegistrationStatus.PLACE,
        )
    assert counts(one_place.group) == (1, 1)


def add_form(setup, **overrides):
    data = {
        "offering": setup.offering.pk,
        "group": setup.group.pk,
        "name": "Anne Hansen",
        "email": "Anne@Example.org",
        "phone": "",
        "status": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_add_view_adds_for_a_course_administrator(one_place, client, course_admin):
    client.force_login(course_admin)
    url = reverse("participants_modeladmin_add")
    assert client.get(url).status_code == 200
    response = client.post(url, add_form(one_place))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.email, registration.status) == ("anne@example.org", RegistrationStatus.PLACE)
    # The same email again: the form is shown with the refusal, nothing stored.
    again = client.post(url, add_form(one_place, name="Anne igjen"))
    assert again.status_code == 200
    assert "email" in again.context["form"].errors
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_the_add_view_is_refused_without_the_permission(one_place, client, page_editor):
    client.force_login(page_editor)
    url = reverse("participants_modeladmin_add")
    # The view raises PermissionDenied; Wagtail's admin turns that into a redirect to the dashboard.
    for response in (client.get(url), client.post(url, add_form(one_place))):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not Registration.objects.exists()


# 7. Companions


@pytest.fixture
def with_companions(catalogue):
    setup = make_offering(catalogue, places=2)
    setup.page.companion = "optional"
    setup.page.save()
    return setup


@pytest.mark.django_db
def test_a_companion_gets_a_registration_of_their_own(with_companions, post_form):  # noqa: F811
    response = post_form(with_companions, companion_name="Ola Nordmann")
    assert response.status_code == 302
    registrant, companion = Registration.objects.order_by("pk")
    assert companion.companion_of == registrant
    assert companion.name == "Ola Nordmann"
    assert registrant.companion_of is None
    assert (companion.group, companion.status) == (registrant.group, registrant.status)
    assert registrant.status == RegistrationStatus.PLACE
    assert counts(with_companions.group) == (2, 0)


@pytest.mark.django_db
def test_a_pair_waits_together_and_is_offered_two_freed_places(
    with_companions,
    post_form,  # noqa: F811 - the fixture
    client,
    django_capture_on_commit_callbacks,
):
    setup = with_companions
    anne = register(post_form, setup, "Anne Hansen", "anne@example.org")
    assert anne.status == RegistrationStatus.PLACE
    register(post_form, setup, "Kari Nordmann", "kari@example.org", companion_name="Ola Nordmann")
    kari = Registration.objects.get(email="kari@example.org", companion_of__isnull=True)
    ola = Registration.objects.get(companion_of=kari)
    assert (kari.status, ola.status) == (RegistrationStatus.WAITING, RegistrationStatus.WAITING)
    assert counts(setup.group) == (1, 2)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_link_in(messages_to(anne.email)[0]))
    assert (status_of(kari), status_of(ola)) == (RegistrationStatus.OFFERED, RegistrationStatus.OFFERED)
    assert counts(setup.group) == (2, 0)
    offer_path = offer_link_in(messages_to("kari@example.org")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(offer_path, {"answer": "accept"}).status_code == 200
    assert (status_of(kari), status_of(ola)) == (RegistrationStatus.PLACE, RegistrationStatus.PLACE)
    assert counts(setup.group) == (2, 0)


@pytest.mark.django_db
def test_a_waiting_pair_is_not_offered_a_single_freed_place(with_companions, course_admin):
    setup = with_companions
    anne = add_registration(setup, setup.group, "Anne Hansen", "anne@example.org")
    add_registration(setup, setup.group, "Bjørn Berg", "bjorn@example.org")
    kari = add_registration(
        setup, setup.group, "Kari Nordmann", "kari@example.org", RegistrationStatus.WAITING
    )
    ola = add_registration(
        setup, setup.group, "Ola Nordmann", "kari@example.org", RegistrationStatus.WAITING, companion_of=kari
    )
    per = add_registration(setup, setup.group, "Per Hansen", "per@example.org", RegistrationStatus.WAITING)
    set_status([anne], RegistrationStatus.CANCELLED, user=course_admin)
    # First come, first served: Per, behind the pair, is not offered the one place ahead of them.
    assert (status_of(kari), status_of(ola), status_of(per)) == ("waiting", "waiting", "waiting")
    assert counts(setup.group) == (1, 3)


@pytest.mark.django_db
def test_a_newcomer_does_not_take_the_place_a_waiting_pair_needs(with_companions, post_form):  # noqa: F811
    setup = with_companions
    register(post_form, setup, "Anne Hansen", "anne@example.org")
    register(post_form, setup, "Kari Nordmann", "kari@example.org", companion_name="Ola Nordmann")
    assert counts(setup.group) == (1, 2)  # one place left; the pair waits for two
    per = register(post_form, setup, "Per Hansen", "per@example.org")
    assert per.status == RegistrationStatus.WAITING
    assert counts(setup.group) == (1, 3)


# 8. Email retries


def failing_send(self, messages):
    raise OSError("the mail server is down")


def confirmation_links():
    return {"cancel": "http://x/avmelding/t/"}


@pytest.mark.django_db
def test_a_failed_email_is_retried_later_on_a_backend_that_can_defer(one_place, monkeypatch):
    registration = add_registration(one_place, one_place.group, "Anne Hansen", "anne@example.org")
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", failing_send)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        backend = task_backends["default"]
        assert backend.supports_defer
        before = timezone.now()
        with pytest.raises(OSError):
            notifications.send_registration_email.call(
                registration.pk, "confirmation", confirmation_links(), "", 1
            )
        registration.refresh_from_db()
        assert (registration.email_state, registration.email_attempts) == (EmailState.QUEUED, 1)
        (retry,) = backend.results
        assert retry.task.run_after > before
        assert retry.args == [registration.pk, "confirmation", confirmation_links(), "", 2]

        backend.clear()
        with pytest.raises(OSError):
            notifications.send_registration_email.call(
                registration.pk, "confirmation", confirmation_links(), "", notifications.MAX_ATTEMPTS
            )
        registration.refresh_from_db()
        assert registration.email_state == EmailState.FAILED
        assert registration.email_attempts == notifications.MAX_ATTEMPTS
        assert backend.results == []


@pytest.mark.django_db
def test_a_failed_email_fails_at_once_on_the_immediate_backend(one_place, monkeypatch):
    registration = add_registration(one_place, one_place.group, "Anne Hansen", "anne@example.org")
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", failing_send)
    with pytest.raises(OSError):
        notifications.send_registration_email.call(
            registration.pk, "confirmation", confirmation_links(), "", 1
        )
    registration.refresh_from_db()
    assert registration.email_state == EmailState.FAILED


@pytest.mark.django_db
def test_a_sent_email_is_recorded(one_place):
    registration = add_registration(one_place, one_place.group, "Anne Hansen", "anne@example.org")
    notifications.send_registration_email.call(registration.pk, "confirmation", confirmation_links(), "", 1)
    registration.refresh_from_db()
    assert (registration.email_state, registration.email_attempts) == (EmailState.SENT, 1)
    (message,) = mail.outbox
    assert "http://x/avmelding/t/" in message.body


def confirmation_page(client, response):
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "/avmelding/" in page.content.decode()
    return page


@pytest.mark.django_db
def test_the_confirmation_page_tells_how_the_email_went(one_place, post_form, client, monkeypatch):  # noqa: F811
    sent = confirmation_page(client, post_form(one_place, email="anne@example.org"))
    assert sent.context["registration"].email_state == EmailState.SENT

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        queued = confirmation_page(client, post_form(one_place, email="bjorn@example.org"))
    assert Registration.objects.get(email="bjorn@example.org").email_state == EmailState.QUEUED

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", failing_send)
    failed = confirmation_page(client, post_form(one_place, email="cecilie@example.org"))
    assert Registration.objects.get(email="cecilie@example.org").email_state == EmailState.FAILED
    # Three different sentences for the three states.
    texts = {text_of(page) for page in (sent, queued, failed)}
    assert len(texts) == 3


# 9. Hardening


@pytest.mark.django_db
def test_a_name_with_a_direction_override_is_refused(one_place, post_form):  # noqa: F811
    response = post_form(one_place, name="Kari \u202eNordmann")
    assert response.status_code == 200
    assert "name" in field_errors(response)
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_name_with_a_zero_width_joiner_is_accepted(one_place, post_form):  # noqa: F811
    name = "\u0915\u094d\u200d\u0937 Nordmann"
    assert post_form(one_place, name=name).status_code == 302
    assert Registration.objects.get().name == name


@pytest.mark.parametrize(
    "value", ["'quoted", "=1+1", " leading space", "\tTab", "@x", "-5", "+47", "'=already", "plain", ""]
)
def test_neutralised_cells_read_back_as_they_were(value):
    assert cell_text(neutralise(value)) == value


@pytest.mark.parametrize("value", ["=1+1", "+47", "-5", "@x", "\tTab"])
def test_formulas_are_neutralised(value):
    assert neutralise(value) == "'" + value


# 10. Find a person


@pytest.mark.django_db
def test_the_person_search_is_post_only(one_place, client, course_admin):
    add_registration(one_place, one_place.group, "Anne Hansen", "anne@example.org")
    client.force_login(course_admin)
    url = reverse("participants_modeladmin_person")
    by_get = client.get(url, {"email": "anne@example.org"})
    assert by_get.status_code == 200
    assert "Anne Hansen" not in by_get.content.decode()
    assert "registrations" not in by_get.context
    by_post = client.post(url, {"email": "anne@example.org"})
    assert by_post.status_code == 200
    assert [registration.name for registration in by_post.context["registrations"]] == ["Anne Hansen"]
    assert "Anne Hansen" in by_post.content.decode()


@pytest.mark.django_db
def test_the_person_search_is_refused_without_the_permission(one_place, client, page_editor):
    add_registration(one_place, one_place.group, "Anne Hansen", "anne@example.org")
    client.force_login(page_editor)
    response = client.post(reverse("participants_modeladmin_person"), {"email": "anne@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert "Anne Hansen" not in response.content.decode()


# 11. A command-line import that overfills a group


@pytest.mark.django_db
def test_an_import_without_statuses_puts_those_beyond_the_places_on_the_waiting_list(one_place, tmp_path):
    rows = [
        ["Anne Hansen", "anne@example.org", "", "", "Oslo", "", ""],
        ["Bjørn Berg", "bjorn@example.org", "", "", "Oslo", "", ""],
    ]
    path = tmp_path / "uten-status.csv"
    path.write_bytes(csv_upload(rows).read())
    call_command(
        "import_participants",
        str(path),
        offering=one_place.offering.slug,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert dict(Registration.objects.values_list("email", "status")) == {
        "anne@example.org": "place",
        "bjorn@example.org": "waiting",
    }
    assert counts(one_place.group) == (1, 1)


@pytest.fixture
def overfilling_file(tmp_path):
    """Two people given a place in Oslo, which has one."""
    rows = [
        ["Anne Hansen", "anne@example.org", "", "", "Oslo", "Har plass", ""],
        ["Bjørn Berg", "bjorn@example.org", "", "", "Oslo", "Har plass", ""],
    ]
    path = tmp_path / "deltakere.csv"
    path.write_bytes(csv_upload(rows).read())
    return path


@pytest.mark.django_db
def test_an_import_that_overfills_a_group_stores_nothing(one_place, overfilling_file):
    with pytest.raises(CommandError):
        call_command(
            "import_participants",
            str(overfilling_file),
            offering=one_place.offering.slug,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_an_import_that_overfills_a_group_with_confirmation(one_place, overfilling_file):
    call_command(
        "import_participants",
        str(overfilling_file),
        offering=one_place.offering.slug,
        allow_over_capacity=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert set(Registration.objects.values_list("email", "status")) == {
        ("anne@example.org", "place"),
        ("bjorn@example.org", "place"),
    }
    assert counts(one_place.group) == (2, 0)


# 12. Unticking "asks about health"


@pytest.fixture
def health_answer(catalogue, post_form):  # noqa: F811
    setup = make_offering(catalogue)
    assert post_form(setup, diagnose="kronisk migrene").status_code == 302
    registration = Registration.objects.get()
    assert registration.sensitive_answers == {"diagnose": "kronisk migrene"}
    assert "diagnose" not in registration.form_data
    return setup


def untick_and_publish(setup, user):
    RegistrationFormField.objects.filter(page=setup.page, clean_name="diagnose").update(
        asks_about_health=False
    )
    page = setup.page.specific.__class__.objects.get(pk=setup.page.pk)
    page.save_revision(user=user).publish()


@pytest.mark.django_db
def test_a_page_editor_unticking_health_leaves_the_answer_encrypted(health_answer, page_editor):
    untick_and_publish(health_answer, page_editor)
    registration = Registration.objects.get()
    assert registration.sensitive_answers == {"diagnose": "kronisk migrene"}
    assert "diagnose" not in registration.form_data
    assert registration.answer("diagnose") == "kronisk migrene"


@pytest.mark.django_db
def test_a_course_administrator_unticking_health_moves_the_answer(health_answer, course_admin):
    untick_and_publish(health_answer, course_admin)
    registration = Registration.objects.get()
    assert registration.form_data.get("diagnose") == "kronisk migrene"
    assert not registration.sensitive_answers
