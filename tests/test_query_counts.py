"""A page's query count does not grow with its content: pinned at 1 and at 50 of everything it lists.

Each test asks for the page once to warm up (Wagtail caches the site's root paths, the catalogue its
filter options, a document its size), then counts the queries of the second request.
"""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from wagtail.signal_handlers import disable_reference_index_auto_update

from lms_pages.models import Format, PriceType
from tests.factories import (
    BrochurePageFactory,
    ConfidentialityNoticePageFactory,
    CourseProgrammePageFactory,
    LanguageFactory,
    OfferingPageFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
    add_download,
    add_group,
    add_related,
    oslo,
)

SIZES = [1, 50]

# Pinned counts. If a size gives another number than the other, a relation is loaded per row.
OFFERING_QUERIES = 14
CALENDAR_QUERIES = 13
# A repeated view: the routing, the page's ancestors, its offerings and their groups with places. The
# counts and cards are cached until content changes or a session starts or registration opens or closes.
CATALOGUE_QUERIES = 6
FILTERED_CATALOGUE_QUERIES = 6
# The first view after a change: the counts beside every filter option, the address of the catalogue for
# the search in the header, and the site settings with their texts in other languages are built too.
CATALOGUE_COLD_QUERIES = 29
FILTERED_CATALOGUE_COLD_QUERIES = 29


@pytest.fixture
def quick_build(settings):
    """Content is built without updating the search and reference indexes (neither is read here),
    which would otherwise re-index the whole offering for each group, session and download added."""
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
    }
    with disable_reference_index_auto_update():
        yield


def warm_then_count(client, django_assert_num_queries, url, expected):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture
def full_offering(catalogue, quick_build):
    """An offering with every relation its page shows; `size` groups, downloads and related offerings."""

    def build(size):
        notice = ConfidentialityNoticePageFactory(parent=catalogue, title="Felles taushetserklæring")
        offering = OfferingPageFactory(
            parent=catalogue,
            title="Hodepineskolen",
            venue=VenueFactory(),
            organiser=OrganisationFactory(url="https://example.org"),
            confidentiality_notice=notice,
            price_type=PriceType.FEE,
            price_amount=750,
            format=Format.HYBRID,
            digital_platform="Microsoft Teams",
            contact_email="kurs@example.org",
            relations__topics=[TopicFactory(name="Hodepine"), TopicFactory(name="Migrene")],
            relations__audiences=["patients", "next_of_kin"],
            relations__languages=[LanguageFactory()],
            relations__partners=[OrganisationFactory(), OrganisationFactory()],
        )
        CourseProgrammePageFactory(parent=offering)
        BrochurePageFactory(parent=offering)
        for number in range(size):
            add_group(
                offering,
                f"Gruppe {number}",
                venue=VenueFactory(),
                places=12,
                sessions=[
                    {"start": oslo(2030, 1, 15, 18), "end": oslo(2030, 1, 15, 20), "venue": VenueFactory()},
                    {"start": oslo(2030, 6, 11, 18), "place_note": "Rom 2", "topic": "Oppfølging"},
                ],
            )
            add_download(offering)
            add_related(offering, OfferingPageFactory(parent=catalogue, title=f"Beslektet {number}"))
        return offering

    return build


@pytest.mark.parametrize("size", SIZES)
def test_offering_page_and_calendar(full_offering, client, django_assert_num_queries, size):
    offering = full_offering(size)

    response = warm_then_count(client, django_assert_num_queries, offering.url, OFFERING_QUERIES)
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.select(".lms-group")) == size
    assert len(soup.select(".lms-group .lms-session")) == 2 * size
    assert len(soup.select("#related-heading + ul a")) == size
    assert len(soup.select("a.lms-download[href^='/documents/']")) == size

    calendar = f"{offering.url}kalender/"
    response = warm_then_count(client, django_assert_num_queries, calendar, CALENDAR_QUERIES)
    assert response.content.count(b"BEGIN:VEVENT") == 2 * size


@pytest.fixture
def many_offerings(catalogue, quick_build):
    """`size` live offerings on one catalogue page, each with topics, audiences, a venue and groups."""

    def build(size):
        catalogue.offerings_per_page = 100
        catalogue.save()
        topic = TopicFactory(name="Hodepine")
        for number in range(size):
            offering = OfferingPageFactory(
                parent=catalogue,
                title=f"Kurs {number:02}",
                venue=VenueFactory() if number % 2 else None,
                price_type=PriceType.FEE,
                price_amount=750,
                relations__topics=[topic, TopicFactory(name=f"Tema {number}")],
                relations__audiences=["patients"],
                relations__languages=[LanguageFactory()],
            )
            for group in range(2):
                add_group(
                    offering,
                    f"Gruppe {group}",
                    venue=VenueFactory(),
                    sessions=[oslo(2030, 1 + group, 1 + number % 28, 18), oslo(2030, 3 + group, 2, 18)],
                )

    return build


@pytest.mark.parametrize("size", SIZES)
def test_catalogue_page_with_and_without_filters(many_offerings, client, django_assert_num_queries, size):
    many_offerings(size)
    filtered = (
        "/?topic=hodepine&format=on_site&audience=patients&price=paid&date_from=2030-01-01&date_to=2030-12-31"
    )
    client.get("/")  # the site's settings row is created on the first view
    for url, cold, warm in [
        ("/", CATALOGUE_COLD_QUERIES, CATALOGUE_QUERIES),
        (filtered, FILTERED_CATALOGUE_COLD_QUERIES, FILTERED_CATALOGUE_QUERIES),
    ]:
        cache.clear()
        with django_assert_num_queries(cold):
            assert client.get(url).status_code == 200
        response = warm_then_count(client, django_assert_num_queries, url, warm)
        assert len(BeautifulSoup(response.content, "html.parser").select(".lms-card")) == size
