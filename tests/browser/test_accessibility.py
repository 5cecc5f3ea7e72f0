"""Accessibility in a browser: axe-core's WCAG 2.1 A/AA rules on every public page type of the demo and
every state of the registration form, at 390 and 1366 px, in bokmål, nynorsk and English; the pages a
phone reads most at 320, 390 and 1366 px (no sideways scrolling, 24 px tap targets, the first result on the
first screen); the registration journey by keyboard alone; autocomplete on personal fields."""

import re

import pytest
from playwright.sync_api import expect

from lms_forms.choices import AgeCheck
from lms_forms.models import RegistrationFormPage

from .helpers import (
    BROCHURE,
    CANCEL_LINK,
    FULL_FORM,
    INFORMATION,
    LANGUAGES,
    NOT_YET_OPEN_FORM,
    NOTICE,
    OPEN_FORM,
    OPEN_OFFERING,
    PROGRAMME,
    axe_violations,
    describe_violations,
    emails_to,
    fill_registration,
    link_in,
    path_in,
)

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback restores Wagtail's root page, default site and the migrations' rows after
    # the live server's transactional database is flushed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The pages read as they are, before any registration.
STATIC_PAGES = {
    "catalogue": "/",
    "catalogue, filtered": "/?topic=hodepine&audience=patients&format=digital&price=paid&open=on",
    "catalogue, no results": "/?q=finnes-ikke-i-katalogen&topic=migrene",
    "offering": OPEN_OFFERING,
    "offering, full": "/mestringstreff/",
    "offering, recruited through coordinators": "/kurs-i-helsepedagogikk/",
    "course programme": PROGRAMME,
    "brochure": BROCHURE,
    "confidentiality notice": NOTICE,
    "information page": INFORMATION,
    "registration form, empty": OPEN_FORM,
    "registration form, waiting list": FULL_FORM,
    "registration form, not open yet": NOT_YET_OPEN_FORM,
    "link no longer valid": FULL_FORM + "avmelding/ikke-en-gyldig-lenke/",
}


def _submit(page):
    page.locator(".lms-form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_axe_on_every_page_type_and_form_state(demo_site, page, viewport, language):
    found = {}

    def check(label):
        # A page in the language asked for is marked with it (Sami's interface is bokmål); an untranslated
        # one is the bokmål original, marked as such, with a notice in the language asked for.
        untranslated = page.locator("main .lms-language-notice").count() > 0
        expect(page.locator("html")).to_have_attribute(
            "lang", "nb" if untranslated or language == "se" else language
        )
        violations = axe_violations(page)
        if violations:
            found[f"{label} ({page.url})"] = violations

    for label, path in STATIC_PAGES.items():
        response = page.goto(demo_site(path_in(language, path)))
        # Every page is there in every language; a link that no longer works says so with a 404.
        expected = 404 if label == "link no longer valid" else 200
        assert response.status == expected, f"{label}: {response.status} at {page.url}"
        check(label)

    # The catalogue's filter panel, folded on a phone, opened.
    page.goto(demo_site(path_in(language, "/?topic=hodepine")))
    panel = page.locator("details.lms-filters__panel")
    if not panel.evaluate("element => element.open"):
        panel.locator("summary").click()
    check("catalogue, filter panel open")

    page.goto(demo_site(path_in(language, OPEN_FORM)))
    _submit(page)
    expect(page.locator(".lms-error-summary")).to_be_focused()
    check("registration form, with errors")

    fill_registration(page, name="Kari Nordmann", email="kari@example.org", group="Oslo", phone="91234567")
    _submit(page)
    expect(page.locator(".lms-confirmation")).to_be_visible()
    check("confirmation, place given")

    page.goto(demo_site(path_in(language, FULL_FORM)))
    fill_registration(page, name="Ola Nordmann", email="ola@example.org", group="Sandefjord")
    _submit(page)
    expect(page.locator(".lms-confirmation")).to_be_visible()
    check("confirmation, waiting list")

    token = re.search(CANCEL_LINK, emails_to("ola@example.org")[0].body).group(1)
    page.goto(demo_site(path_in(language, f"{FULL_FORM}avmelding/{token}/")))
    check("cancel page")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main [role=status]")).to_be_visible()
    check("cancelled")

    assert not found, f"axe: WCAG 2.1 A/AA violations on {len(found)} page(s):\n" + "\n".join(
        f"{label}:\n{describe_violations(violations)}" for label, violations in found.items()
    )


def _focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return {
                tag: el.tagName.toLowerCase(), id: el.id, cls: String(el.className), type: el.type || "",
                href: el.getAttribute("href") || "", text: el.textContent.trim().slice(0, 60),
                visible: outline || style.boxShadow !== "none",
            };
        }"""
    )


def _tab_to(page, matches, *, key="Tab", limit=60):
    """Press Tab (or Shift+Tab) until the focused element matches; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = _focused(page)
        assert focused["visible"], f"focus is not visible on {focused}"
        if matches(focused):
            return focused
    raise AssertionError(f"{key} never reached the element; focus ended on {_focused(page)}")


