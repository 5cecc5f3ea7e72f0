"""Interest registration through the registration form under an offering.

The form page is a child of an offering; a valid POST takes a place (or a place on the waiting list) in
one of the offering's groups, stores a Registration, redirects to a signed confirmation URL, and emails
the registrant and the organiser after the transaction has committed.
"""

import datetime
import re
import smtplib
import time
import types
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from lms_forms.forms import STARTED_SALT
from lms_forms.models import Registration, RegistrationFormField, RegistrationFormPage
from lms_forms.services.registration import DUPLICATE_MESSAGE, refusal_message
from lms_forms.tokens import CANCEL_SALT, CONFIRMATION_SALT, make_token
from lms_pages.models import ConfidentialityNoticePage, GroupOccupancy, RegistrationState, Status
from tests.factories import ConfidentialityNoticePageFactory, OfferingPageFactory, add_group, oslo

GROUP_FULL_MESSAGE = "Gruppen du valgte, er full. Velg en annen gruppe hvis det finnes en."


@pytest.fixture(autouse=True)
def _registration_settings(settings):
    """No minimum fill time and a generous rate limit, unless a test sets its own."""
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"


def make_offering(
    catalogue,
    *,
    places=10,
    waiting_list=True,
    min_age=None,
    age_check="birth_date",
    health_field=True,
    groups=("Oslo",),
    title="Hodepineskolen",
    **offering_fields,
):
    """An open offering with groups, a confidentiality notice and a registration form under it."""
    notice = ConfidentialityNoticePageFactory(parent=catalogue, title=f"Taushetserklæring {title}")
    offering = OfferingPageFactory(
        parent=catalogue,
        title=title,
        confidentiality_notice=notice,
        min_age=min_age,
        waiting_list=waiting_list,
        **offering_fields,
    )
    group_objects = [
        add_group(offering, name, places=places, sessions=[oslo(2030, 1, 15, 18)]) for name in groups
    ]
    page = offering.add_child(
        instance=RegistrationFormPage(
            title="Påmelding", slug="pamelding", to_address="org@example.org", age_check=age_check
        )
    )
    if health_field:
        RegistrationFormField.objects.create(
            page=page, label="Diagnose", field_type="singleline", asks_about_health=True, required=False
        )
    return types.SimpleNamespace(
        offering=offering, group=group_objects[0], groups=group_objects, page=page, notice=notice
    )


