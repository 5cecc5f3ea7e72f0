"""One installation, two Wagtail sites: each host serves its own catalogue, offerings, sitemap, feed and
look, and purges its own addresses. The demo's two sites (the hospital's and Nordhordland's) are checked
once as a visitor meets them; the rest on two small sites built for each test."""

import io
import json

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree as ET
from django.core.management import call_command
from wagtail.models import Page, Site

from lms_pages import front_cache
from lms_pages.translations import mirror_page_trees
from tests.factories import CataloguePageFactory, OfferingPageFactory, add_group, oslo

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OTHER_HOST = "kommune.localhost"


@pytest.fixture
def two_sites(catalogue):
    """The default site (`catalogue`, at localhost) with one offering, and a second site at kommune.localhost
    with a catalogue and an offering of its own, both with their language trees."""
    hospital = Site.objects.get(is_default_site=True)
    OfferingPageFactory(parent=catalogue, title="Hodepineskolen")
    other_catalogue = CataloguePageFactory(
        parent=Page.get_first_root_node(), title="Kommunens kurs", slug="kommune"
    )
    municipality = Site.objects.create(
        hostname=OTHER_HOST, port=80, root_page=other_catalogue, site_name="Kommunen"
    )
    offering = OfferingPageFactory(parent=other_catalogue, title="Levevaner i Knarvik")
    add_group(offering, "Knarvik", places=12, sessions=[oslo(2030, 2, 12, 10)])
    mirror_page_trees(hospital)
    mirror_page_trees(municipality)
    return {"hospital": hospital, "municipality": municipality}


def get(client, path, host="localhost"):
    return client.get(path, HTTP_HOST=host)


def card_links(client, path, host="localhost"):
    response = get(client, path, host)
    assert response.status_code == 200
    return [a["href"] for a in BeautifulSoup(response.content, "html.parser").select("a.lms-card__link")]


def test_each_catalogue_lists_only_its_own_sites_offerings(two_sites, client):
    assert card_links(client, "/") == ["/hodepineskolen/"]
    assert card_links(client, "/", OTHER_HOST) == ["/levevaner-i-knarvik/"]
    assert card_links(client, "/nn/", OTHER_HOST) == ["/nn/levevaner-i-knarvik/"]


def test_an_offering_of_one_site_is_not_served_under_the_other_host(two_sites, client):
    assert get(client, "/levevaner-i-knarvik/", OTHER_HOST).status_code == 200
    assert get(client, "/levevaner-i-knarvik/").status_code == 404
    assert get(client, "/hodepineskolen/").status_code == 200
    assert get(client, "/hodepineskolen/", OTHER_HOST).status_code == 404
    assert get(client, "/nn/hodepineskolen/", OTHER_HOST).status_code == 404


def sitemap_locations(client, host):
    response = get(client, "/sitemap.xml", host)
    assert response.status_code == 200
    return [
        url.find(f"{SITEMAP}loc").text for url in ET.fromstring(response.content).findall(f"{SITEMAP}url")
    ]


def test_each_host_has_a_sitemap_of_its_own_pages(two_sites, client):
    assert sitemap_locations(client, "localhost") == ["http://localhost/", "http://localhost/hodepineskolen/"]
    assert sitemap_locations(client, OTHER_HOST) == [
        f"http://{OTHER_HOST}/",
        f"http://{OTHER_HOST}/levevaner-i-knarvik/",
    ]


def feed(client, host):
    response = get(client, "/feed/offerings/", host)
    assert response.status_code == 200
    return json.loads(response.content)


def test_each_hosts_feed_lists_only_that_sites_offerings(two_sites, client):
    hospital, municipality = feed(client, "localhost"), feed(client, OTHER_HOST)
    assert [item["url"] for item in hospital["dataFeedElement"]] == ["http://localhost/hodepineskolen/"]
    assert [item["url"] for item in municipality["dataFeedElement"]] == [
        f"http://{OTHER_HOST}/levevaner-i-knarvik/"
    ]
    assert municipality["url"] == f"http://{OTHER_HOST}/feed/offerings/"
    assert municipality["provider"]["url"] == f"http://{OTHER_HOST}"


def test_purge_addresses_of_a_page_on_the_second_site_are_on_its_host(two_sites):
    offering = Page.objects.get(slug="levevaner-i-knarvik", locale__language_code="nb").specific
    urls = front_cache.urls_for_page_change(offering)
    assert f"http://{OTHER_HOST}/levevaner-i-knarvik/" in urls
    assert f"http://{OTHER_HOST}/nn/levevaner-i-knarvik/" in urls
    assert f"http://{OTHER_HOST}/" in urls  # its catalogue
    assert f"http://{OTHER_HOST}/sitemap.xml" in urls and f"http://{OTHER_HOST}/feed/offerings/" in urls
    assert all(url.startswith(f"http://{OTHER_HOST}/") for url in urls), sorted(urls)

    group_urls = front_cache.urls_for_offerings([offering.pk])
    assert group_urls and all(url.startswith(f"http://{OTHER_HOST}/") for url in group_urls)
    site_urls = front_cache.urls_for_site(two_sites["municipality"])
    assert site_urls and all(url.startswith(f"http://{OTHER_HOST}/") for url in site_urls)