def _by_id(element_id):
    return lambda focused: focused["id"] == element_id


def test_registration_by_keyboard_alone(demo_site, page):
    page.goto(demo_site(OPEN_FORM))

    # The first Tab stop is the skip link, which is shown when focused and moves focus to the main content.
    skip = _tab_to(page, lambda focused: True, limit=1)
    assert "skip-link" in skip["cls"] and skip["href"] == "#main", skip
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    # Sent empty: the error summary takes focus, and its first link leads to the first field.
    _tab_to(page, lambda focused: focused["tag"] == "button" and focused["type"] == "submit")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".lms-error-summary")).to_be_focused()
    assert _focused(page)["visible"], "the focused error summary shows no focus"
    first_link = _tab_to(page, lambda focused: focused["tag"] == "a", limit=1)
    assert first_link["href"] == "#id_name", first_link
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "id_name"

    page.keyboard.type("Kari Nordmann")
    _tab_to(page, _by_id("id_email"), limit=1)
    page.keyboard.type("kari@example.org")
    # Shift+Tab goes back to the name, which kept its value; Tab returns to the email.
    _tab_to(page, _by_id("id_name"), key="Shift+Tab", limit=1)
    expect(page.locator("#id_name")).to_have_value("Kari Nordmann")
    _tab_to(page, _by_id("id_email"), limit=1)
    _tab_to(page, _by_id("id_phone"), limit=1)
    page.keyboard.type("912 34 567")
    _tab_to(page, _by_id("id_age_confirmed"))
    page.keyboard.press("Space")
    _tab_to(page, _by_id("id_group_0"))
    page.keyboard.press("Space")
    _tab_to(page, _by_id("id_teknisk_utstyr"))
    page.keyboard.press("Space")
    _tab_to(page, _by_id("id_notice_accepted"))
    page.keyboard.press("Space")
    for checkbox in ("#id_age_confirmed", "#id_group_0", "#id_teknisk_utstyr", "#id_notice_accepted"):
        expect(page.locator(checkbox)).to_be_checked()
    # The honeypot is not a Tab stop: the next stops are the notice's link and the submit button.
    _tab_to(page, lambda focused: focused["tag"] == "button" and focused["type"] == "submit", limit=3)
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    assert len(emails_to("kari@example.org")) == 1


# Every public page, for reflow at the narrowest width WCAG 1.4.10 asks for.
REFLOW_PAGES = [
    "/",
    "/?topic=hodepine&open=on",
    OPEN_OFFERING,
    "/mestringstreff/",
    "/kurs-i-helsepedagogikk/",
    "/grunnkurs-i-helsepedagogikk/",
    PROGRAMME,
    "/mestringstreff/program/",
    BROCHURE,
    NOTICE,
    INFORMATION,
    "/personvern/",
    OPEN_FORM,
    FULL_FORM,
    NOT_YET_OPEN_FORM,
    "/en/",
    "/en" + OPEN_OFFERING,
    "/nn" + OPEN_FORM,
]
# The pages of the second site, on its own host.
NORDHORDLAND = "nordhordland.localhost"
NORDHORDLAND_REFLOW_PAGES = [
    "/",
    "/nn/",
    "/nordhordland-levevanar-og-meistring/",
    "/nordhordland-levevanar-og-meistring/kompetansepakke/",
    "/kurs-i-levevaner-og-mestring/",
    "/nn/kurs-i-levevanar-og-meistring/",
    "/nn/kurs-i-levevanar-og-meistring/pamelding/",
    "/nn/teieplikt/",
    "/personvern/",
]


