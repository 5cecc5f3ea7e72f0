"""The offering page promises what its registration method gives, and the form speaks plainly.

Only a live form on this site that takes registrations now is offered as a form with a sign-up button;
a referral, an email address, a phone number or a coordinator is named for what it is. An empty form sent
at once hears what is missing, not that it was sent too fast; the error summary reads as sentences.

Expected texts are looked up through gettext in the page's language, so the tests hold before and after
a string is translated.
"""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from django.utils.translation import gettext

from lms_forms.forms import summary_line
from lms_forms.models import Registration, RegistrationFormField
from lms_pages.formats import local_format
from lms_pages.models import RegistrationMethod, RegistrationState, Status
from tests.factories import OfferingPageFactory, oslo
from tests.test_registration import form_data, make_offering, started_token

CONTACT = {
    "contact_name": "Kari Koordinator",
    "contact_email": "lms@example.org",
    "contact_phone": "22 11 80 80",
}


@pytest.fixture(autouse=True)
def _registration_settings(settings):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def words(element):
    return " ".join(element.get_text(" ").split())


def registration_box(soup):
    return soup.select_one("section.lms-registration")


def buttons(soup):
    return [words(link) for link in soup.select("a.lms-button")]


def links_to(soup, url):
    return [link for link in soup.select("a[href]") if link["href"].startswith(url)]


@pytest.mark.django_db
class TestEachMethodPromisesWhatItGives:
    def test_a_live_open_form_is_offered_with_a_sign_up_button(self, catalogue, get_soup):
        setup = make_offering(catalogue)
        soup = get_soup(setup.offering.url)
        (button,) = soup.select("section.lms-registration a.lms-button")
        assert button["href"] == setup.page.url
        assert words(button) == gettext("Register")
        assert {badge["class"][-1] for badge in soup.select(".lms-state")} == {"lms-state--open"}

    def test_the_form_method_without_a_live_form_offers_no_form(self, catalogue, get_soup):
        offering = OfferingPageFactory(
            parent=catalogue, registration_method=RegistrationMethod.FORM, **CONTACT
        )
        soup = get_soup(offering.url)
        box = registration_box(soup)
        assert buttons(soup) == []
        assert gettext("Registration is open.") not in words(box)
        assert gettext("Registration on this site is not available at the moment.") in words(box)
        assert box.select_one('a[href="mailto:lms@example.org"]') is not None

    def test_referral_says_how_to_get_one(self, catalogue, get_soup):
        offering = OfferingPageFactory(parent=catalogue, registration_method=RegistrationMethod.REFERRAL)
        soup = get_soup(offering.url)
        box = words(registration_box(soup))
        assert buttons(soup) == []
        assert (
            gettext(
                "You need a referral to take part. Ask your doctor (GP) or the health service that treats you "
                "to refer you."
            )
            in box
        )

    def test_email_shows_the_address_as_a_mailto_link(self, catalogue, get_soup):
        offering = OfferingPageFactory(
            parent=catalogue, registration_method=RegistrationMethod.EMAIL, contact_email="kurs@example.org"
        )
        soup = get_soup(offering.url)
        box = registration_box(soup)
        (link,) = box.select("a[href^=mailto]")
        assert link["href"] == "mailto:kurs@example.org"
        assert words(link) == "kurs@example.org"
        assert gettext("Register by email to") in words(box)
        assert buttons(soup) == []

    def test_phone_shows_the_number_as_a_tel_link(self, catalogue, get_soup):
        offering = OfferingPageFactory(
            parent=catalogue, registration_method=RegistrationMethod.PHONE, contact_phone="22 11 80 80"
        )
        soup = get_soup(offering.url)
        box = registration_box(soup)
        (link,) = box.select("a[href^=tel]")
        assert link["href"] == "tel:22118080"
        assert words(link) == "22 11 80 80"
        assert gettext("Register by phone on") in words(box)
        assert buttons(soup) == []

    def test_no_registration_says_none_is_needed(self, catalogue, get_soup):
        offering = OfferingPageFactory(parent=catalogue, registration_method=RegistrationMethod.NONE)
        soup = get_soup(offering.url)
        assert gettext("You do not need to register. Just come.") in words(registration_box(soup))
        assert buttons(soup) == []