def started_token(seconds_ago=60):
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def form_data(setup, **overrides):
    data = {
        "name": "Kari Nordmann",
        "email": "kari@example.org",
        "phone": "912 34 567",
        "birth_date": "17.05.1990",
        "group": str(setup.group.pk),
        "diagnose": "migrene",
        "notice_accepted": "on",
        "health_consent": "on",
        "website": "",
        "started": started_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def post_form(client, django_capture_on_commit_callbacks):
    """POST the registration form, running the on-commit callbacks (the emails) as a commit would."""

    def post(setup, client=client, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(setup.page.url, form_data(setup, **overrides))

    return post


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def text_of(response):
    return " ".join(soup_of(response).get_text(" ").split())


def field_errors(response):
    """{field name: error text} from the re-rendered form."""
    soup = soup_of(response)
    errors = {}
    for error in soup.select("p.lms-error"):
        errors[error["id"].removeprefix("id_").removesuffix("_error")] = " ".join(error.get_text(" ").split())
    return errors


def occupancy(group):
    return GroupOccupancy.objects.get(group=group)


def path_of(url):
    return urlsplit(url).path


def cancel_link_in(message):
    match = re.search(r"https?://\S+/avmelding/[\w-]+/", message.body)
    assert match, message.body
    return path_of(match.group(0))


# Showing the form


@pytest.mark.django_db
class TestFormShown:
    def test_open_offering_shows_the_form(self, catalogue, get_soup):
        setup = make_offering(catalogue)
        soup = get_soup(setup.page.url)
        form = soup.select_one("form.lms-form")
        assert form is not None
        names = {field["name"] for field in form.select("input[name], textarea[name]")}
        assert {"name", "email", "phone", "birth_date", "group", "diagnose", "notice_accepted"} <= names
        assert {"health_consent", "website", "started"} <= names
        assert form.select_one("input[name=group]")["value"] == str(setup.group.pk)
        assert "Send påmeldingen" in form.get_text()

    def test_full_group_with_waiting_list_shows_the_form_for_the_waiting_list(
        self, catalogue, get_soup, post_form
    ):
        setup = make_offering(catalogue, places=1)
        assert post_form(setup).status_code == 302
        soup = get_soup(setup.page.url)
        form = soup.select_one("form.lms-form")
        assert form is not None
        assert "Sett meg på ventelisten" in form.get_text()
        assert "venteliste" in soup.select_one("label[for=id_group_0]").get_text()

    def test_not_yet_open_shows_the_opening_date_and_no_form(self, catalogue, get_soup):
        opens = oslo(2099, 3, 1, 12)
        setup = make_offering(catalogue, registration_opens=opens)
        soup = get_soup(setup.page.url)
        assert soup.select_one("form.lms-form") is None
        notice = " ".join(soup.select_one(".lms-notice").get_text(" ").split())
        assert date_filter(opens, "j. F Y, H.i") in notice
        assert "2099" in notice

    def test_closed_registration_shows_no_form(self, catalogue, get_soup):
        setup = make_offering(catalogue, registration_closes=timezone.now() - datetime.timedelta(days=1))
        soup = get_soup(setup.page.url)
        assert soup.select_one("form.lms-form") is None
        assert str(refusal_message(RegistrationState.CLOSED)) in soup.select_one(".lms-notice").get_text()

    def test_cancelled_offering_shows_no_form(self, catalogue, get_soup):
        setup = make_offering(catalogue, status=Status.CANCELLED)
        soup = get_soup(setup.page.url)
        assert soup.select_one("form.lms-form") is None
        assert str(refusal_message(RegistrationState.CANCELLED)) in soup.select_one(".lms-notice").get_text()


# A valid registration


@pytest.mark.django_db
class TestValidRegistration:
    def test_creates_one_registration_with_typed_columns(self, catalogue, post_form):
        setup = make_offering(catalogue, min_age=18)
        before = timezone.now()
        response = post_form(setup, email="Kari.Nordmann@Example.ORG")
        assert response.status_code == 302

        registration = Registration.objects.get()
        notice = ConfidentialityNoticePage.objects.get(pk=setup.notice.pk)
        assert registration.page_id == setup.page.pk
        assert registration.offering_id == setup.offering.pk
        assert registration.name == "Kari Nordmann"
        assert registration.email == "kari.nordmann@example.org"
        assert registration.phone == "+4791234567"
        assert registration.birth_date == datetime.date(1990, 5, 17)
        assert registration.group_id == setup.group.pk
        assert registration.group_name == "Oslo"
        assert registration.status == "place"
        assert registration.notice_version == notice.version
        assert registration.notice_accepted_at is not None
        assert registration.notice_accepted_at >= before
        assert registration.health_consent_at is not None
        assert registration.source == "web"
        assert registration.answers == {"diagnose": "migrene"}
        assert registration.field_labels == {"diagnose": "Diagnose"}
        assert occupancy(setup.group).places_taken == 1
        assert occupancy(setup.group).waiting == 0

    def test_without_health_questions_no_health_consent_is_asked_or_stored(
        self, catalogue, get_soup, post_form
    ):
        setup = make_offering(catalogue, health_field=False)
        assert get_soup(setup.page.url).select_one("input[name=health_consent]") is None
        assert post_form(setup).status_code == 302
        registration = Registration.objects.get()
        assert registration.health_consent_at is None
        assert registration.form_data == {}

    def test_health_question_needs_consent(self, catalogue, post_form):
        setup = make_offering(catalogue)
        response = post_form(setup, health_consent=None)
        assert response.status_code == 200
        assert "health_consent" in field_errors(response)
        assert not Registration.objects.exists()

    def test_confirmation_page_says_the_person_has_a_place(self, catalogue, client, post_form):
        setup = make_offering(catalogue)
        response = post_form(setup)
        assert "/bekreftelse/" in response["Location"]
        confirmation = client.get(response["Location"])
        assert confirmation.status_code == 200
        status = soup_of(confirmation).select_one("[role=status]")
        assert status.h1.get_text(strip=True) == "Du har fått plass"
        assert "waiting list" not in status.get_text()
        # The dates of the group the person has a place in, for their calendar.
        calendar = soup_of(confirmation).select_one("a.lms-download[download]")["href"]
        assert calendar == f"{setup.offering.url}kalender/{setup.group.key}/"
        assert client.get(calendar).content.count(b"BEGIN:VEVENT") == 1

    def test_full_group_puts_people_on_the_waiting_list_in_order(
        self, catalogue, client, get_soup, post_form
    ):
        setup = make_offering(catalogue, places=1)
        first = post_form(setup, email="a@example.org")
        second = post_form(setup, email="b@example.org")
        third = post_form(setup, email="c@example.org")
        assert [r.status_code for r in (first, second, third)] == [302, 302, 302]

        statuses = dict(Registration.objects.values_list("email", "status"))
        assert statuses == {"a@example.org": "place", "b@example.org": "waiting", "c@example.org": "waiting"}
        assert [r.waiting_position() for r in Registration.objects.order_by("pk")] == [None, 1, 2]
        assert (occupancy(setup.group).places_taken, occupancy(setup.group).waiting) == (1, 2)

        for response, position in ((second, 1), (third, 2)):
            status = soup_of(client.get(response["Location"])).select_one("[role=status]")
            assert status.h1.get_text(strip=True) == "Du står på ventelisten"
            assert f"Du er nummer {position} på ventelisten" in status.get_text()

        offering_soup = get_soup(setup.offering.url)
        assert offering_soup.select_one(".lms-state--waiting_list") is not None
        button = offering_soup.find("a", href=setup.page.url)
        assert button is not None
        assert "Sett meg på ventelisten" in button.get_text()

        catalogue_soup = get_soup(catalogue.url)
        assert catalogue_soup.select_one(".lms-state--waiting_list") is not None

    def test_full_offering_without_waiting_list_refuses_and_stores_nothing(self, catalogue, post_form):
        setup = make_offering(catalogue, places=1, waiting_list=False)
        assert post_form(setup, email="a@example.org").status_code == 302
        response = post_form(setup, email="b@example.org")
        assert response.status_code == 409
        alert = soup_of(response).select_one("[role=alert]")
        assert str(refusal_message(RegistrationState.FULL)) in alert.get_text()
        assert list(Registration.objects.values_list("email", flat=True)) == ["a@example.org"]
        assert (occupancy(setup.group).places_taken, occupancy(setup.group).waiting) == (1, 0)

    def test_full_group_without_waiting_list_refuses_while_another_group_has_places(
        self, catalogue, post_form
    ):
        setup = make_offering(catalogue, places=1, waiting_list=False, groups=("Oslo", "Bergen"))
        assert post_form(setup, email="a@example.org").status_code == 302
        response = post_form(setup, email="b@example.org")
        assert response.status_code == 409
        assert GROUP_FULL_MESSAGE in field_errors(response)["group"]
        assert Registration.objects.count() == 1
        # The other group still takes registrations.
        bergen = setup.groups[1]
        assert post_form(setup, email="b@example.org", group=str(bergen.pk)).status_code == 302
        assert Registration.objects.get(email="b@example.org").group_id == bergen.pk


# Duplicates


@pytest.mark.django_db
class TestDuplicates:
    def test_same_email_in_other_case_is_refused_with_a_message(self, catalogue, post_form):
        setup = make_offering(catalogue)
        assert post_form(setup, email="kari@example.org").status_code == 302
        response = post_form(setup, email="KARI@Example.org", name="Kari Igjen")
        assert response.status_code == 409
        assert str(DUPLICATE_MESSAGE) in field_errors(response)["email"]
        assert Registration.objects.count() == 1
        assert occupancy(setup.group).places_taken == 1

    def test_database_refuses_a_second_active_registration(self, catalogue, post_form):
        setup = make_offering(catalogue)
        assert post_form(setup).status_code == 302
        with pytest.raises(IntegrityError), transaction.atomic():
            Registration.objects.create(
                page=setup.page,
                offering=setup.offering,
                group=setup.group,
                name="Kari Nordmann",
                email="kari@example.org",
                status="waiting",
                form_data={},
            )
        assert Registration.objects.count() == 1

    def test_a_duplicate_for_a_full_group_hears_it_is_a_duplicate(self, catalogue, post_form):
        setup = make_offering(catalogue, places=1, waiting_list=False, groups=("Oslo", "Bergen"))
        assert post_form(setup).status_code == 302
        response = post_form(setup, name="Kari Igjen")  # Oslo again, now full
        assert response.status_code == 409
        assert str(DUPLICATE_MESSAGE) in field_errors(response)["email"]
        assert Registration.objects.count() == 1

    def test_a_duplicate_on_the_waiting_list_leaves_the_counts_alone(self, catalogue, post_form):
        setup = make_offering(catalogue, places=1)
        assert post_form(setup, email="first@example.org").status_code == 302
        assert post_form(setup).status_code == 302
        assert post_form(setup).status_code == 409
        assert (occupancy(setup.group).places_taken, occupancy(setup.group).waiting) == (1, 1)
        assert Registration.objects.count() == 2

    def test_cancelled_person_may_register_again(self, catalogue, client, post_form):
        setup = make_offering(catalogue)
        assert post_form(setup).status_code == 302
        assert client.post(cancel_link_in(mail.outbox[0])).status_code == 200
        response = post_form(setup)
        assert response.status_code == 302
        assert sorted(Registration.objects.values_list("status", flat=True)) == ["cancelled", "place"]
        assert occupancy(setup.group).places_taken == 1


# Validation


@pytest.mark.django_db
class TestValidation:
    def test_too_young_by_birth_date_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue, min_age=18)
        ten_years_ago = timezone.localdate().replace(year=timezone.localdate().year - 10)
        response = post_form(setup, birth_date=ten_years_ago.strftime("%d.%m.%Y"))
        assert response.status_code == 200
        assert "18" in field_errors(response)["birth_date"]
        assert not Registration.objects.exists()

    @pytest.mark.parametrize("birth_date", ["future", "31.02.1990", "17.05.1850", "not a date"])
    def test_impossible_birth_dates_are_refused(self, catalogue, post_form, birth_date):
        setup = make_offering(catalogue, min_age=18)
        if birth_date == "future":
            birth_date = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d.%m.%Y")
        response = post_form(setup, birth_date=birth_date)
        assert response.status_code == 200
        assert "birth_date" in field_errors(response)
        assert not Registration.objects.exists()

    def test_age_confirmation_checkbox_is_required(self, catalogue, get_soup, post_form):
        setup = make_offering(catalogue, min_age=18, age_check="confirmation")
        soup = get_soup(setup.page.url)
        assert soup.select_one("input[name=birth_date]") is None
        assert "18" in soup.select_one("label[for=id_age_confirmed]").get_text()

        response = post_form(setup, birth_date=None)
        assert response.status_code == 200
        assert "18" in field_errors(response)["age_confirmed"]
        assert not Registration.objects.exists()

        assert post_form(setup, birth_date=None, age_confirmed="on").status_code == 302
        assert Registration.objects.get().birth_date is None

    def test_international_phone_number_is_accepted(self, catalogue, post_form):
        setup = make_offering(catalogue)
        assert post_form(setup, phone="+46 70 123 45 67").status_code == 302
        assert Registration.objects.get().phone == "+46701234567"

    def test_invalid_phone_number_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue)
        response = post_form(setup, phone="123")
        assert response.status_code == 200
        assert "phone" in field_errors(response)
        assert not Registration.objects.exists()

    def test_over_long_name_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue)
        response = post_form(setup, name="K" * 201)
        assert response.status_code == 200
        assert "name" in field_errors(response)
        assert not Registration.objects.exists()

    def test_name_of_200_characters_is_accepted(self, catalogue, post_form):
        setup = make_offering(catalogue)
        assert post_form(setup, name="K" * 200).status_code == 302
        assert Registration.objects.get().name == "K" * 200

    @pytest.mark.parametrize(
        ("field", "value"),
        [("name", "Kari\x00Nordmann"), ("name", "Kari\x1b[31mNordmann"), ("diagnose", "migrene\x1b")],
    )
    def test_control_characters_are_refused(self, catalogue, post_form, field, value):
        setup = make_offering(catalogue)
        response = post_form(setup, **{field: value})
        assert response.status_code == 200
        assert field in field_errors(response)
        assert not Registration.objects.exists()

    def test_the_form_keeps_what_the_person_typed(self, catalogue, post_form):
        setup = make_offering(catalogue, groups=("Oslo", "Bergen"))
        bergen = setup.groups[1]
        response = post_form(
            setup,
            name="Kari Nordmann",
            email="kari@example.org",
            phone="123",
            birth_date="31.02.1990",
            diagnose="migrene med aura",
            group=str(bergen.pk),
        )
        assert response.status_code == 200
        soup = soup_of(response)
        assert soup.select_one("input[name=name]")["value"] == "Kari Nordmann"
        assert soup.select_one("input[name=email]")["value"] == "kari@example.org"
        assert soup.select_one("input[name=phone]")["value"] == "123"
        assert soup.select_one("input[name=birth_date]")["value"] == "31.02.1990"
        assert soup.select_one("input[name=diagnose]")["value"] == "migrene med aura"
        assert soup.select_one("input[name=notice_accepted]").has_attr("checked")
        checked = soup.select("input[name=group][checked]")
        assert [radio["value"] for radio in checked] == [str(bergen.pk)]

    def test_error_summary_links_to_fields_that_exist(self, catalogue, post_form):
        setup = make_offering(catalogue, groups=("Oslo", "Bergen"))
        response = post_form(setup, name="", email="not-an-email", group=None, notice_accepted=None)
        assert response.status_code == 200
        soup = soup_of(response)
        summary = soup.select_one(".lms-error-summary")
        assert summary is not None
        assert summary["role"] == "alert"
        hrefs = [link["href"] for link in summary.select("a[href]")]
        assert {"#id_name", "#id_email", "#id_group", "#id_notice_accepted"} <= set(hrefs)
        for href in hrefs:
            assert href.startswith("#")
            assert soup.find(id=href[1:]) is not None, f"{href} points nowhere"
        # The radio group's target is the fieldset that holds the options.
        assert soup.find(id="id_group").name == "fieldset"
        assert "Error" in soup.title.get_text() or "Feil" in soup.title.get_text()
        assert not Registration.objects.exists()

    def test_unknown_group_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue)
        other = make_offering(catalogue, groups=("Andre",), title="Søvnskolen")
        response = post_form(setup, group=str(other.group.pk))
        assert response.status_code == 200
        assert "group" in field_errors(response)
        assert not Registration.objects.exists()