# A small phone, a common phone and a laptop.
SCREENS = {
    "320px": {"width": 320, "height": 640},
    "390px": {"width": 390, "height": 844},
    "1366px": {"width": 1366, "height": 768},
}


@pytest.mark.parametrize("viewport", list(SCREENS.values()), ids=list(SCREENS))
def test_no_axe_violation_nothing_scrolls_sideways_and_tap_targets_are_large_enough(
    demo_site, page, viewport
):
    too_wide, failing = {}, {}

    def check(label):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide[label] = width
        violations = axe_violations(page)  # WCAG 2.1 A/AA and the 24 px target size
        if violations:
            failing[label] = describe_violations(violations)

    for path in REFLOW_PAGES:
        page.goto(demo_site(path))
        check(path)
    for path in NORDHORDLAND_REFLOW_PAGES:
        page.goto(demo_site.on(NORDHORDLAND, path))
        check(NORDHORDLAND + path)
    page.goto(demo_site(OPEN_FORM))
    _submit(page)
    check(OPEN_FORM + " (with errors)")
    assert not too_wide, f"pages wider than {viewport['width']} px (scrollWidth): {too_wide}"
    assert not failing, "axe (WCAG 2.1 A/AA, target size):\n" + "\n".join(
        f"{label}:\n{text}" for label, text in failing.items()
    )


@pytest.mark.parametrize("viewport", list(SCREENS.values()), ids=list(SCREENS))
def test_the_first_result_starts_on_the_first_screen(demo_site, page, viewport):
    for path in ("/", "/nn/", "/en/", "/?topic=hodepine"):
        page.goto(demo_site(path))
        first = page.locator(".lms-results .lms-card").first.bounding_box()
        assert first["y"] < viewport["height"], f"{path}: the first result starts at {first['y']:.0f} px"
    # On a wide screen an offering's first screen shows when, where and what it costs.
    if viewport["width"] > 600:
        page.goto(demo_site(OPEN_OFFERING))
        facts = page.locator(".lms-keyfacts__list > li")
        for index, fact in enumerate(("next date", "place", "price")):
            box = facts.nth(index).bounding_box()
            assert box["y"] + box["height"] <= viewport["height"], f"the {fact} is below the first screen"


def test_personal_fields_have_autocomplete(demo_site, page):
    # The demo's open form asks for an age confirmation; ask for the date of birth instead.
    RegistrationFormPage.objects.filter(url_path__endswith=OPEN_FORM).update(age_check=AgeCheck.BIRTH_DATE)
    page.goto(demo_site(OPEN_FORM))
    expected = {"id_name": "name", "id_email": "email", "id_phone": "tel", "id_birth_date": "bday"}
    for element_id, token in expected.items():
        field = page.locator(f"#{element_id}")
        expect(field).to_have_attribute("autocomplete", token)
        # Each has a visible label tied to it.
        expect(page.locator(f"label[for={element_id}]")).to_be_visible()
    expect(page.locator("#id_email")).to_have_attribute("type", "email")
    expect(page.locator("#id_phone")).to_have_attribute("inputmode", "tel")

    # The date of birth is accepted as the help text shows it, and the registration goes through.
    fill_registration(
        page, name="Kari Nordmann", email="kari@example.org", group="Tromsø", birth_date="17.05.1980"
    )
    _submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    link_in(emails_to("kari@example.org")[0], CANCEL_LINK)