@pytest.mark.django_db
class TestCoordinator:
    """Recruited through a coordinator or an employer: never a form, closed or open, on this site."""

    @pytest.mark.parametrize(
        "fields",
        [
            pytest.param({}, id="open"),
            pytest.param({"status": Status.CLOSED}, id="closed"),
            pytest.param({"status": Status.FULL}, id="full"),
            pytest.param({"registration_closes": oslo(2020, 1, 1)}, id="window-passed"),
            pytest.param({"registration_opens": oslo(2099, 1, 1)}, id="window-to-come"),
        ],
    )
    def test_the_offering_page_names_whom_to_contact_and_offers_no_form(self, catalogue, get_soup, fields):
        # An editor left a registration form under it: it is neither offered nor listed.
        setup = make_offering(
            catalogue, registration_method=RegistrationMethod.COORDINATOR, **CONTACT, **fields
        )
        soup = get_soup(setup.offering.url)
        box = registration_box(soup)
        text = words(box)
        assert (
            gettext(
                "Participants are recruited through a coordinator or employer. You cannot sign up for this "
                "offering yourself."
            )
            in text
        )
        assert "Kari Koordinator" in text
        assert box.select_one('a[href="mailto:lms@example.org"]') is not None
        assert box.select_one('a[href="tel:22118080"]') is not None
        assert buttons(soup) == []
        assert links_to(soup, setup.page.url) == []
        for promise in (
            "Registration is closed.",
            "Registration is open.",
            "Register",
            "Tell me when registration opens",
        ):
            assert gettext(promise) not in text, promise
        badges = soup.select(".lms-state")
        assert badges
        assert {badge["class"][-1] for badge in badges} == {"lms-state--recruited"}

    def test_the_catalogue_card_says_recruited(self, catalogue, get_soup):
        offering = OfferingPageFactory(
            parent=catalogue, title="Arbeidsrettet kurs", registration_method=RegistrationMethod.COORDINATOR
        )
        card = next(
            card for card in get_soup(catalogue.url).select(".lms-card") if offering.title in words(card)
        )
        (badge,) = card.select(".lms-state")
        assert "lms-state--recruited" in badge["class"]
        assert words(badge) == str(RegistrationState.RECRUITED.label)

    def test_the_state_is_recruited_whatever_the_status_but_cancelled(self, catalogue):
        offering = OfferingPageFactory(parent=catalogue, registration_method=RegistrationMethod.COORDINATOR)
        for status in (Status.OPEN, Status.PLANNED, Status.FULL, Status.CLOSED):
            offering.status = status
            assert offering.registration_state() == RegistrationState.RECRUITED, status
        offering.status = Status.CANCELLED
        assert offering.registration_state() == RegistrationState.CANCELLED

    def test_a_form_left_under_it_shows_no_form_and_takes_nothing(self, catalogue, client, get_soup):
        setup = make_offering(catalogue, registration_method=RegistrationMethod.COORDINATOR, **CONTACT)
        soup = get_soup(setup.page.url)
        assert soup.select_one(".lms-page form") is None
        notice = words(soup.select_one(".lms-notice"))
        assert gettext("Registration is closed.") not in notice
        assert "lms@example.org" in notice
        response = client.post(setup.page.url, form_data(setup))
        assert response.status_code == 409
        assert not Registration.objects.exists()

    @pytest.mark.parametrize("method", [RegistrationMethod.EMAIL, RegistrationMethod.REFERRAL])
    def test_a_form_left_under_another_method_takes_nothing(self, catalogue, client, method):
        setup = make_offering(catalogue, registration_method=method, **CONTACT)
        assert client.post(setup.page.url, form_data(setup)).status_code == 409
        assert not Registration.objects.exists()


@pytest.mark.django_db
class TestNotOpenYet:
    def test_the_offering_page_names_the_day_and_offers_a_notice(self, catalogue, get_soup):
        opens = oslo(2099, 3, 1, 12)
        setup = make_offering(catalogue, registration_opens=opens)
        soup = get_soup(setup.offering.url)
        box = registration_box(soup)
        expected = gettext("Registration opens on %(opens)s.") % {"opens": local_format(opens, "datetime")}
        assert expected in words(box)
        assert "1. mars 2099, 12.00" in expected
        (link,) = box.select("a.lms-opening-notice-link")
        assert link["href"] == setup.page.url
        assert words(link) == gettext("Tell me when registration opens")
        assert buttons(soup) == []

    def test_the_form_page_names_the_day_and_carries_the_notice_form(self, catalogue, get_soup):
        opens = oslo(2099, 3, 1, 12)
        setup = make_offering(catalogue, registration_opens=opens)
        soup = get_soup(setup.page.url)
        expected = gettext("Registration opens on %(opens)s.") % {"opens": local_format(opens, "datetime")}
        assert expected in words(soup.select_one(".lms-notice"))
        (form,) = soup.select(".lms-page form")
        assert form["action"].startswith(setup.page.url + "varsle/")
        names = [field["name"] for field in form.select("input") if field.get("type") != "hidden"]
        assert names == ["email", "website"]
        assert form.select_one("input[name=email]")["autocomplete"] == "email"

    def test_an_open_registration_offers_no_notice(self, catalogue, get_soup):
        setup = make_offering(catalogue)
        soup = get_soup(setup.page.url)
        assert soup.select_one(".lms-opening-notice") is None
        assert get_soup(setup.offering.url).select_one("a.lms-opening-notice-link") is None


