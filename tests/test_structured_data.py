"""The offering's schema.org JSON-LD, as a search engine reads it from the page."""

import datetime
import json
from decimal import Decimal

import pytest

from lms_pages.models import Format, GroupOccupancy, PriceType
from tests.factories import OfferingPageFactory, VenueFactory, add_group, oslo

UTC = datetime.UTC


@pytest.fixture
def json_ld(get_soup):
    def read(page):
        scripts = get_soup(page.url).find_all("script", type="application/ld+json")
        assert len(scripts) == 1
        return json.loads(scripts[0].string)

    return read


@pytest.fixture
def venue(db):
    return VenueFactory(
        name="Ullevål sykehus",
        street_address="Kirkeveien 166",
        postal_code="0450",
        municipality="Oslo",
        region="Helse Sør-Øst",
    )


def test_course_with_an_instance_per_group_and_an_offer(catalogue, venue, json_ld):
    offering = OfferingPageFactory(
        parent=catalogue,
        title="Hodepineskolen",
        introduction="Kurs for deg med langvarig hodepine.",
        venue=venue,
        price_type=PriceType.FEE,
        price_amount=750,
        registration_opens=oslo(2030, 1, 1, 9),
        registration_closes=oslo(2030, 6, 1, 12),
    )
    add_group(
        offering,
        "Oslo",
        places=12,
        sessions=[
            {"start": datetime.datetime(2030, 3, 5, 17, tzinfo=UTC)},
            {
                "start": datetime.datetime(2030, 1, 15, 17, tzinfo=UTC),
                "end": datetime.datetime(2030, 1, 15, 19, tzinfo=UTC),
            },
        ],
    )
    add_group(
        offering,
        "Tromsø",
        venue=VenueFactory(
            name="UNN Tromsø", street_address="", postal_code="", municipality="Tromsø", region=""
        ),
        sessions=[
            {"start": oslo(2030, 6, 11, 10), "end": oslo(2030, 6, 11, 15)},
            {"start": oslo(2030, 6, 12, 10), "end": oslo(2030, 6, 12, 15)},
        ],
    )

    data = json_ld(offering)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["name"] == "Hodepineskolen"
    assert data["description"] == "Kurs for deg med langvarig hodepine."
    assert data["url"] == offering.get_full_url() == "http://localhost/hodepineskolen/"

    oslo_group, tromso_group = data["hasCourseInstance"]
    assert oslo_group == {
        "@type": "CourseInstance",
        "name": "Oslo",
        "courseMode": "onsite",
        "location": {
            "@type": "Place",
            "name": "Ullevål sykehus",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Oslo",
                "addressCountry": "NO",
                "streetAddress": "Kirkeveien 166",
                "postalCode": "0450",
                "addressRegion": "Helse Sør-Øst",
            },
        },
        # First session to last, in Norwegian time with the offset of the day (winter +01:00).
        "startDate": "2030-01-15T18:00:00+01:00",
        "endDate": "2030-03-05T18:00:00+01:00",
        "courseSchedule": {"@type": "Schedule", "repeatCount": 2, "scheduleTimezone": "Europe/Oslo"},
        "maximumAttendeeCapacity": 12,
        "remainingAttendeeCapacity": 12,
    }
    assert tromso_group["courseMode"] == "onsite"
    assert tromso_group["location"]["name"] == "UNN Tromsø"
    assert tromso_group["location"]["address"]["addressLocality"] == "Tromsø"
    assert tromso_group["startDate"] == "2030-06-11T10:00:00+02:00"
    assert tromso_group["endDate"] == "2030-06-12T15:00:00+02:00"
    assert "maximumAttendeeCapacity" not in tromso_group

    (offer,) = data["offers"]
    assert offer["@type"] == "Offer"
    assert Decimal(offer["price"]) == Decimal("750")
    assert offer["priceCurrency"] == "NOK"
    assert offer["url"] == data["url"]
    assert offer["validFrom"] == "2030-01-01T09:00:00+01:00"
    assert offer["validThrough"] == "2030-06-01T12:00:00+02:00"
    # The window in this test opens in 2030, so nobody can register yet.
    assert offer["availability"] == "https://schema.org/PreOrder"
    assert data["isAccessibleForFree"] is False


@pytest.mark.parametrize(
    "offering_format, course_mode, location_types",
    [
        (Format.ON_SITE, "onsite", ["Place"]),
        (Format.DIGITAL, "online", ["VirtualLocation"]),
        (Format.HYBRID, "blended", ["Place", "VirtualLocation"]),
    ],
)
def test_course_mode_and_location_follow_the_format(
    catalogue, venue, json_ld, offering_format, course_mode, location_types
):
    offering = OfferingPageFactory(
        parent=catalogue, format=offering_format, venue=venue, digital_platform="Microsoft Teams"
    )
    add_group(offering, "Høst", sessions=[oslo(2030, 9, 3, 18)])

    (instance,) = json_ld(offering)["hasCourseInstance"]

    assert instance["courseMode"] == course_mode
    locations = instance["location"] if isinstance(instance["location"], list) else [instance["location"]]
    assert [location["@type"] for location in locations] == location_types
    virtual = [location for location in locations if location["@type"] == "VirtualLocation"]
    assert all(location["name"] == "Microsoft Teams" for location in virtual)


def test_a_free_offering_has_a_zero_price_and_no_registration_window(catalogue, json_ld):
    offering = OfferingPageFactory(parent=catalogue, price_type=PriceType.FREE)
    data = json_ld(offering)
    (offer,) = data["offers"]
    assert Decimal(offer["price"]) == 0
    assert offer["priceCurrency"] == "NOK"
    assert "validFrom" not in offer
    assert "validThrough" not in offer
    assert data["isAccessibleForFree"] is True
    assert data["hasCourseInstance"] == []


def test_a_title_with_markup_cannot_end_the_script_element(catalogue, json_ld):
    title = "Kurs </script><script>alert(1)</script> & mer"
    offering = OfferingPageFactory(parent=catalogue, title=title, slug="kurs-med-markup")
    assert json_ld(offering)["name"] == title


@pytest.mark.parametrize(
    "waiting_list, availability",
    [(True, "https://schema.org/BackOrder"), (False, "https://schema.org/SoldOut")],
)
def test_places_left_and_availability_follow_the_registrations(
    catalogue, json_ld, waiting_list, availability
):
    offering = OfferingPageFactory(parent=catalogue, waiting_list=waiting_list)
    group = add_group(offering, "Oslo", places=10, sessions=[oslo(2030, 1, 15, 18)])
    occupancy = GroupOccupancy.objects.create(group=group, places_taken=7)

    data = json_ld(offering)
    assert data["hasCourseInstance"][0]["remainingAttendeeCapacity"] == 3
    assert data["offers"][0]["availability"] == "https://schema.org/InStock"

    occupancy.places_taken = 10
    occupancy.save()
    data = json_ld(offering)
    assert data["hasCourseInstance"][0]["remainingAttendeeCapacity"] == 0
    assert data["offers"][0]["availability"] == availability
