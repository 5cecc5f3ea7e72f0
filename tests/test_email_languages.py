"""Every email to a registrant is written in the language of the form they sent, whoever sends it, and
whenever: the confirmation, the waiting list, an offered place, an administrator's resend and the
notice that registration opens. Subject, text, status lines, dates, names and links are all in that
language, and nothing of another language leaks in. A language without a catalogue of its own (Northern
Sami) gets bokmål.

The emails are sent with another language active than the registrant's (as a task or an administrator
in the admin would), so that only the registration's own language can make them right.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone, translation
from wagtail.models import Locale, Site

from lms_forms.languages import email_language
from lms_forms.models import OpeningNotice, Registration, RegistrationFormPage
from lms_forms.services import opening_notices, status
from lms_forms.services.opening_notices import send_opening_notices
from lms_forms.services.waiting_list import cancel
from lms_pages.models import OfferingGroup
from lms_pages.translations import mirror_page_trees
from tests.test_registration import (
    _registration_settings,  # noqa: F401 -- the fixture, for this module's tests
    form_data,
    make_offering,
)

LINK = re.compile(r"https?://\S+")

# What each language's emails say, and what only that language says: the other languages' markers
# must not appear in an email.
EXPECTED = {
    "nb": {
        "subject": "Påmeldingen din",
        "thanks": "Takk for at du meldte deg på Hodepineskolen (Oslo).",
        "place": "Status: Du har fått plass.",
        "waiting": "Status: Du er nummer 1 på ventelisten.",
        "first_session": "Første samling: tirsdag 15. januar 2030, 18.00",
        "prefix": "",
    },
    "nn": {
        "subject": "Påmeldinga di",
        "thanks": "Takk for at du melde deg på Hodepineskolen (Oslo).",
        "place": "Status: Du har fått plass.",
        "waiting": "Status: Du er nummer 1 på ventelista.",
        "first_session": "Første samling: tysdag 15. januar 2030, 18.00",
        "prefix": "/nn",
    },
    "en": {
        "subject": "Your registration",
        "thanks": "Thank you for registering for Hodepineskolen (Oslo).",
        "place": "Status: You have a place.",
        "waiting": "Status: You are number 1 on the waiting list.",
        "first_session": "First session: Tuesday 15 January 2030, 18:00",
        "prefix": "/en",
    },
}
MARKERS = {
    "nb": ["Påmeldingen", "meldte deg", "tirsdag", "ventelisten", "Hei", "plass", "samling"],
    "nn": ["Påmeldinga", "melde deg på", "tysdag", "ventelista", "Hei", "plass", "samling"],
    "en": [
        "Your registration",
        "Thank you",
        "Hello",
        "Tuesday",
        "waiting list",
        "place",
        "session",
        "January",
    ],
}


def leaked(message, language):
    """The markers of other languages found in the message (bokmål and nynorsk share many words, so a
    Norwegian email is checked against English, and against the other Norwegian's own forms)."""
    text = message.subject + "\n" + message.body
    found = []
    for other, markers in MARKERS.items():
        if other == language:
            continue
        shared = set(MARKERS[language]) if {language, other} == {"nb", "nn"} else set()
        found += [marker for marker in markers if marker not in shared and marker in text]
    return found


def other_than(language):
    return "en" if language != "en" else "nb"


def version(page, code):
    return page.get_translation(Locale.objects.get(language_code=code)).specific


def path_of(url):
    return urlsplit(url).path


def links_in(message):
    return [path_of(link) for link in LINK.findall(message.body)]


def translate(page, code, **fields):
    """Turn the alias of `page` in `code` into a translation (with `fields`), as an editor does."""
    translation_ = version(page, code)
    translation_.alias_of = None
    for name, value in fields.items():
        setattr(translation_, name, value)
    translation_.save_revision().publish()
    return translation_


def in_every_language(catalogue, before_translating=None, **offering_fields):
    """An offering whose form page is translated into nynorsk and English (the offering itself stays
    an alias there). `before_translating(page)` may change the bokmål form page first."""
    setup = make_offering(catalogue, health_field=False, **offering_fields)
    if before_translating is not None:
        before_translating(RegistrationFormPage.objects.get(pk=setup.page.pk))
    mirror_page_trees(Site.objects.get(is_default_site=True))
    for code in ("nn", "en"):
        translate(setup.page, code)
    return setup


@pytest.fixture
def setup(catalogue):
    """One group with one place and a waiting list; its form in bokmål, nynorsk and English."""
    return in_every_language(catalogue, places=1)


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    """POST the form of the `language` version of the form page; run the emails afterwards with another
    language active (as a worker would)."""

    def post(setup, language, **overrides):
        page = setup.page if language == "nb" else version(setup.page, language)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(page.url, form_data(setup, **overrides))
        assert response.status_code == 302, response.content.decode()[:2000]
        with translation.override(other_than(language)):
            for callback in callbacks:
                callback()
        return Registration.objects.get(email=overrides.get("email", "kari@example.org"))

    return post


def confirmation_to(address):
    (message,) = [message for message in mail.outbox if message.to == [address]]
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
class TestConfirmation:
    def test_the_registration_keeps_the_language_of_the_form(self, setup, register, language):
        assert register(setup, language).language == language

    def test_a_place_is_confirmed_entirely_in_the_language(self, setup, register, language):
        register(setup, language)
        message = confirmation_to("kari@example.org")
        expected = EXPECTED[language]
        assert message.subject == expected["subject"]
        for line in ("thanks", "place", "first_session"):
            assert expected[line] in message.body
        assert leaked(message, language) == []

    def test_the_cancel_link_leads_to_the_form_in_the_language(self, setup, register, client, language):
        register(setup, language)
        (link,) = links_in(confirmation_to("kari@example.org"))
        assert link.startswith(EXPECTED[language]["prefix"] + "/hodepineskolen/pamelding/avmelding/")
        response = client.get(link)
        assert response.status_code == 200
        assert response["Content-Language"] == language

    def test_the_waiting_list_is_confirmed_in_the_language(self, setup, register, language):
        register(setup, "nb", email="first@example.org")
        register(setup, language)
        message = confirmation_to("kari@example.org")
        assert message.subject == EXPECTED[language]["subject"]
        assert EXPECTED[language]["waiting"] in message.body
        assert leaked(message, language) == []

    def test_an_offered_place_is_written_in_the_language(
        self, setup, register, django_capture_on_commit_callbacks, language
    ):
        first = register(setup, other_than(language), email="first@example.org")
        register(setup, language)
        mail.outbox.clear()
        # The first cancels in their language; the place is offered to Kari in hers.
        with (
            translation.override(other_than(language)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            cancel(first)
        message = confirmation_to("kari@example.org")
        offered = Registration.objects.get(email="kari@example.org")
        assert offered.status == "offered"
        assert {"nb": "Svar innen", "nn": "Svar innan", "en": "Answer by"}[language] in message.body
        assert {"nb": "tirsdag", "nn": "tysdag", "en": "Tuesday"}[language] in message.body
        assert leaked(message, language) == []
        assert all(link.startswith(EXPECTED[language]["prefix"] + "/") for link in links_in(message))

    def test_an_administrators_resend_is_in_the_registrants_language(
        self, setup, register, django_capture_on_commit_callbacks, language
    ):
        registration = register(setup, language)
        mail.outbox.clear()
        # The administrator's admin speaks another language.
        with (
            translation.override(other_than(language)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            status.resend_email(registration)
        message = confirmation_to("kari@example.org")
        assert message.subject == EXPECTED[language]["subject"]
        assert EXPECTED[language]["first_session"] in message.body
        assert leaked(message, language) == []

    def test_the_organisers_notice_stays_in_the_sites_language(self, setup, register, language):
        register(setup, language)
        message = confirmation_to("org@example.org")
        assert message.body.startswith("Det har kommet en ny påmelding til Hodepineskolen")


def own_bokmal_text(page):
    page.confirmation_subject = "Velkommen til hodepineskolen"
    page.confirmation_text = "Hei {name}! Ta med matpakke. {status} {cancel_link}"
    page.save_revision().publish()


@pytest.mark.django_db
class TestTextsOfTheirOwn:
    def test_an_editors_own_text_is_used_in_its_language(self, catalogue, register):
        setup = in_every_language(catalogue, own_bokmal_text)
        register(setup, "nb")
        message = confirmation_to("kari@example.org")
        assert message.subject == "Velkommen til hodepineskolen"
        assert message.body.startswith("Hei Kari Nordmann! Ta med matpakke. Du har fått plass. http")

    def test_a_bokmal_text_left_untranslated_gives_way_to_the_built_in_one(self, catalogue, register):
        # The translations were made from a page with a text of its own, and nobody translated it.
        setup = in_every_language(catalogue, own_bokmal_text)
        register(setup, "nn", email="nn@example.org")
        register(setup, "en", email="en@example.org")
        for address, language in (("nn@example.org", "nn"), ("en@example.org", "en")):
            message = confirmation_to(address)
            assert message.subject == EXPECTED[language]["subject"]
            assert "matpakke" not in message.body
            assert leaked(message, language) == []

    def test_a_translation_writes_its_own_text_title_and_group(self, setup, register):
        english = version(setup.page, "en")
        english.confirmation_subject = "Welcome to the headache school"
        english.confirmation_text = "Hello {name}, see you in {offering}, {group}. {status} {cancel_link}"
        english.save_revision().publish()
        offering = translate(setup.offering, "en", title="The headache school")
        OfferingGroup.objects.filter(offering_id=offering.pk).update(name="Oslo, in English")
        register(setup, "en")
        message = confirmation_to("kari@example.org")
        assert message.subject == "Welcome to the headache school"
        assert message.body.startswith(
            "Hello Kari Nordmann, see you in The headache school, Oslo, in English. You have a place."
        )

    def test_an_untranslated_page_registers_and_writes_in_the_language_of_its_text(
        self, catalogue, client, django_capture_on_commit_callbacks
    ):
        # The nynorsk address of a page that exists only in bokmål shows bokmål, and so is its email.
        setup = make_offering(catalogue, health_field=False)
        mirror_page_trees(Site.objects.get(is_default_site=True))
        alias = version(setup.page, "nn")
        assert alias.url.startswith("/nn/")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(alias.url, form_data(setup))
        assert response.status_code == 302
        assert Registration.objects.get().language == "nb"
        message = confirmation_to("kari@example.org")
        assert message.subject == EXPECTED["nb"]["subject"]
        assert leaked(message, "nb") == []


@pytest.mark.django_db
class TestWithoutACatalogue:
    def test_a_language_without_its_own_catalogue_is_written_to_in_bokmal(self):
        assert email_language("se") == "nb"
        assert email_language("") == "nb"
        assert [email_language(code) for code in ("nb", "nn", "en")] == ["nb", "nn", "en"]

    def test_a_sami_registration_gets_its_emails_in_bokmal(
        self, setup, register, django_capture_on_commit_callbacks
    ):
        registration = register(setup, "en")
        Registration.objects.filter(pk=registration.pk).update(language="se")
        mail.outbox.clear()
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            status.resend_email(Registration.objects.get(pk=registration.pk))
        message = confirmation_to("kari@example.org")
        assert message.subject == EXPECTED["nb"]["subject"]
        assert EXPECTED["nb"]["first_session"] in message.body
        assert EXPECTED["nb"]["place"] in message.body
        assert leaked(message, "nb") == []


# Opening notices


@pytest.fixture
def opens():
    return timezone.now() + datetime.timedelta(days=2)


@pytest.fixture
def not_open_yet(catalogue, opens):
    return in_every_language(
        catalogue,
        registration_opens=opens,
        registration_closes=datetime.datetime(2029, 12, 4, 12, tzinfo=datetime.UTC),
    )


NOTICE_EXPECTED = {
    "nb": ("Bekreft e-postadressen din", "Påmeldingen er åpen", "4. desember 2029, 13.00", ""),
    "nn": ("Stadfest e-postadressa di", "Påmeldinga er open", "4. desember 2029, 13.00", "/nn"),
    "en": ("Confirm your email", "Registration is open", "4 December 2029, 13:00", "/en"),
}


# Words of the other languages that a notice must not hold.
FOREIGN_TO = {
    "nb": ["Hello", "Confirm", "registration", "December", "Påmeldinga", "opna", "Stadfest"],
    "nn": ["Hello", "Confirm", "registration", "December", "Påmeldingen", "er åpen", "Bekreft"],
    "en": ["Hei", "Bekreft", "Stadfest", "påmelding", "Påmelding", "desember"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_opening_notices_are_written_in_the_language_asked_in(
    not_open_yet, client, django_capture_on_commit_callbacks, opens, language
):
    page = not_open_yet.page if language == "nb" else version(not_open_yet.page, language)
    confirm_word, opened, closes, prefix = NOTICE_EXPECTED[language]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            page.url + page.reverse_subpage("opening_notice"), {"email": "kari@example.org", "website": ""}
        )
    assert response.status_code in (200, 302)
    assert OpeningNotice.objects.get().language == language
    with translation.override(other_than(language)):
        for callback in callbacks:
            callback()
    (asking,) = mail.outbox
    assert confirm_word in asking.subject
    assert all(link.startswith(prefix + "/hodepineskolen/pamelding/varsle/") for link in links_in(asking))
    assert [word for word in FOREIGN_TO[language] if word in asking.subject + asking.body] == []

    opening_notices.confirm(OpeningNotice.objects.get())
    mail.outbox.clear()
    with translation.override(other_than(language)):
        assert send_opening_notices(now=opens + datetime.timedelta(minutes=1))["sent"] == 1
    (message,) = mail.outbox
    assert opened in message.subject
    assert closes in message.body
    assert links_in(message) == [prefix + "/hodepineskolen/pamelding/"]
    assert [word for word in FOREIGN_TO[language] if word in message.subject + message.body] == []
