"""Moving between the languages in a browser: the switcher goes to each language's version of the page,
an untranslated page says so in the visitor's language, axe finds nothing in any language, and a
registration in nynorsk takes a place in the bokmål offering's group."""

import re

import pytest
from playwright.sync_api import expect

from lms_forms.models import Registration
from lms_pages.models import OfferingPage

from .helpers import INFORMATION, OPEN_OFFERING, assert_no_axe_violations, fill_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def switch_to(page, language):
    page.get_by_role("navigation", name=re.compile("^(Velg språk|Vel språk|Choose language)$")).get_by_role(
        "link", name=language
    ).click()
    page.wait_for_load_state()


NYNORSK_OFFERING = "/nn/nar-hovudet-blir-ei-pine/"
ENGLISH_OFFERING = "/en/when-your-head-becomes-a-torment/"

# Pages of every language tree of the demo: the genuine translations, the Sami information page with its
# Sami lines, and untranslated pages, which show the original with a notice in the visitor's language.
PAGES_IN_EVERY_LANGUAGE = {
    "nb": ["/", OPEN_OFFERING, INFORMATION],
    "nn": ["/nn/", NYNORSK_OFFERING, "/nn" + INFORMATION],
    "en": ["/en/", ENGLISH_OFFERING, "/en" + INFORMATION, "/en/mestringstreff/"],
    "se": ["/se/", "/se" + INFORMATION, "/se" + OPEN_OFFERING],
}
# The same on the second site, Nordhordland's: written in nynorsk, translated into bokmål.
NORDHORDLAND = "nordhordland.localhost"
NORDHORDLAND_PAGES = {
    "nb": ["/", "/nordhordland-levevanar-og-meistring/", "/kurs-i-levevaner-og-mestring/"],
    "nn": [
        "/nn/",
        "/nn/levevanar-og-meistring-i-nordhordland/",
        "/nn/kurs-i-levevanar-og-meistring/",
        "/nn/teieplikt/",
    ],
    "en": ["/en/"],
    "se": ["/se/kurs-i-levevaner-og-mestring/"],
}


def test_the_switcher_leads_to_each_languages_version(demo_site, page):
    page.goto(demo_site("/"))
    switch_to(page, "Norsk nynorsk")
    expect(page).to_have_url(demo_site("/nn/"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lærings- og meistringstilbod")

    page.get_by_role("link", name="Når hovudet blir ei pine", exact=False).first.click()
    expect(page).to_have_url(demo_site(NYNORSK_OFFERING))
    switch_to(page, "English")
    expect(page).to_have_url(demo_site(ENGLISH_OFFERING))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2, name="Registration")).to_be_visible()
    switch_to(page, "Norsk bokmål")
    expect(page).to_have_url(demo_site(OPEN_OFFERING))


def test_an_untranslated_page_says_so_in_the_visitors_language(demo_site, page):
    page.goto(demo_site("/mestringstreff/"))
    switch_to(page, "English")
    expect(page).to_have_url(demo_site("/en/mestringstreff/"))
    # The page is the bokmål original, marked as such, with the notice in English and marked English.
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    notice = page.locator("main .lms-language-notice")
    expect(notice).to_have_attribute("lang", "en")
    expect(notice).to_contain_text("This page is only available in Norwegian Bokmål.")
    notice.get_by_role("link", name="Go to our pages in English").click()
    expect(page).to_have_url(demo_site("/en/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("language", list(PAGES_IN_EVERY_LANGUAGE))
def test_axe_finds_nothing_in_any_language(demo_site, page, language):
    for path in PAGES_IN_EVERY_LANGUAGE[language]:
        page.goto(demo_site(path))
        assert_no_axe_violations(page, f"{path} ({language})")
    for path in NORDHORDLAND_PAGES[language]:
        page.goto(demo_site.on(NORDHORDLAND, path))
        assert_no_axe_violations(page, f"{NORDHORDLAND}{path} ({language})")
    if language == "se":
        # The publisher's lines stay Sami, inside a bokmål interface.
        page.goto(demo_site("/se" + INFORMATION))
        expect(page.locator("html")).to_have_attribute("lang", "nb")
        expect(page.locator('.lms-other-language[lang="se"]')).to_contain_text("Sisdoalu lea almmuhan")


def test_a_registration_in_nynorsk_takes_a_place_in_the_original(demo_site, page):
    # The nynorsk offering and its form are translations of their own: the form asks in nynorsk.
    page.goto(demo_site("/nn/nar-hovudet-blir-ei-pine/"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    page.locator("#registration").get_by_role("link", name="Meld deg på").click()
    expect(page).to_have_url(demo_site("/nn/nar-hovudet-blir-ei-pine/pamelding/"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_label("Kva håper du å lære i læringsnettverket?")).to_be_visible()
    fill_registration(page, name="Nils Nynorsk", email="nils@example.org", group="Oslo")
    page.locator(".lms-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    registration = Registration.objects.get(email="nils@example.org")
    original = OfferingPage.objects.get(url_path__endswith=OPEN_OFFERING, locale__language_code="nb")
    assert registration.offering_id == original.pk
    assert registration.group.offering_id == original.pk
    assert registration.page.url_path.endswith("/nar-hovudet-blir-ei-pine/pamelding/")
    assert registration.language == "nn"


def test_a_registration_on_the_second_site_takes_a_place_in_its_course(demo_site, page):
    # Nordhordland's course, on its own host, in nynorsk: the page and form of the original text.
    page.goto(demo_site.on(NORDHORDLAND, "/nn/kurs-i-levevanar-og-meistring/"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    page.locator("#registration").get_by_role("link", name="Meld deg på").click()
    expect(page).to_have_url(demo_site.on(NORDHORDLAND, "/nn/kurs-i-levevanar-og-meistring/pamelding/"))
    fill_registration(page, name="Ola Nordhordland", email="ola@example.org", group="Knarvik")
    page.get_by_label("Kva kommune bur du i?").select_option("Alver")
    page.locator(".lms-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    registration = Registration.objects.get(email="ola@example.org")
    original = OfferingPage.objects.get(slug="kurs-i-levevaner-og-mestring", locale__language_code="nb")
    assert registration.offering_id == original.pk
    assert registration.group.offering_id == original.pk
    assert registration.language == "nn"