@pytest.mark.django_db
class TestHoneypot:
    def assert_hidden(self, soup):
        field = soup.select_one("input[name=website]")
        wrapper = field.find_parent(class_="lms-hp")
        assert wrapper is not None
        assert wrapper["aria-hidden"] == "true"
        assert field["tabindex"] == "-1"
        assert field["autocomplete"] == "off"

    def test_the_registration_forms_honeypot_is_hidden_from_everyone(self, catalogue, get_soup):
        self.assert_hidden(get_soup(make_offering(catalogue).page.url))

    def test_the_notice_forms_honeypot_is_hidden_from_everyone(self, catalogue, get_soup):
        setup = make_offering(catalogue, registration_opens=timezone.now() + datetime.timedelta(days=3))
        self.assert_hidden(get_soup(setup.page.url))


TOO_FAST = "The form was sent too quickly. Check your answers and send it again."


@pytest.mark.django_db
class TestEmptySubmit:
    def test_an_empty_form_sent_at_once_hears_what_is_missing(self, catalogue, client, settings):
        settings.LMS_FORMS_MIN_FILL_SECONDS = 3
        setup = make_offering(catalogue)
        # A person presses "send" on the empty form at once: only the hidden start time goes with it.
        response = client.post(setup.page.url, {"started": started_token(seconds_ago=0), "website": ""})
        soup = soup_of(response)
        summary = words(soup.select_one(".lms-error-summary"))
        assert gettext(TOO_FAST) not in words(soup)
        assert gettext("This field is required.") in summary
        assert soup.select_one("a[href='#id_name']") is not None
        assert not Registration.objects.exists()

    def test_a_complete_form_sent_too_fast_is_still_refused(self, catalogue, client, settings):
        """The control: the check is still there for a form that is otherwise valid."""
        settings.LMS_FORMS_MIN_FILL_SECONDS = 3
        setup = make_offering(catalogue)
        response = client.post(setup.page.url, form_data(setup, started=started_token(seconds_ago=0)))
        assert response.status_code == 400
        assert gettext(TOO_FAST) in words(soup_of(response))
        assert not Registration.objects.exists()


@pytest.mark.django_db
class TestErrorSummaryPunctuation:
    def test_every_line_reads_as_one_sentence(self, catalogue, client):
        setup = make_offering(catalogue, min_age=18, age_check="confirmation")
        RegistrationFormField.objects.create(
            page=setup.page, label="Bruker du faste medisiner?", field_type="singleline", required=True
        )
        RegistrationFormField.objects.create(
            page=setup.page, label="Allergier:", field_type="singleline", required=True
        )
        response = client.post(setup.page.url, {"started": started_token(), "website": ""})
        lines = [words(item) for item in soup_of(response).select(".lms-error-summary li")]
        assert len(lines) >= 6, lines
        required = gettext("This field is required.")
        for line in lines:
            assert "::" not in line, line
            assert ".." not in line, line
            assert "?:" not in line and ".:" not in line, line
            assert line.endswith((".", "?", "!")), line
        assert f"Bruker du faste medisiner? {required}" in lines
        assert f"Allergier: {required}" in lines
        assert f"{gettext('Full name')}: {required}" in lines
        # The age confirmation's label is a sentence ("I am 18 years old or older."), so no colon follows.
        age_line = next(line for line in lines if "18" in line)
        assert ".:" not in age_line and age_line.count(":") == 0, age_line

    @pytest.mark.parametrize(
        ("label", "message", "line"),
        [
            ("Email", "Enter a valid email address.", "Email: Enter a valid email address."),
            ("Email:", "Enter a valid email address.", "Email: Enter a valid email address."),
            ("Allergies?", "This field is required.", "Allergies? This field is required."),
            ("I am 18 or older.", "Required.", "I am 18 or older. Required."),
            ("Name", "Required..", "Name: Required."),
            ("Name", "Required", "Name: Required."),
            ("<b>Notice</b>: <a href='#'>Title</a>.", "Accept it.", "Notice: Title. Accept it."),
            ("", "Something went wrong", "Something went wrong."),
        ],
    )
    def test_summary_line(self, label, message, line):
        assert summary_line(label, message) == line