# Posts that must be refused without an error page


@pytest.mark.django_db
class TestClosedAndMissingForms:
    def test_post_to_a_closed_form_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue, registration_closes=timezone.now() - datetime.timedelta(hours=1))
        response = post_form(setup)
        assert response.status_code == 409
        assert str(refusal_message(RegistrationState.CLOSED)) in text_of(response)
        assert not Registration.objects.exists()
        assert not GroupOccupancy.objects.filter(places_taken__gt=0).exists()
        assert mail.outbox == []

    def test_post_to_a_not_yet_open_form_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue, registration_opens=timezone.now() + datetime.timedelta(days=1))
        assert post_form(setup).status_code == 409
        assert not Registration.objects.exists()

    def test_post_to_a_cancelled_offering_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue, status=Status.CANCELLED)
        assert post_form(setup).status_code == 409
        assert not Registration.objects.exists()

    def test_post_to_an_unpublished_form_page(self, catalogue, client, django_capture_on_commit_callbacks):
        setup = make_offering(catalogue)
        url = setup.page.url
        setup.page.unpublish()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form_data(setup))
        assert response.status_code == 404
        assert not Registration.objects.exists()
        assert mail.outbox == []

    def test_post_to_a_deleted_form_page(self, catalogue, client, django_capture_on_commit_callbacks):
        setup = make_offering(catalogue)
        url = setup.page.url
        setup.page.delete()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form_data(setup))
        assert response.status_code == 404
        assert not Registration.objects.exists()
        assert mail.outbox == []


