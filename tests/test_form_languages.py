"""The registration form in bokmål, nynorsk and English takes dates the Norwegian way (17.05.1990), and
in ISO 8601 (1990-05-17), says so in its own language, and explains a date it cannot read; and numbers
and prices are written the way each language writes them (lms_pages.formats).
"""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import Locale, Site

from lms_forms.models import Registration, RegistrationFormField
from lms_pages.formats import local_number, local_price
from lms_pages.translations import mirror_page_trees
from tests.test_registration import (
    _registration_settings,  # noqa: F401 -- the fixture, for this module's tests
    field_errors,
    form_data,
    make_offering,
)

HELP = {
    "nb": "Skriv datoen som dd.mm.åååå, for eksempel 17.05.1990.",
    "nn": "Skriv datoen som dd.mm.åååå, til dømes 17.05.1990.",
    "en": "Write the date as dd.mm.yyyy, for example 17.05.1990.",
}
INVALID = {
    "nb": "Skriv inn en gyldig dato som dd.mm.åååå, for eksempel 17.05.1990.",
    "nn": "Skriv inn ein gyldig dato som dd.mm.åååå, til dømes 17.05.1990.",
    "en": "Enter a real date as dd.mm.yyyy, for example 17.05.1990.",
}
DATETIME_HELP = {
    "nb": "Skriv dato og klokkeslett som dd.mm.åååå tt.mm, for eksempel 17.05.2030 14.30.",
    "nn": "Skriv dato og klokkeslett som dd.mm.åååå tt.mm, til dømes 17.05.2030 14.30.",
    "en": "Write the date and time as dd.mm.yyyy hh:mm, for example 17.05.2030 14:30.",
}


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def words(element):
    return " ".join(element.get_text(" ").split())


def form_page_in(setup, language):
    if language == "nb":
        return setup.page
    return setup.page.get_translation(Locale.objects.get(language_code=language)).specific


@pytest.fixture
def setup(catalogue):
    """A form asking for the date of birth, with the editor's own date and date-and-time questions,
    translated into nynorsk and English."""
    setup = make_offering(catalogue, health_field=False)
    RegistrationFormField.objects.create(
        page=setup.page, label="Operasjonsdato", field_type="date", required=False
    )
    RegistrationFormField.objects.create(
        page=setup.page,
        label="Samtaletid",
        help_text="Når passer det å ringe deg?",
        field_type="datetime",
        required=False,
    )
    mirror_page_trees(Site.objects.get(is_default_site=True))
    for code in ("nn", "en"):
        translation = form_page_in(setup, code)
        translation.alias_of = None
        translation.save_revision().publish()
    return setup


def post(client, setup, language, **overrides):
    return client.post(form_page_in(setup, language).url, form_data(setup, **overrides))


LANGUAGES = ["nb", "nn", "en"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
class TestDates:
    def test_the_help_text_names_the_format_in_the_language(self, setup, client, language):
        response = client.get(form_page_in(setup, language).url)
        assert response.status_code == 200
        soup = soup_of(response)
        assert soup.html["lang"] == language
        assert words(soup.select_one("#id_birth_date_helptext")) == HELP[language]
        assert words(soup.select_one("#id_operasjonsdato_helptext")) == HELP[language]
        # The editor's help text stays, and the format follows it.
        assert words(soup.select_one("#id_samtaletid_helptext")) == (
            f"Når passer det å ringe deg? {DATETIME_HELP[language]}"
        )
        birth_date = soup.select_one("#id_birth_date")
        assert birth_date["type"] == "text"
        assert birth_date["autocomplete"] == "bday"
        assert birth_date["aria-describedby"].startswith("id_birth_date_helptext")

    @pytest.mark.parametrize("typed", ["17.05.1990", "17.5.1990", "1990-05-17"])
    def test_the_norwegian_and_the_iso_format_are_taken(self, setup, client, language, typed):
        response = post(client, setup, language, birth_date=typed)
        assert response.status_code == 302, field_errors(response)
        registration = Registration.objects.get()
        assert registration.birth_date == datetime.date(1990, 5, 17)
        assert registration.language == language

    def test_the_editors_date_questions_take_the_same_formats(self, setup, client, language):
        response = post(client, setup, language, operasjonsdato="03.02.2031", samtaletid="17.05.2030 14.30")
        assert response.status_code == 302, field_errors(response)
        answers = Registration.objects.get().answers
        assert str(answers["operasjonsdato"]).startswith("2031-02-03")
        called = datetime.datetime.fromisoformat(str(answers["samtaletid"]))
        assert timezone.localtime(called).replace(tzinfo=None) == datetime.datetime(2030, 5, 17, 14, 30)

    @pytest.mark.parametrize("typed", ["05/17/1990", "31.02.1990", "17 mai 1990", "1990"])
    def test_a_date_it_cannot_read_is_explained_in_the_language(self, setup, client, language, typed):
        response = post(client, setup, language, birth_date=typed)
        assert response.status_code == 200
        assert INVALID[language] in field_errors(response)["birth_date"]
        summary = words(soup_of(response).select_one(".lms-error-summary"))
        assert INVALID[language] in summary
        assert not Registration.objects.exists()

    def test_a_wrong_date_in_an_editors_question_is_explained_too(self, setup, client, language):
        response = post(client, setup, language, operasjonsdato="2031/02/03")
        assert response.status_code == 200
        assert INVALID[language] in field_errors(response)["operasjonsdato"]
        assert not Registration.objects.exists()


# Numbers and prices


@pytest.mark.parametrize(
    "language, amount, expected",
    [
        ("nb", Decimal("1500.00"), "1\xa0500\xa0kr"),
        ("nn", Decimal("1500"), "1\xa0500\xa0kr"),
        ("en", Decimal("1500.00"), "NOK\xa01,500"),
        ("nb", Decimal("350.50"), "350,50\xa0kr"),
        ("en", Decimal("12500.5"), "NOK\xa012,500.50"),
        ("nb", 0, "0\xa0kr"),
        # A language without formats of its own is written the bokmål way.
        ("se", Decimal("1500"), "1\xa0500\xa0kr"),
    ],
)
def test_a_price_is_written_the_way_the_language_writes_it(language, amount, expected):
    assert local_price(amount, language) == expected


@pytest.mark.parametrize(
    "language, expected", [("nb", "12\xa0345"), ("nn", "12\xa0345"), ("en", "12,345"), ("se", "12\xa0345")]
)
def test_a_number_is_grouped_the_way_the_language_groups_it(language, expected):
    assert local_number(12345, language=language) == expected
    assert local_number(7, language=language) == "7"
    assert local_number(None, language=language) == ""


def test_a_number_is_rounded_to_its_decimals_not_cut():
    assert local_number(85.71) == "86"
    assert local_number(7.35, 1) == "7,4"
    assert local_number(7.349, 1, language="en") == "7.3"