# The demo's two sites ------------------------------------------------------------------------------------

HOSPITAL, NORDHORDLAND = "localhost:8000", "nordhordland.localhost:8000"


def page_at(client, path, host):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200, f"{host}{path}: {response.status_code}"
    return BeautifulSoup(response.content, "html.parser")


def look(soup):
    """What tells the sites apart in every page: the brand colour's stylesheet, the name, the contacts."""
    return {
        "brand": [link["href"] for link in soup.select('link[rel=stylesheet][href*="/lms-brand/"]')],
        "organisation": soup.select_one(".site-footer__organisation").get_text(strip=True),
        "logo": soup.select_one(".site-header__logo")["alt"],
        "contacts": sorted(a["href"] for a in soup.select(".site-footer__channels a")),
    }


def test_the_demos_two_hosts_serve_their_own_catalogue_look_contacts_and_notice(db, client):
    call_command("load_demo", "--today", "2030-01-10", "--no-admin", stdout=io.StringIO())
    hospital = page_at(client, "/", HOSPITAL)
    nordhordland = page_at(client, "/", NORDHORDLAND)
    assert hospital.h1.get_text(strip=True) == "Lærings- og mestringstilbud"
    assert nordhordland.h1.get_text(strip=True) == "Levevaner og mestring i Nordhordland"
    assert look(hospital) == {
        "brand": ["/lms-brand/0063a8.css?v=1"],
        "organisation": "Lærings- og mestringssenteret Helse Nord-Trøndelag HF",
        "logo": "Lærings- og mestringssenteret Helse Nord-Trøndelag HF",
        "contacts": ["mailto:lms@hnt.no", "tel:74098985"],
    }
    assert look(nordhordland) == {
        "brand": ["/lms-brand/17654a.css?v=1"],
        "organisation": "Nordhordland – levevaner og mestring",
        "logo": "Nordhordland – levevaner og mestring",
        "contacts": ["mailto:levevanar@example.org", "tel:56000000"],
    }
    assert (
        look(page_at(client, "/nn/", NORDHORDLAND))["organisation"] == "Nordhordland – levevanar og meistring"
    )
    assert "Isdalstø" in nordhordland.select_one(".site-footer").get_text()

    # The catalogues: each its own offerings.
    hospital_cards = [a["href"] for a in hospital.select("a.lms-card__link")]
    nordhordland_cards = [a["href"] for a in nordhordland.select("a.lms-card__link")]
    assert nordhordland_cards == ["/kurs-i-levevaner-og-mestring/", "/nordhordland-levevanar-og-meistring/"]
    assert "/mestringstreff/" in hospital_cards and not set(hospital_cards) & set(nordhordland_cards)
    assert client.get("/kurs-i-levevaner-og-mestring/", HTTP_HOST=HOSPITAL).status_code == 404
    assert client.get("/mestringstreff/", HTTP_HOST=NORDHORDLAND).status_code == 404

    # Nordhordland's course is read under the site's own confidentiality notice, in nynorsk.
    offering = page_at(client, "/nn/kurs-i-levevanar-og-meistring/", NORDHORDLAND)
    assert [a.get_text() for a in offering.select('a[href="/nn/teieplikt/"]')] == ["Teieplikt"]
    notice = page_at(client, "/nn/teieplikt/", NORDHORDLAND)
    assert notice.html["lang"] == "nn" and "teieplikt" in notice.get_text()
    assert client.get("/nn/teieplikt/", HTTP_HOST=HOSPITAL).status_code == 404
    # The footer links to each site's own privacy page and accessibility statement.
    about = [a["href"] for a in nordhordland.select(".site-footer__about a")]
    assert about == ["/tilgjengelighetserklaering/", "/personvern/"]
    assert page_at(client, "/personvern/", NORDHORDLAND).find(string=lambda s: "levevanar@example.org" in s)

    # Their sitemaps list their own pages.
    for host, other in ((HOSPITAL, NORDHORDLAND), (NORDHORDLAND, HOSPITAL)):
        locations = sitemap_locations(client, host)
        assert locations and all(url.startswith(f"http://{host}/") for url in locations)
        assert not any(url.startswith(f"http://{other}/") for url in locations)