# Spam and rate limiting


@pytest.mark.django_db
class TestSpam:
    def test_filled_honeypot_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue)
        response = post_form(setup, website="http://spam.example")
        assert response.status_code == 400
        assert not Registration.objects.exists()
        assert mail.outbox == []

    def test_missing_start_time_is_refused(self, catalogue, post_form):
        setup = make_offering(catalogue)
        assert post_form(setup, started=None).status_code == 400
        assert not Registration.objects.exists()

    @pytest.mark.parametrize(
        "started",
        [
            "1700000000",
            "not-signed",
            pytest.param("other-salt", id="signed-with-another-salt"),
            pytest.param("tampered", id="tampered-signature"),
        ],
    )
    def test_forged_start_time_is_refused(self, catalogue, post_form, started):
        setup = make_offering(catalogue)
        if started == "other-salt":
            started = signing.dumps(time.time() - 60, salt="something.else")
        elif started == "tampered":
            token = started_token()
            started = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert post_form(setup, started=started).status_code == 400
        assert not Registration.objects.exists()

    def test_form_sent_too_fast_is_refused(self, catalogue, settings, post_form):
        settings.LMS_FORMS_MIN_FILL_SECONDS = 3
        setup = make_offering(catalogue)
        response = post_form(setup, started=started_token(seconds_ago=0))
        assert response.status_code == 400
        assert not Registration.objects.exists()
        # The same person, having taken their time, gets through.
        assert post_form(setup, started=started_token(seconds_ago=10)).status_code == 302

    def test_start_time_from_the_rendered_form_is_accepted(self, catalogue, client, post_form):
        setup = make_offering(catalogue)
        soup = soup_of(client.get(setup.page.url))
        started = soup.select_one("input[name=started]")["value"]
        assert post_form(setup, started=started).status_code == 302


