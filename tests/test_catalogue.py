"""A visitor finds offerings in the catalogue by filtering, searching and paging (read from the HTML)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.signal_handlers import disable_reference_index_auto_update

from lms_pages.models import Format, PriceType, Status, Venue
from tests.factories import (
    CataloguePageFactory,
    LanguageFactory,
    OfferingPageFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
    add_group,
    add_session,
    oslo,
)

UTC = datetime.UTC


def titles(soup):
    return [link.get_text(strip=True) for link in soup.select(".lms-results .lms-card__title a")]


def options(soup, name):
    return {box["value"] for box in soup.select(f'input[name="{name}"]')}


@pytest.fixture
def listed(get_soup):
    """The titles the catalogue lists for a query string, as a set."""

    def get(query=""):
        return set(titles(get_soup(f"/?{query}")))

    return get


@pytest.fixture
def offerings(catalogue):
    """Three live offerings that differ in every filter, a draft, and one in another catalogue."""
    # Wagtail's reference index (not read here) would re-index an offering for each group and session.
    with disable_reference_index_auto_update():
        return _build_offerings(catalogue)


def _build_offerings(catalogue):
    now = timezone.now()
    hodepine, diabetes, kols = (
        TopicFactory(name="Hodepine"),
        TopicFactory(name="Diabetes"),
        TopicFactory(name="Kols"),
    )
    oslo_venue = VenueFactory(name="Ullevål sykehus", municipality="Oslo", region="Helse Sør-Øst")
    bodo = VenueFactory(name="Nordlandssykehuset", municipality="Bodø", region="Helse Nord")
    tromso = VenueFactory(name="UNN", municipality="Tromsø", region="Helse Nord")

    hodepineskolen = OfferingPageFactory(
        parent=catalogue,
        title="Hodepineskolen",
        introduction="For deg som lever med migrene eller spenningshodepine.",
        format=Format.ON_SITE,
        venue=oslo_venue,
        price_type=PriceType.FEE,
        price_amount=750,
        status=Status.OPEN,
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=now + datetime.timedelta(days=30),
        relations__topics=[hodepine],
        relations__audiences=["patients"],
        relations__languages=[LanguageFactory(code="nb", name="Norsk bokmål")],
    )
    add_group(hodepineskolen, "Oslo", sessions=[oslo(2030, 1, 15, 18)])

    diabeteskurs = OfferingPageFactory(
        parent=catalogue,
        title="Diabeteskurs",
        introduction="Lær å leve godt med diabetes type 2.",
        format=Format.DIGITAL,
        digital_platform="Microsoft Teams",
        price_type=PriceType.FREE,
        referral_required=True,
        status=Status.PLANNED,
        relations__topics=[diabetes],
        relations__audiences=["patients", "next_of_kin"],
    )
    add_group(diabeteskurs, "Bodø", venue=bodo, sessions=[oslo(2030, 3, 10, 12)])

    pusteskolen = OfferingPageFactory(
        parent=catalogue,
        title="Pusteskolen",
        introduction="Et kurs om pust og fysisk aktivitet.",
        format=Format.HYBRID,
        digital_platform="Microsoft Teams",
        price_type=PriceType.CO_PAYMENT,
        price_amount=200,
        status=Status.OPEN,
        registration_closes=now - datetime.timedelta(days=1),
        relations__topics=[kols],
        relations__audiences=["health_personnel"],
        relations__languages=[LanguageFactory(code="en", name="English")],
    )
    add_group(pusteskolen, "Tromsø", venue=tromso, sessions=[oslo(2030, 2, 1, 10), oslo(2030, 4, 1, 10)])

    draft = OfferingPageFactory(
        parent=catalogue,
        title="Utkast om migrene",
        introduction="Migrene, ikke publisert ennå.",
        live=False,
        relations__topics=[hodepine, TopicFactory(name="Søvn")],
    )
    add_group(draft, "Oslo", venue=oslo_venue, sessions=[oslo(2030, 1, 10, 18)])

    elsewhere = CataloguePageFactory(parent=catalogue.get_parent(), title="Annen katalog", slug="annen")
    other = OfferingPageFactory(
        parent=elsewhere,
        title="Migrene i en annen katalog",
        relations__topics=[hodepine, TopicFactory(name="Rus")],
    )
    add_group(other, "Oslo", venue=oslo_venue, sessions=[oslo(2030, 1, 10, 18)])

    return {"oslo_venue": oslo_venue, "bodo": bodo, "tromso": tromso, "draft": draft}


def test_lists_the_live_offerings_of_this_catalogue_next_session_first(offerings, get_soup):
    soup = get_soup("/")
    assert titles(soup) == ["Hodepineskolen", "Pusteskolen", "Diabeteskurs"]
    assert soup.find(id="results-heading").get_text(" ", strip=True) == "3 tilbud funnet"


def test_a_draft_is_neither_listed_nor_served(offerings, client):
    assert client.get(offerings["draft"].url).status_code == 404


# Each case is a query string and the offerings it lists; a failure shows every case that differs.

EACH_FILTER_ALONE = {
    "topic=hodepine": {"Hodepineskolen"},
    "audience=next_of_kin": {"Diabeteskurs"},
    "audience=patients": {"Hodepineskolen", "Diabeteskurs"},
    "format=digital": {"Diabeteskurs"},
    "region=Helse+Nord": {"Diabeteskurs", "Pusteskolen"},
    "municipality=Bod%C3%B8": {"Diabeteskurs"},
    "municipality=Oslo": {"Hodepineskolen"},
    "referral=required": {"Diabeteskurs"},
    "referral=open": {"Hodepineskolen", "Pusteskolen"},
    "price=free": {"Diabeteskurs"},
    "price=paid": {"Hodepineskolen", "Pusteskolen"},
    "open=on": {"Hodepineskolen"},
    "date_from=2030-03-01": {"Diabeteskurs", "Pusteskolen"},
    "date_to=2030-01-31": {"Hodepineskolen"},
}

OR_WITHIN_ONE_FILTER = {
    "topic=hodepine&topic=diabetes": {"Hodepineskolen", "Diabeteskurs"},
    "format=digital&format=hybrid": {"Diabeteskurs", "Pusteskolen"},
    "municipality=Oslo&municipality=Troms%C3%B8": {"Hodepineskolen", "Pusteskolen"},
    "audience=next_of_kin&audience=health_personnel": {"Diabeteskurs", "Pusteskolen"},
}

AND_ACROSS_FILTERS = {
    "topic=hodepine&format=on_site&open=on": {"Hodepineskolen"},
    "topic=kols&format=hybrid&open=on": set(),
    "topic=hodepine&topic=kols&format=hybrid": {"Pusteskolen"},
    "municipality=Troms%C3%B8&date_from=2030-03-15&date_to=2030-04-15": {"Pusteskolen"},
    "municipality=Bod%C3%B8&date_from=2030-03-15&date_to=2030-04-15": set(),
    "audience=patients&price=free": {"Diabeteskurs"},
    "audience=patients&price=paid": {"Hodepineskolen"},
    "region=Helse+Nord&referral=open": {"Pusteskolen"},
    "topic=hodepine&format=digital": set(),
}


def test_each_filter_alone(offerings, listed):
    assert {query: listed(query) for query in EACH_FILTER_ALONE} == EACH_FILTER_ALONE


def test_venue_filter(offerings, listed):
    assert listed(f"venue={offerings['tromso'].pk}") == {"Pusteskolen"}
    assert listed(f"venue={offerings['tromso'].pk}&venue={offerings['bodo'].pk}") == {
        "Pusteskolen",
        "Diabeteskurs",
    }


def test_language_filter(offerings, listed):
    assert listed("language=en") == {"Pusteskolen"}
    assert listed("language=en&language=nb") == {"Pusteskolen", "Hodepineskolen"}
    assert listed("region=Helse+Nord&referral=open&language=en") == {"Pusteskolen"}


def test_values_of_one_filter_combine_with_or(offerings, listed):
    assert {query: listed(query) for query in OR_WITHIN_ONE_FILTER} == OR_WITHIN_ONE_FILTER


def test_different_filters_combine_with_and(offerings, listed):
    assert {query: listed(query) for query in AND_ACROSS_FILTERS} == AND_ACROSS_FILTERS


def test_a_date_range_needs_one_session_inside_both_ends(offerings, listed):
    # Pusteskolen meets on 1 February and 1 April: one session after the start and another
    # before the end is not a session in the range.
    assert listed("date_from=2030-02-15&date_to=2030-03-15") == {"Diabeteskurs"}
    assert listed("date_from=2030-02-01&date_to=2030-02-01") == {"Pusteskolen"}


def test_dates_are_norwegian_calendar_days(catalogue, listed):
    # 22.30 UTC is 23.30 on the 15th in Oslo; 23.30 UTC (still the 15th in UTC) is 00.30 on the 16th.
    late = OfferingPageFactory(parent=catalogue, title="Sent på kvelden")
    add_group(late, "Oslo", sessions=[datetime.datetime(2030, 1, 15, 22, 30, tzinfo=UTC)])
    after_midnight = OfferingPageFactory(parent=catalogue, title="Etter midnatt")
    add_group(after_midnight, "Oslo", sessions=[datetime.datetime(2030, 1, 15, 23, 30, tzinfo=UTC)])
    assert listed("date_from=2030-01-15&date_to=2030-01-15") == {"Sent på kvelden"}
    assert listed("date_from=2030-01-16&date_to=2030-01-16") == {"Etter midnatt"}


def test_drafts_and_other_catalogues_are_left_out_of_results_and_options(offerings, get_soup):
    soup = get_soup("/?topic=hodepine")
    assert titles(soup) == ["Hodepineskolen"]
    assert options(soup, "topic") == {"hodepine", "diabetes", "kols"}


def test_a_private_offering_is_not_listed(offerings, catalogue, get_soup):
    private = OfferingPageFactory(
        parent=catalogue, title="Bare for ansatte", relations__topics=[TopicFactory(name="Intern")]
    )
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    soup = get_soup("/")
    assert set(titles(soup)) == {"Hodepineskolen", "Diabeteskurs", "Pusteskolen"}
    assert "intern" not in options(soup, "topic")


def test_filter_options_follow_what_editors_publish(catalogue, get_soup):
    hodepine, sovn = TopicFactory(name="Hodepine"), TopicFactory(name="Søvn")
    OfferingPageFactory(parent=catalogue, title="Hodepineskolen", relations__topics=[hodepine])
    draft = OfferingPageFactory(parent=catalogue, title="Søvnskolen", live=False)
    assert options(get_soup("/"), "topic") == {"hodepine"}

    draft.topics.set([sovn])
    draft.save_revision().publish()
    soup = get_soup("/")
    assert options(soup, "topic") == {"hodepine", "sovn"}
    assert set(titles(soup)) == {"Hodepineskolen", "Søvnskolen"}

    draft.refresh_from_db()
    draft.unpublish()
    assert options(get_soup("/"), "topic") == {"hodepine"}

    hodepine.name = "Hodepine og migrene"
    hodepine.save()
    labels = [
        label.get_text(strip=True)
        for label in get_soup("/").select('input[name="topic"] + label .lms-option__name')
    ]
    assert labels == ["Hodepine og migrene"]


def test_a_place_where_only_a_session_is_held_finds_the_offering(catalogue, listed):
    offering = OfferingPageFactory(parent=catalogue, title="Turnékurs")
    group = add_group(offering, "Nord")
    add_group(
        OfferingPageFactory(parent=catalogue, title="Hjemme"), "Oslo", venue=VenueFactory(municipality="Oslo")
    )
    add_session(group, oslo(2030, 5, 5, 10), venue=VenueFactory(name="Alta kulturhus", municipality="Alta"))
    assert listed("municipality=Alta") == {"Turnékurs"}


SEARCHES = {
    "q=Hodepineskolen": {"Hodepineskolen"},
    "q=spenningshodepine": {"Hodepineskolen"},
    "q=diabetes": {"Diabeteskurs"},
    "q=migrene": {"Hodepineskolen"},
    "q=migrene&format=digital": set(),
    "q=++": {"Hodepineskolen", "Diabeteskurs", "Pusteskolen"},
}


def test_free_text_search_finds_by_title_and_introduction(offerings, listed):
    # The draft and the other catalogue's offering also mention migrene.
    assert {query: listed(query) for query in SEARCHES} == SEARCHES


@pytest.fixture
def searchable(catalogue):
    """Offerings that share no word but the one field each search below is about."""
    with disable_reference_index_auto_update():
        sykehuset = OrganisationFactory(name="Sykehuset Innlandet")
        pasientforeningen = OrganisationFactory(name="Norsk Revmatikerforbund")
        by_organiser = OfferingPageFactory(parent=catalogue, title="Kurs A", organiser=sykehuset)
        by_partner = OfferingPageFactory(
            parent=catalogue, title="Kurs B", relations__partners=[pasientforeningen]
        )
        by_venue = OfferingPageFactory(
            parent=catalogue,
            title="Kurs C",
            venue=VenueFactory(name="Fjordsenteret", municipality="Kvinnherad"),
        )
        by_group = OfferingPageFactory(parent=catalogue, title="Kurs D")
        add_group(by_group, "Gruppe 1", venue=VenueFactory(name="Kulturhuset", municipality="Vadsø"))
        by_topic = OfferingPageFactory(
            parent=catalogue, title="Kurs E", relations__topics=[TopicFactory(name="Revmatisme")]
        )
        by_introduction = OfferingPageFactory(
            parent=catalogue, title="Kurs F", introduction="Om søvnvansker og uro."
        )
        for offering in (by_organiser, by_partner, by_venue, by_group, by_topic, by_introduction):
            # As when an editor publishes: the page is indexed with its groups and relations.
            offering.save_revision().publish()
    return catalogue


FIELD_SEARCHES = {
    "q=Innlandet": {"Kurs A"},  # organiser
    "q=Revmatikerforbund": {"Kurs B"},  # partner
    "q=Fjordsenteret": {"Kurs C"},  # the offering's venue
    "q=Kvinnherad": {"Kurs C"},  # its municipality
    "q=Vads%C3%B8": {"Kurs D"},  # a group's venue's municipality
    "q=Kulturhuset": {"Kurs D"},  # a group's venue
    "q=Revmatisme": {"Kurs E"},  # topic
    "q=s%C3%B8vnvansker": {"Kurs F"},  # introduction
    # The beginning of a word, as it is being typed.
    "q=Revmat": {"Kurs B", "Kurs E"},
    "q=Kvinnh": {"Kurs C"},
    "q=Fjords": {"Kurs C"},
}


def test_search_finds_each_indexed_field_and_the_beginnings_of_words(searchable, listed):
    assert {query: listed(query) for query in FIELD_SEARCHES} == FIELD_SEARCHES


@pytest.mark.postgres
@pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
    reason="stems need PostgreSQL's Norwegian configuration; SQLite's FTS5 matches whole words",
)
def test_search_finds_other_forms_of_a_word_in_postgresql(searchable, listed):
    # The Norwegian stemmer: "søvnvanskene" (the definite plural) finds "søvnvansker".
    assert listed("q=s%C3%B8vnvanskene") == {"Kurs F"}


def test_renaming_a_venue_updates_the_search(searchable, listed, django_capture_on_commit_callbacks):
    venue = Venue.objects.get(name="Kulturhuset")
    venue.name = "Vadsø bibliotek"
    with django_capture_on_commit_callbacks(execute=True):
        venue.save()
    assert listed("q=bibliotek") == {"Kurs D"}
    assert listed("q=Kulturhuset") == set()


def test_result_count_in_the_heading(offerings, get_soup):
    heading = get_soup("/?topic=hodepine").find(id="results-heading")
    assert heading.get_text(" ", strip=True) == "1 tilbud funnet"


def test_pagination_keeps_the_filters(catalogue, get_soup):
    catalogue.offerings_per_page = 2
    catalogue.save()
    topic = TopicFactory(name="Mestring")
    for day in (1, 2, 3):
        offering = OfferingPageFactory(parent=catalogue, title=f"Kurs {day}", relations__topics=[topic])
        add_group(offering, "Oslo", sessions=[oslo(2030, 5, day, 10)])
    OfferingPageFactory(parent=catalogue, title="Uten tema")

    first = get_soup("/?topic=mestring&format=on_site")
    assert titles(first) == ["Kurs 1", "Kurs 2"]
    assert first.find(id="results-heading").get_text(" ", strip=True) == "3 tilbud funnet"
    links = first.select(".lms-pagination a")
    assert links
    for link in links:
        query = parse_qs(urlsplit(link["href"]).query)
        assert query["topic"] == ["mestring"]
        assert query["format"] == ["on_site"]
    next_link = first.select_one('.lms-pagination a[rel="next"]')
    assert parse_qs(urlsplit(next_link["href"]).query)["page"] == ["2"]

    second = get_soup(f"/{next_link['href']}")
    assert titles(second) == ["Kurs 3"]
    previous = second.select_one('.lms-pagination a[rel="prev"]')
    assert parse_qs(urlsplit(previous["href"]).query) == {
        "topic": ["mestring"],
        "format": ["on_site"],
        "page": ["1"],
    }


@pytest.mark.parametrize("page, expected", [("abc", ["Kurs 1", "Kurs 2"]), ("99", ["Kurs 3"])])
def test_a_page_number_out_of_range_shows_a_real_page(catalogue, get_soup, page, expected):
    catalogue.offerings_per_page = 2
    catalogue.save()
    for day in (1, 2, 3):
        add_group(
            OfferingPageFactory(parent=catalogue, title=f"Kurs {day}"),
            "Oslo",
            sessions=[oslo(2030, 5, day, 10)],
        )
    assert titles(get_soup(f"/?page={page}")) == expected


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("date_from=2026-13-45", "date_from", "Fra dato: Oppgi en gyldig dato."),
        ("date_to=tomorrow", "date_to", "Til dato: Oppgi en gyldig dato."),
        ("topic=finnes-ikke", "topic", "Tema eller diagnose: Velg et gyldig valg."),
    ],
)
def test_an_invalid_value_gives_a_clear_message(offerings, get_soup, query, field, message):
    soup = get_soup(f"/?{query}")
    summary = soup.select_one(".lms-error-summary")
    assert summary["role"] == "alert"
    (error,) = summary.select("li a")
    assert error.get_text(" ", strip=True).startswith(message)
    # The link takes the visitor to the field to correct.
    target_id = error["href"].removeprefix("#")
    assert target_id, f"the error links to {error['href']!r}, not to a field"
    target = soup.find(id=target_id)
    assert target is not None, error["href"]
    assert target.get("name") == field or target.find("input", attrs={"name": field})


def test_an_empty_result_shows_the_empty_state(offerings, catalogue, get_soup):
    catalogue.empty_text = "Ring oss på 22 11 80 80, så hjelper vi deg."
    catalogue.save()
    soup = get_soup("/?topic=hodepine&format=digital")
    assert titles(soup) == []
    assert soup.find(id="results-heading").get_text(" ", strip=True) == "0 tilbud funnet"
    empty = soup.select_one(".lms-empty")
    assert "Ring oss på 22 11 80 80, så hjelper vi deg." in empty.get_text(" ", strip=True)
    assert empty.find("a")["href"] == "/"
