"""Moving between bokmål, nynorsk and English in a browser: the switcher goes to each language's version
of the page, and a registration in nynorsk takes a place in the bokmål offering's group."""

import re

import pytest
from playwright.sync_api import expect

from lms_forms.models import Registration
from lms_pages.models import OfferingPage

from .helpers import OPEN_OFFERING, assert_no_axe_violations, fill_registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def switch_to(page, language):
    page.get_by_role("navigation", name=re.compile("^(Velg språk|Vel språk|Choose language)$")).get_by_role(
        "link", name=language
    ).click()
    page.wait_for_load_state()


def test_the_switcher_leads_to_each_languages_version(demo_site, page):
    page.goto(demo_site("/"))
    switch_to(page, "Norsk (nynorsk)")
    expect(page).to_have_url(demo_site("/nn/"))
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lærings- og meistringstilbod")
    assert_no_axe_violations(page, "the nynorsk catalogue")

    page.get_by_role("link", name="Når hodet blir en pine", exact=False).first.click()
    expect(page).to_have_url(demo_site(f"/nn{OPEN_OFFERING}"))
    switch_to(page, "English")
    expect(page).to_have_url(demo_site(f"/en{OPEN_OFFERING}"))
    expect(page.get_by_role("heading", level=2, name="Registration")).to_be_visible()
    switch_to(page, "Norsk (bokmål)")
    expect(page).to_have_url(demo_site(OPEN_OFFERING))


def test_a_registration_in_nynorsk_takes_a_place_in_the_original(demo_site, page):
    page.goto(demo_site(f"/nn{OPEN_OFFERING}"))
    page.locator("#registration").get_by_role("link", name="Meld deg på").click()
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    fill_registration(page, name="Nils Nynorsk", email="nils@example.org", group="Oslo")
    page.locator(".lms-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    registration = Registration.objects.get(email="nils@example.org")
    original = OfferingPage.objects.get(url_path__endswith=OPEN_OFFERING, locale__language_code="nb")
    assert registration.offering_id == original.pk
    assert registration.group.offering_id == original.pk
    assert registration.language == "nn"
