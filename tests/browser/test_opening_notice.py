"""'Tell me when registration opens' in a browser, each of its pages read by axe: the request, a refused
address, 'check your email', the confirmation and the stop link."""

import pytest
from playwright.sync_api import expect

from lms_forms.models import OpeningNotice

from .helpers import NOT_YET_OPEN_FORM, assert_no_axe_violations, emails_to, link_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIRM_LINK = r"https?://\S+/varsle/bekreft/[\w-]+/"
STOP_LINK = r"https?://\S+/varsle/stopp/[\w-]+/"


def ask(page, email):
    form = page.locator("form").filter(has=page.get_by_label("E-post"))
    form.get_by_label("E-post").fill(email)
    form.get_by_role("button", name="Gi meg beskjed når påmeldingen åpner").click()
    page.wait_for_load_state()


def test_ask_confirm_and_stop_the_notice(demo_site, page, viewport):
    page.goto(demo_site(NOT_YET_OPEN_FORM))
    expect(page.locator("main")).to_contain_text("Påmeldingen åpner")
    assert_no_axe_violations(page, "the request")

    ask(page, "ikke-en-adresse")
    expect(page.locator(".lms-error-summary")).to_be_visible()
    assert not OpeningNotice.objects.exists()
    assert_no_axe_violations(page, "a refused address")

    ask(page, "kari@example.org")
    assert page.url.endswith("/varsle/sendt/")
    assert_no_axe_violations(page, "check your email")

    (message,) = emails_to("kari@example.org")
    page.goto(link_in(message, CONFIRM_LINK))
    assert_no_axe_violations(page, "the confirmation link")
    page.locator("main").get_by_role("button").click()
    page.wait_for_load_state()
    assert OpeningNotice.objects.get().confirmed_at is not None
    assert_no_axe_violations(page, "confirmed")

    page.goto(link_in(message, STOP_LINK))
    assert_no_axe_violations(page, "the stop link")
    page.locator("main").get_by_role("button").click()
    page.wait_for_load_state()
    assert not OpeningNotice.objects.exists()
    assert_no_axe_violations(page, "stopped")
