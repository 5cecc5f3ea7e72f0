"""The offering page as a visitor reads it: every fact once, venues said once with how to get there, a
calendar file per group, images with alternative text, a share preview."""

import datetime

import pytest
import wagtail_factories
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from lms_forms.models import RegistrationFormPage
from lms_pages.models import Format, OfferingGroup, OfferingPage, RegistrationMethod, Status
from tests.factories import OfferingPageFactory, VenueFactory, add_group, oslo, translation_in

UTC = datetime.UTC


def text(element):
    return " ".join(element.get_text(" ", strip=True).split())


@pytest.fixture
def network(catalogue):
    """A digital network with two groups meeting on Teams, and an on-site course group at a venue."""
    offering = OfferingPageFactory(
        parent=catalogue,
        title="Hodepinenettverket",
        format=Format.DIGITAL,
        digital_platform="Microsoft Teams",
        joining_instructions="Du får lenken på e-post dagen før.",
        status=Status.OPEN,
        registration_method=RegistrationMethod.FORM,
        registration_closes=oslo(2030, 1, 1, 22),
    )
    for name, day in (("Oslo", 15), ("Tromsø", 22)):
        add_group(
            offering,
            name,
            places=12,
            sessions=[
                {"start": oslo(2030, 1, day, 18), "place_note": "Microsoft Teams", "topic": "Første samling"},
                {"start": oslo(2030, 9, day, 18), "place_note": "Microsoft Teams", "topic": "Andre samling"},
            ],
        )
    offering.add_child(
        instance=RegistrationFormPage(title="Påmelding", slug="pamelding", to_address="org@example.org")
    )
    return OfferingPage.objects.get(pk=offering.pk)


def test_a_venue_says_where_it_is_how_to_get_there_and_whether_it_is_step_free(catalogue, get_soup):
    venue = VenueFactory(
        name="Nordlandssykehuset",
        street_address="Parkveien 95",
        postal_code="8005",
        municipality="Bodø",
        directions="Buss 1 til Sykehuset. Inngang A, 2. etasje.",
        parking="P-hus ved inngang A.",
        step_free=True,
        accessibility="Teleslynge i rommet.",
    )
    offering = OfferingPageFactory(parent=catalogue, venue=venue)
    add_group(offering, "Bodø", sessions=[oslo(2030, 3, 1, 10)])
    box = get_soup(translation_in(offering, "en").url).select_one(".lms-venue")
    shown = text(box)
    for fact in (
        "Parkveien 95, 8005 Bodø",
        "Buss 1 til Sykehuset",
        "P-hus ved inngang A.",
        "Step-free access.",
    ):
        assert fact in shown
    assert (
        box.find("a")["href"]
        == "https://www.openstreetmap.org/search?query=Parkveien+95%2C+8005+Bod%C3%B8%2C+Norge"
    )


def test_a_venue_with_a_position_links_to_it_on_the_map(db):
    venue = VenueFactory(latitude="67.281000", longitude="14.405000")
    assert (
        venue.map_url
        == "https://www.openstreetmap.org/?mlat=67.281000&mlon=14.405000#map=17/67.281000/14.405000"
    )
    assert VenueFactory(street_address="", latitude=None).map_url == ""


def test_a_place_every_session_shares_is_said_once_per_group(network, get_soup):
    soup = get_soup(translation_in(network, "en").url)
    for group in soup.select(".lms-group"):
        assert text(group.select_one(".lms-group__place")) == "Where Microsoft Teams"
        assert "Teams" not in text(group.select_one(".lms-sessions"))


def test_every_fact_once_and_the_meeting_link_never(network, get_soup):
    soup = get_soup(translation_in(network, "en").url)
    page = text(soup.find("main"))
    assert page.count("1 January 2030, 22:00") == 1  # the deadline, in the key facts
    assert "How to join" in page and "Du får lenken på e-post dagen før" in page
    network.joining_instructions = "Bli med her: https://teams.example.org/hemmelig"
    with pytest.raises(ValidationError) as refused:
        network.full_clean()
    assert "joining_instructions" in refused.value.message_dict
    # One call to action in the key facts, and the same link kept at the bottom of a phone's screen.
    actions = soup.select(".lms-keyfacts .lms-button, .lms-sticky-action .lms-button")
    assert [text(action) for action in actions] == ["Register", "Register"]


def test_each_group_has_a_calendar_file_of_its_own(network, client):
    oslo_group, tromso = OfferingGroup.objects.filter(offering=network).order_by("sort_order")
    response = client.get(f"{translation_in(network, 'en').url}kalender/{oslo_group.key}/")
    assert response.status_code == 200
    calendar = response.content.decode()
    assert calendar.count("BEGIN:VEVENT") == 2
    assert "Oslo" in calendar and "Tromsø" not in calendar
    assert "Du får lenken på e-post dagen før." in calendar
    assert 'filename="hodepinenettverket-oslo.ics"' in response["Content-Disposition"]
    assert client.get(f"{network.url}kalender/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(f"{network.url}kalender/").content.decode().count("BEGIN:VEVENT") == 4


def test_an_image_needs_alternative_text_or_to_be_marked_decorative(catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    offering.image = wagtail_factories.ImageFactory(description="")
    with pytest.raises(ValidationError) as refused:
        offering.full_clean()
    assert "image_alt" in refused.value.message_dict
    offering.image_decorative = True
    offering.full_clean()
    assert offering.image_alt_text == ""
    offering.image_decorative, offering.image_alt = False, "To personer i samtale"
    offering.full_clean()
    assert offering.image_alt_text == "To personer i samtale"


def test_the_image_comes_in_sizes_for_the_screen_and_as_a_share_preview(catalogue, client):
    image = wagtail_factories.ImageFactory(description="Deltakere rundt et bord", width=1600, height=900)
    offering = OfferingPageFactory(parent=catalogue, title="Mestringskurs", image=image)
    soup = BeautifulSoup(client.get(offering.url).content, "html.parser")
    shown = soup.select_one("img.lms-offering__image")
    assert shown["alt"] == "Deltakere rundt et bord"
    assert len(shown["srcset"].split(",")) == 4 and "sizes" in shown.attrs
    meta = {
        tag.get("property") or tag.get("name"): tag["content"] for tag in soup.select("head meta[content]")
    }
    assert meta["og:title"] == "Mestringskurs"
    assert meta["og:url"] == offering.full_url
    assert meta["og:image"].startswith("http") and meta["og:image:alt"] == "Deltakere rundt et bord"
    assert meta["twitter:card"] == "summary_large_image"


def test_the_documents_leave_out_what_the_registration_box_links(network, get_soup):
    soup = get_soup(translation_in(network, "en").url)
    form_links = [link for link in soup.select("main a") if link["href"].endswith("/pamelding/")]
    # The call to action in the registration box, and the same link kept at the bottom of a phone's screen.
    assert [link.find_parent(id="registration") is not None for link in form_links] == [True, False]
    assert form_links[1].find_parent(class_="lms-sticky-action") is not None
    assert soup.find(id="downloads-heading") is None  # the form was its only sub-page