@pytest.mark.django_db
def test_rate_limit_per_ip(catalogue, client, settings, monkeypatch, post_form):
    settings.LMS_FORMS_RATE_LIMIT = "3/m"
    # Freeze django-ratelimit's clock so the window cannot roll over during the test.
    frozen = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: frozen))
    setup = make_offering(catalogue)

    def post_from(ip, email):
        return client.post(setup.page.url, form_data(setup, email=email), REMOTE_ADDR=ip)

    statuses = [post_from("10.0.0.1", f"person{i}@example.org").status_code for i in range(3)]
    assert statuses == [302, 302, 302]
    refused = post_from("10.0.0.1", "person3@example.org")
    assert refused.status_code == 429
    assert soup_of(refused).select_one("[role=alert]") is not None
    assert not Registration.objects.filter(email="person3@example.org").exists()
    assert Registration.objects.count() == 3

    assert post_from("10.0.0.2", "person4@example.org").status_code == 302
    assert Registration.objects.count() == 4


# Emails


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("The mail server is down")


@pytest.mark.django_db
class TestEmails:
    def test_confirmation_to_the_registrant_has_the_cancel_link_and_no_answers(self, catalogue, post_form):
        setup = make_offering(catalogue)
        post_form(setup, diagnose="kronisk migrene med aura")
        confirmations = [message for message in mail.outbox if message.to == ["kari@example.org"]]
        assert len(confirmations) == 1
        body = confirmations[0].body
        assert "Kari Nordmann" in body
        assert "/pamelding/avmelding/" in body
        assert "migrene" not in body
        assert "Diagnose" not in body

    def test_organiser_is_told_where_to_look_and_nothing_personal(self, catalogue, post_form):
        setup = make_offering(catalogue)
        post_form(setup, diagnose="kronisk migrene med aura")
        notifications = [message for message in mail.outbox if message.to == ["org@example.org"]]
        assert len(notifications) == 1
        message = notifications[0]
        text = message.subject + "\n" + message.body
        assert f"/admin/participants/?offering__page_ptr__exact={setup.offering.pk}" in text
        for private in ("Kari", "Nordmann", "kari@example.org", "migrene", "+4791234567", "1990"):
            assert private not in text

    def test_cancel_link_in_the_email_works(self, catalogue, client, post_form):
        setup = make_offering(catalogue)
        post_form(setup)
        response = client.get(cancel_link_in(mail.outbox[0]))
        assert response.status_code == 200
        assert soup_of(response).select_one("form[method=post] button") is not None

    def test_failing_email_send_keeps_the_registration(self, catalogue, client, monkeypatch, post_form):
        def fail(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("The mail server is down")

        monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
        setup = make_offering(catalogue)
        response = post_form(setup)
        assert response.status_code == 302
        assert "/bekreftelse/" in response["Location"]
        registration = Registration.objects.get()
        assert registration.status == "place"
        assert occupancy(setup.group).places_taken == 1
        assert client.get(response["Location"]).status_code == 200

    def test_failing_email_backend_keeps_the_registration(self, catalogue, settings, post_form):
        settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
        setup = make_offering(catalogue)
        response = post_form(setup)
        assert response.status_code == 302
        assert Registration.objects.get().status == "place"
        assert occupancy(setup.group).places_taken == 1
        assert mail.outbox == []

    @pytest.mark.parametrize("refused", ["kari@example.org", "org@example.org"])
    def test_one_refused_email_does_not_stop_the_other(self, catalogue, settings, post_form, refused):
        settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
        RefusingEmailBackend.refused = refused
        setup = make_offering(catalogue)
        assert post_form(setup).status_code == 302
        assert Registration.objects.get().status == "place"
        sent_to = [message.to for message in mail.outbox]
        assert sent_to == [
            [address] for address in ("kari@example.org", "org@example.org") if address != refused
        ]


class RefusingEmailBackend(locmem.EmailBackend):
    """Refuses every message to one address, as a mail server refuses a recipient; sends the rest."""

    refused = ""

    def send_messages(self, messages):
        if any(self.refused in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such user")})
        return super().send_messages(messages)


# Cancellation


@pytest.mark.django_db
class TestCancellation:
    @pytest.fixture
    def full_group(self, catalogue, post_form):
        """One place: Ada has it, Bo and Cai wait (in that order)."""
        setup = make_offering(catalogue, places=1)
        setup.responses = {}
        for name in ("ada", "bo", "cai"):
            setup.responses[name] = post_form(setup, name=name.title(), email=f"{name}@example.org")
            assert setup.responses[name].status_code == 302
        setup.registrations = {r.email.split("@")[0]: r for r in Registration.objects.all()}
        setup.cancel_links = {
            message.to[0].split("@")[0]: cancel_link_in(message)
            for message in mail.outbox
            if message.to != ["org@example.org"]
        }
        mail.outbox.clear()
        return setup

    @staticmethod
    def statuses():
        return {r.email.split("@")[0]: r.status for r in Registration.objects.all()}

    def test_get_asks_for_confirmation_and_changes_nothing(self, client, full_group):
        response = client.get(full_group.cancel_links["ada"])
        assert response.status_code == 200
        soup = soup_of(response)
        assert soup.select_one("form[method=post] button[type=submit]") is not None
        assert "Oslo" in soup.get_text()
        assert self.statuses() == {"ada": "place", "bo": "waiting", "cai": "waiting"}
        assert (occupancy(full_group.group).places_taken, occupancy(full_group.group).waiting) == (1, 2)
        assert mail.outbox == []

    def test_post_cancels_and_offers_the_place_to_the_first_waiting(
        self, client, django_capture_on_commit_callbacks, full_group
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(full_group.cancel_links["ada"])
        assert response.status_code == 200
        assert soup_of(response).select_one("[role=status] h1") is not None
        assert self.statuses() == {"ada": "cancelled", "bo": "offered", "cai": "waiting"}
        assert (occupancy(full_group.group).places_taken, occupancy(full_group.group).waiting) == (1, 1)
        assert Registration.objects.get(email="cai@example.org").waiting_position() == 1

        assert [message.to for message in mail.outbox] == [["bo@example.org"]]
        offer = mail.outbox[0]
        assert "Hodepineskolen" in offer.subject
        assert "/pamelding/avmelding/" in offer.body

        # Cai's confirmation page now shows position 1.
        status = soup_of(client.get(full_group.responses["cai"]["Location"])).select_one("[role=status]")
        assert "Du er nummer 1 på ventelisten" in status.get_text()

    def test_second_post_is_harmless(self, client, django_capture_on_commit_callbacks, full_group):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(full_group.cancel_links["ada"]).status_code == 200
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(full_group.cancel_links["ada"]).status_code == 200
            assert client.get(full_group.cancel_links["ada"]).status_code == 200
        assert self.statuses() == {"ada": "cancelled", "bo": "offered", "cai": "waiting"}
        assert (occupancy(full_group.group).places_taken, occupancy(full_group.group).waiting) == (1, 1)
        assert mail.outbox == []

    def test_cancelling_a_waiting_registration_shortens_the_list(
        self, client, django_capture_on_commit_callbacks, full_group
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(full_group.cancel_links["bo"]).status_code == 200
        assert self.statuses() == {"ada": "place", "bo": "cancelled", "cai": "waiting"}
        assert (occupancy(full_group.group).places_taken, occupancy(full_group.group).waiting) == (1, 1)
        assert Registration.objects.get(email="cai@example.org").waiting_position() == 1
        assert mail.outbox == []

    def test_offered_person_cancelling_passes_the_place_on(
        self, client, django_capture_on_commit_callbacks, full_group
    ):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(full_group.cancel_links["ada"])
            client.post(full_group.cancel_links["bo"])
        assert self.statuses() == {"ada": "cancelled", "bo": "cancelled", "cai": "offered"}
        assert (occupancy(full_group.group).places_taken, occupancy(full_group.group).waiting) == (1, 0)
        assert [message.to for message in mail.outbox] == [["bo@example.org"], ["cai@example.org"]]

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_tampered_token_gives_404_and_changes_nothing(self, client, full_group, method):
        link = full_group.cancel_links["ada"]
        token = link.rstrip("/").split("/")[-1]
        tampered_token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
        for bad in (tampered_token, "abc", "x" * 40):
            response = getattr(client, method)(link.replace(token, bad))
            assert response.status_code == 404
            assert "Denne lenken virker ikke" in text_of(response)
        assert self.statuses() == {"ada": "place", "bo": "waiting", "cai": "waiting"}
        assert (occupancy(full_group.group).places_taken, occupancy(full_group.group).waiting) == (1, 2)

    def test_confirmation_token_is_not_a_cancel_token(self, client, full_group):
        location = path_of(full_group.responses["ada"]["Location"])
        confirmation_token = location.rstrip("/").split("/")[-1]
        cancel_path = full_group.page.url + full_group.page.reverse_subpage(
            "cancel", kwargs={"token": confirmation_token}
        )
        assert client.get(cancel_path).status_code == 404
        assert client.post(cancel_path).status_code == 404
        assert self.statuses()["ada"] == "place"
        # And the other way round: a cancel token does not open the confirmation page.
        ada = full_group.registrations["ada"]
        confirmation_path = full_group.page.url + full_group.page.reverse_subpage(
            "confirmation", kwargs={"token": make_token(ada, CANCEL_SALT)}
        )
        assert client.get(confirmation_path).status_code == 404
        assert make_token(ada, CONFIRMATION_SALT) != make_token(ada, CANCEL_SALT)

    def test_token_for_another_form_page_gives_404(self, catalogue, client, full_group):
        other = make_offering(catalogue, groups=("Andre",), title="Søvnskolen")
        token = full_group.cancel_links["ada"].rstrip("/").split("/")[-1]
        path = other.page.url + other.page.reverse_subpage("cancel", kwargs={"token": token})
        assert client.post(path).status_code == 404
        assert self.statuses()["ada"] == "place"


# Query counts, pinned: they do not grow with the offering's groups or the form's own questions.

# Routing (site, 4 page levels), view restrictions (2), groups, questions; the transaction (savepoint,
# group lock with the offering's settings, occupancy, occupancy update, insert, release).
POST_QUERIES = 15
# Both emails: one narrow row for the registration, its form page, offering, first session and
# companion; then one UPDATE that records the confirmation as sent (the confirmation page says so).
EMAIL_QUERIES = 2


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.mark.parametrize("size", [1, 5])
    def test_a_registration_post_costs_the_same_for_any_number_of_groups_and_questions(
        self, catalogue, client, django_capture_on_commit_callbacks, django_assert_num_queries, size
    ):
        setup = make_offering(catalogue, groups=[f"Gruppe {n}" for n in range(size)])
        for number in range(size):
            RegistrationFormField.objects.create(
                page=setup.page, label=f"Spørsmål {number}", field_type="singleline", required=False
            )
        # First registration creates the group's occupancy row; measure the next ones.
        assert client.post(setup.page.url, form_data(setup, email="first@example.org")).status_code == 302
        with (
            django_capture_on_commit_callbacks(execute=False) as callbacks,
            django_assert_num_queries(POST_QUERIES),
        ):
            response = client.post(setup.page.url, form_data(setup))
        assert response.status_code == 302
        with django_assert_num_queries(EMAIL_QUERIES):
            for callback in callbacks:
                callback()
        assert len(mail.outbox) == 2
