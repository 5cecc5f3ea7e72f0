"""The public journey in a browser: find an offering, read it and its confidentiality notice, register,
get the confirmation and its email, be refused a second time, join the waiting list, cancel, and pass
the place on."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration
from lms_pages.models import GroupOccupancy, OfferingGroup, OfferingPage

from .helpers import CANCEL_LINK, NOTICE, OPEN_FORM, OPEN_OFFERING, emails_to, fill_registration, link_in

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback restores Wagtail's root page, default site and the migrations' rows after
    # the live server's transactional database is flushed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def active_element(page):
    return page.evaluate(
        "() => { const el = document.activeElement; return {tag: el.tagName, id: el.id, cls: el.className}; }"
    )


def submit(page):
    page.locator(".lms-form button[type=submit]").click()
    page.wait_for_load_state()


def option(page, name):
    """A filter option by its name; its label also gives the number of offerings, e.g. "Hodepine (1)"."""
    return page.locator("form.lms-filters").get_by_label(re.compile(rf"^{re.escape(name)} \(\d+\)$"))


def applies_at_once(page):
    return page.evaluate("document.documentElement.classList.contains('lms-live')")


def choose_filter(page, name):
    panel = page.locator("details.lms-filters__panel")
    if not panel.evaluate("element => element.open"):
        panel.locator("summary").click()
    if applies_at_once(page):
        with page.expect_navigation():
            option(page, name).click()
        expect(option(page, name)).to_be_focused()  # back where the visitor was, after the reload
    else:
        option(page, name).check()


def test_find_an_open_offering_read_it_and_register(demo_site, page, viewport):
    # The catalogue's filters, used as a visitor would: on a phone open the folded panel, tick a topic
    # and "open for registration" and show the offerings; on a wide screen each choice applies at once.
    page.goto(demo_site("/"))
    filters = page.locator("form.lms-filters")
    choose_filter(page, "Hodepine")
    choose_filter(page, "Åpent for påmelding nå")
    if not applies_at_once(page):
        filters.get_by_role("button", name="Vis tilbud").click()
        page.wait_for_load_state()
    assert "topic=hodepine" in page.url and "open=on" in page.url
    assert "price=" not in page.url and "date_from=" not in page.url, "empty fields stay out of the address"
    results = page.locator(".lms-results")
    expect(results.get_by_role("heading", level=2)).to_have_text(re.compile(r"^\s*1 tilbud"))
    expect(option(page, "Hodepine")).to_be_checked()
    expect(page.locator("summary")).to_contain_text("(2 aktive)")
    expect(page.locator(".lms-chip")).to_have_count(3)  # two choices and "clear all"
    cards = results.locator(".lms-card")
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".lms-state")).to_have_text("Påmeldingen er åpen")

    # The whole card is one tap target: a tap on its facts opens the offering.
    cards.first.locator(".lms-card__facts").scroll_into_view_if_needed()
    box = cards.first.locator(".lms-card__facts").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.url == demo_site(OPEN_OFFERING)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Når hodet blir en pine")

    # The confidentiality notice, read before registering, then back to the offering.
    page.locator("main").get_by_role("link", name="Taushetsplikt").first.click()
    page.wait_for_load_state()
    assert page.url == demo_site(NOTICE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Taushetsplikt")
    assert len(page.locator("main").inner_text()) > 300, "the notice has no text to read"
    page.go_back()
    assert page.url == demo_site(OPEN_OFFERING)

    # The call to action in the key facts (on a phone the same link also stays at the bottom of the screen).
    page.locator("#registration").get_by_role("link", name="Meld deg på").click()
    page.wait_for_load_state()
    assert page.url == demo_site(OPEN_FORM)
    fill_registration(page, name="Kari Nordmann", email="kari@example.org", group="Oslo", phone="912 34 567")
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    expect(page.locator(".lms-confirmation")).to_contain_text("(Oslo)")
    registration = Registration.objects.get(email="kari@example.org")
    assert registration.status == RegistrationStatus.PLACE
    assert registration.phone

    confirmations = emails_to("kari@example.org")
    assert len(confirmations) == 1, [message.subject for message in mail.outbox]
    cancel_link = link_in(confirmations[0], CANCEL_LINK)
    assert cancel_link.startswith(demo_site("/nar-hodet-blir-en-pine/pamelding/avmelding/"))

    # The same email again is refused as a duplicate: the error summary says so and takes focus.
    page.goto(demo_site(OPEN_FORM))
    fill_registration(page, name="Kari Nordmann", email="kari@example.org", group="Stavanger")
    submit(page)
    summary = page.locator(".lms-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_contain_text(["allerede"])
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#id_email")
    assert Registration.objects.filter(email="kari@example.org").count() == 1
    assert len(emails_to("kari@example.org")) == 1


def test_last_place_waiting_list_and_cancellation(demo_site, browser, page):
    """The last place goes to the first person, the next joins the waiting list, and when the first
    cancels through the emailed link the place is offered to the next, who gets an email."""
    offering = OfferingPage.objects.get(url_path__endswith=OPEN_OFFERING, locale__language_code="nb")
    OfferingPage.objects.filter(pk=offering.pk).update(waiting_list=True)
    oslo = OfferingGroup.objects.get(offering=offering, name="Oslo")
    taken = GroupOccupancy.objects.filter(group=oslo).values_list("places_taken", flat=True).first() or 0
    OfferingGroup.objects.filter(pk=oslo.pk).update(places=taken + 1)  # one place left
    cache.clear()

    page.goto(demo_site(OPEN_FORM))
    expect(page.locator("fieldset#id_group")).to_contain_text("Oslo (1 ledig plass)")
    fill_registration(page, name="Ola Nordmann", email="ola@example.org", group="Oslo")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har fått plass")
    cancel_link = link_in(emails_to("ola@example.org")[0], CANCEL_LINK)

    page.goto(demo_site(OPEN_FORM))
    fill_registration(page, name="Per Hansen", email="per@example.org", group="Oslo")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Du står på ventelisten")
    expect(page.locator(".lms-confirmation")).to_contain_text("nummer 1 på ventelisten")
    assert Registration.objects.get(email="per@example.org").status == RegistrationStatus.WAITING
    assert len(emails_to("per@example.org")) == 1

    # Ola opens the link from the email in a browser of his own and confirms.
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nb-NO")
    try:
        own = context.new_page()
        own.goto(cancel_link)
        expect(own.get_by_role("heading", level=1)).to_have_text("Meld deg av")
        expect(own.locator("main")).to_contain_text("Da får nestemann på ventelisten tilbud om plassen din.")
        own.get_by_role("button", name="Ja, meld meg av").click()
        own.wait_for_load_state()
        expect(own.get_by_role("heading", level=1)).to_have_text("Du er nå meldt av")
        # The link still works afterwards, and says the same.
        own.goto(cancel_link)
        expect(own.get_by_role("heading", level=1)).to_have_text("Du er nå meldt av")
        expect(own.locator("main").get_by_role("button")).to_have_count(0)
    finally:
        context.close()

    assert Registration.objects.get(email="ola@example.org").status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(email="per@example.org").status == RegistrationStatus.OFFERED
    offered = [message for message in emails_to("per@example.org") if "ledig" in message.subject]
    assert len(offered) == 1, [message.subject for message in emails_to("per@example.org")]
    assert "Når hodet blir en pine" in offered[0].subject
    link_in(offered[0], CANCEL_LINK)


def test_error_summary_takes_focus_links_to_fields_and_keeps_values(demo_site, page, viewport):
    page.goto(demo_site(OPEN_FORM))
    submit(page)

    summary = page.locator(".lms-error-summary")
    expect(summary).to_be_visible()
    assert active_element(page)["cls"] == "lms-error-summary", active_element(page)
    # It is the first thing in the form's part of the page: above the form, below the heading.
    assert summary.evaluate(
        "el => !!(el.compareDocumentPosition(document.querySelector('.lms-form')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    expect(page).to_have_title(re.compile(r"^Feil: "))
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for field in ("#id_name", "#id_email", "#id_group", "#id_notice_accepted", "#id_age_confirmed"):
        assert field in hrefs, f"{field} missing from the error summary: {hrefs}"
    for href in hrefs:
        assert page.locator(href).count() == 1, f"the summary links to {href}, which is not on the page"
    # Every field with an error says so next to itself.
    assert page.locator(".lms-field--error").count() == len(hrefs)

    # A link in the summary moves focus to its field.
    summary.locator("a[href='#id_name']").click()
    assert active_element(page)["id"] == "id_name"

    # Typed values are kept when the form comes back with errors.
    page.locator("#id_name").fill("Kari Nordmann")
    page.locator("#id_email").fill("kari@")
    page.locator("#id_phone").fill("912 34 567")
    page.locator("#id_hva_haper_du_a_lare").fill("Å leve bedre med migrene.")
    page.locator("fieldset#id_group").get_by_label(re.compile(r"^Tromsø")).check()
    submit(page)
    expect(summary).to_be_focused()
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "#id_email" in hrefs and "#id_name" not in hrefs
    expect(page.locator("#id_name")).to_have_value("Kari Nordmann")
    expect(page.locator("#id_email")).to_have_value("kari@")
    expect(page.locator("#id_phone")).to_have_value("912 34 567")
    expect(page.locator("#id_hva_haper_du_a_lare")).to_have_value("Å leve bedre med migrene.")
    expect(page.locator("fieldset#id_group").get_by_label(re.compile(r"^Tromsø"))).to_be_checked()
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    assert not Registration.objects.filter(email__startswith="kari@").exists()
    assert not mail.outbox
