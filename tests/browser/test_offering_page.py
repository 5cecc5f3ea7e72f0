"""The offering page in a browser: the call to action stays in reach on a phone, and each demo offering
prints on one A4 page."""

import re

import pytest

from lms_pages.models import OfferingPage

from .helpers import OPEN_OFFERING, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_the_call_to_action_stays_in_reach_while_a_phone_scrolls(demo_site, page, viewport):
    page.goto(demo_site(OPEN_OFFERING))
    action = page.locator(".lms-sticky-action .lms-button")
    for share in (0.3, 0.6):
        page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {share})")
        box = action.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
        assert box["height"] >= 24 and box["width"] >= 24


def test_each_offering_prints_on_one_page(demo_site, page):
    for offering in OfferingPage.objects.live().filter(locale__language_code="nb"):
        site = offering.get_site()  # both sites' offerings, each on its own host
        page.goto(demo_site.on(site.hostname, offering.get_url_parts()[2]))
        pdf = page.pdf(prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"{offering.title}: {pages} pages"
