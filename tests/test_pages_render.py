"""Each page type shows a visitor what the editor entered (read from the parsed HTML).

Texts are read on the English pages (/en/), whose words are the source strings.
"""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation
from django.utils.formats import date_format
from django.views.defaults import server_error
from wagtail.models import Page, PageViewRestriction, Site

from lms_pages.models import Format, GroupSession, OfferingGroup, OfferingPage, PriceType
from lms_pages.translations import mirror_page_trees
from tests.factories import (
    BrochurePageFactory,
    CataloguePageFactory,
    ConfidentialityNoticePageFactory,
    CourseProgrammePageFactory,
    DocumentFactory,
    InformationPageFactory,
    OfferingPageFactory,
    OrganisationFactory,
    VenueFactory,
    add_download,
    add_group,
    add_related,
    oslo,
    translation_in,
)

UTC = datetime.UTC


def text(element):
    return " ".join(element.get_text(" ", strip=True).split())


def section(soup, heading_id):
    return soup.find(id=heading_id).find_parent("section")


def facts(soup):
    """The key facts as {label: value}: the list beside its icons, then the definitions below it."""
    box = soup.select_one(".lms-keyfacts")
    shown = {}
    for item in box.select(".lms-keyfacts__list > li"):
        label = item.select_one(".lms-keyfacts__label").extract()
        shown[text(label)] = text(item)
    for div in box.select(".lms-keyfacts__more > div"):
        shown[text(div.dt)] = text(div.dd)
    return shown


def sessions(group):
    return [
        [text(part) for part in session.find_all(["time", "span"], recursive=False)]
        for session in group.select(".lms-session")
    ]


def trail(soup):
    """The breadcrumb trail as (text, address) pairs."""
    return [(text(link), link["href"]) for link in soup.select("nav.breadcrumbs li a")]


def en(page):
    """The page's English translation (made on first use, its text the original's), whose interface reads
    in English: the words of the source strings."""
    return translation_in(page, "en").url


def mirror_into_english_and_nynorsk():
    """Give every page an alias in nynorsk and English, so that links from /en/ stay in English."""
    mirror_page_trees(Site.objects.get(is_default_site=True))


@pytest.fixture
def offering(catalogue):
    venue = VenueFactory(
        name="Ullevål sykehus", street_address="Kirkeveien 166", postal_code="0450", municipality="Oslo"
    )
    offering = OfferingPageFactory(
        parent=catalogue,
        title="Hodepineskolen",
        introduction="Kurs for deg som lever med langvarig hodepine.",
        format=Format.ON_SITE,
        venue=venue,
        price_type=PriceType.FEE,
        price_amount=750,
        contact_name="Kari Nordmann",
        contact_email="kari.nordmann@example.org",
        contact_phone="22 11 80 80",
        organiser=OrganisationFactory(name="Oslo universitetssykehus"),
    )
    oslo_group = add_group(
        offering,
        "Oslo",
        places=12,
        sessions=[
            {
                "start": datetime.datetime(2030, 1, 15, 17, 0, tzinfo=UTC),
                "end": datetime.datetime(2030, 1, 15, 19, 0, tzinfo=UTC),
                "place_note": "Auditorium 2",
                "topic": "Hva er hodepine?",
            },
            {"start": datetime.datetime(2030, 6, 11, 16, 0, tzinfo=UTC), "topic": "Medisiner"},
        ],
    )
    tromso_group = add_group(
        offering,
        "Tromsø",
        venue=VenueFactory(name="UNN Tromsø", municipality="Tromsø"),
        sessions=[oslo(2030, 1, 22, 10)],
    )
    document = DocumentFactory(title="Prosjektbeskrivelse")
    add_download(offering, document, description="Bakgrunn og metode")
    add_related(offering, OfferingPageFactory(parent=catalogue, title="Mestring av migrene"))
    add_related(offering, OfferingPageFactory(parent=catalogue, title="Utkast til kurs", live=False))
    offering.children = {
        "programme": CourseProgrammePageFactory(parent=offering, title="Program"),
        "brochure": BrochurePageFactory(parent=offering, title="Brosjyre om kurset"),
        "notice": ConfidentialityNoticePageFactory(parent=offering, title="Taushetserklæring"),
        "draft": InformationPageFactory(parent=offering, title="Ikke publisert ennå", live=False),
    }
    offering.groups_by_name = {"Oslo": oslo_group, "Tromsø": tromso_group}
    offering.document = document
    return offering


# The offering


def test_offering_shows_title_introduction_and_facts(offering, get_soup):
    soup = get_soup(en(offering))
    assert text(soup.find("h1")) == "Hodepineskolen"
    assert (
        text(soup.select_one(".lms-offering__header .lms-lead"))
        == "Kurs for deg som lever med langvarig hodepine."
    )
    shown = facts(soup)
    assert shown["Price"] == "NOK 750"
    assert shown["Place"] == "Oslo On site"
    # The offering's venue, said once, with its address and a map.
    venue = section(soup, "dates-heading").select(".lms-venue")  # the offering's, then the Tromsø group's
    assert text(venue[0]).startswith("Ullevål sykehus Kirkeveien 166, 0450 Oslo")
    assert venue[0].find("a")["href"].startswith("https://www.openstreetmap.org/search?query=Kirkeveien")
    organisers = section(soup, "organisers-heading")
    assert "Oslo universitetssykehus" in text(organisers)


def test_offering_shows_each_group_with_its_sessions_in_oslo_time(offering, get_soup):
    soup = get_soup(en(offering))
    groups = {text(group.h3): group for group in soup.select(".lms-group")}
    assert list(groups) == ["Oslo", "Tromsø"]

    oslo_group = groups["Oslo"]
    assert "12 places" in text(oslo_group.select_one(".lms-group__meta"))
    # Stored as 17:00 UTC in winter (UTC+1) and 16:00 UTC in summer (UTC+2): both are 18:00 in Oslo,
    # written as English writes dates, on the 24-hour clock; a session's own place only where it has one.
    assert sessions(oslo_group) == [
        ["Tuesday 15 January 2030", "18:00–20:00", "Hva er hodepine?", "Auditorium 2"],
        ["Tuesday 11 June 2030", "18:00", "Medisiner"],
    ]
    assert [time["datetime"] for time in oslo_group.select(".lms-session time")] == [
        "2030-01-15T18:00:00+01:00",
        "2030-06-11T18:00:00+02:00",
    ]

    # The group's venue is said once, above its sessions, not on every row.
    tromso_group = groups["Tromsø"]
    assert text(tromso_group.select_one(".lms-venue")).startswith("UNN Tromsø")
    assert sessions(tromso_group)[0][:2] == ["Tuesday 22 January 2030", "10:00"]
    assert "UNN" not in text(tromso_group.select_one(".lms-sessions"))
    calendar_link = section(soup, "dates-heading").find("a", href=f"{en(offering)}kalender/")
    assert calendar_link is not None
    for name, group in groups.items():
        key = OfferingGroup.objects.get(offering=offering, name=name).key
        assert group.select_one(".lms-group__calendar a")["href"] == f"{en(offering)}kalender/{key}/"


def test_offering_lists_downloads_with_file_type_and_size_and_its_child_pages(offering, get_soup):
    mirror_into_english_and_nynorsk()
    soup = get_soup(en(offering))
    downloads = section(soup, "downloads-heading")
    links = {text(link): link["href"] for link in downloads.find_all("a")}
    children = offering.children
    assert links == {
        "Program": en(children["programme"]),
        "Brosjyre om kurset": en(children["brochure"]),
        "Taushetserklæring": en(children["notice"]),
        "Prosjektbeskrivelse (PDF, 2.0 KB)": offering.document.url,
    }
    items = [text(item) for item in downloads.find_all("li")]
    assert "Program (course programme)" in items
    assert "Brosjyre om kurset (brochure)" in items
    assert "Prosjektbeskrivelse (PDF, 2.0 KB) Bakgrunn og metode" in items


def test_a_private_child_page_is_not_linked(offering, get_soup):
    PageViewRestriction.objects.create(
        page=offering.children["brochure"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    links = [text(link) for link in section(get_soup(en(offering)), "downloads-heading").find_all("a")]
    assert "Program" in links
    assert "Brosjyre om kurset" not in links


def test_preview_shows_the_editors_unsaved_changes(offering):
    page = OfferingPage.objects.get(pk=offering.pk)
    page.title = "Hodepineskolen høsten 2030"
    group = OfferingGroup(name="Bergen")
    group.sessions.add(GroupSession(start=oslo(2030, 9, 3, 18), topic="Oppstart i Bergen"))
    page.groups.add(group)
    response = page.make_preview_request()
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert text(soup.find("h1")) == "Hodepineskolen høsten 2030"
    assert {text(group.h3) for group in soup.select(".lms-group")} == {"Oslo", "Tromsø", "Bergen"}
    assert any("Oppstart i Bergen" in text(listed) for listed in soup.select(".lms-group .lms-sessions"))


def test_offering_links_live_related_offerings_only(offering, get_soup):
    mirror_into_english_and_nynorsk()
    soup = get_soup(en(offering))
    related = section(soup, "related-heading")
    assert [(text(link), link["href"]) for link in related.find_all("a")] == [
        ("Mestring av migrene", "/en/mestring-av-migrene/")
    ]


def test_offering_shows_how_to_get_in_touch(offering, get_soup):
    soup = get_soup(en(offering))
    contact = section(soup, "contact-heading")
    assert "Kari Nordmann" in text(contact)
    hrefs = [link["href"] for link in contact.find_all("a")]
    assert hrefs == ["mailto:kari.nordmann@example.org", "tel:22118080"]


def test_a_digital_offering_names_its_platform(catalogue, get_soup):
    offering = OfferingPageFactory(
        parent=catalogue, format=Format.DIGITAL, digital_platform="Microsoft Teams"
    )
    assert facts(get_soup(en(offering)))["Place"] == "Digital (Microsoft Teams)"


@pytest.mark.parametrize(
    "price_type, amount, shown",
    [
        (PriceType.FREE, None, "Free"),
        (PriceType.FEE, 750, "NOK 750"),
        (PriceType.FEE, 1500, "NOK 1,500"),
        (PriceType.CO_PAYMENT, 200, "Co-payment (egenandel): NOK 200"),
    ],
)
def test_price_as_a_visitor_reads_it(catalogue, get_soup, price_type, amount, shown):
    offering = OfferingPageFactory(parent=catalogue, price_type=price_type, price_amount=amount)
    assert facts(get_soup(en(offering)))["Price"] == shown


def test_prices_and_dates_as_each_language_writes_them(catalogue, get_soup):
    offering = OfferingPageFactory(parent=catalogue, price_type=PriceType.FEE, price_amount=1500)
    group = OfferingGroup.objects.create(offering=offering, name="Oslo", sort_order=0)
    GroupSession.objects.create(
        group=group, sort_order=0, start=datetime.datetime(2030, 1, 15, 17, tzinfo=datetime.UTC)
    )
    paths = {"nb": offering.url, "nn": translation_in(offering, "nn").url, "en": en(offering)}
    written = {}
    for language, path in paths.items():
        soup = get_soup(path)
        price = soup.select_one('.lms-keyfacts__list use[href$="#price"]').find_parent("li")
        written[language] = (price.get_text(), text(soup.select_one(".lms-group .lms-session__date")))
    assert "1\u00a0500" in written["nb"][0] and "1\u00a0500" in written["nn"][0]
    assert "1,500" in written["en"][0]
    assert written["nb"][1] == "tirsdag 15. januar 2030"
    assert written["nn"][1] == "tysdag 15. januar 2030"
    assert written["en"][1] == "Tuesday 15 January 2030"


def test_offering_clean_collects_every_error_together(catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    offering.min_age, offering.max_age = 18, 16
    offering.price_type, offering.price_amount = PriceType.FEE, None
    offering.registration_opens = oslo(2030, 3, 1, 12)
    offering.registration_closes = oslo(2030, 2, 1, 12)
    offering.format, offering.digital_platform = Format.DIGITAL, ""
    with pytest.raises(ValidationError) as caught:
        offering.clean()
    assert set(caught.value.message_dict) == {
        "max_age",
        "price_amount",
        "registration_closes",
        "digital_platform",
    }


def test_offering_clean_accepts_a_consistent_offering(catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    offering.min_age, offering.max_age = 16, 18
    offering.price_type, offering.price_amount = PriceType.CO_PAYMENT, 200
    offering.registration_opens = oslo(2030, 1, 1, 12)
    offering.registration_closes = oslo(2030, 2, 1, 12)
    offering.format, offering.digital_platform = Format.HYBRID, "Microsoft Teams"
    offering.clean()


# Pages under the offering


def test_programme_shows_days_home_assignment_and_modules_with_their_total(offering, get_soup):
    programme = CourseProgrammePageFactory(
        parent=offering,
        title="Kursprogram",
        days=[
            {
                "type": "day",
                "value": {
                    "title": "Dag 1",
                    "date": "2030-01-15",
                    "items": [
                        {
                            "start_time": "09:00:00",
                            "end_time": "10:30:00",
                            "topic": "Hvorfor kurs i helsepedagogikk?",
                            "description": "",
                            "speakers": "Ola Nordmann, rådgiver",
                        },
                        {
                            "start_time": None,
                            "end_time": None,
                            "topic": "Lunsj",
                            "description": "",
                            "speakers": "",
                        },
                    ],
                },
            },
            {
                "type": "assignment",
                "value": {
                    "title": "Hjemmeoppgave",
                    "text": "<p>Lag en plan for ditt tilbud.</p>",
                    "due": "på dag 3",
                },
            },
        ],
        modules=[
            {
                "type": "module",
                "value": {
                    "name": "Startmodul",
                    "days": 5,
                    "description": "",
                    "learning_goals": ["Å formidle"],
                },
            },
            {
                "type": "module",
                "value": {"name": "Modul 2", "days": 4, "description": "", "learning_goals": []},
            },
            {
                "type": "module",
                "value": {"name": "Modul 3", "days": 4, "description": "", "learning_goals": []},
            },
        ],
    )
    soup = get_soup(en(programme))
    assert text(soup.find("h1")) == "Kursprogram"

    day = soup.select_one(".lms-day")
    assert text(day.h3) == "Dag 1 – Tuesday 15 January 2030"
    items = day.select(".lms-day__items > li")
    assert text(items[0].select_one(".lms-day__time")) == "09:00 – 10:30"
    assert text(items[0].select_one(".lms-day__topic")) == "Hvorfor kurs i helsepedagogikk?"
    assert "Ola Nordmann, rådgiver" in text(items[0].select_one(".lms-day__speakers"))
    assert items[1].select_one(".lms-day__time") is None
    assert text(items[1].select_one(".lms-day__topic")) == "Lunsj"

    assignment = soup.select_one(".lms-assignment")
    assert text(assignment.h3) == "Hjemmeoppgave"
    assert "Lag en plan for ditt tilbud." in text(assignment)
    assert "på dag 3" in text(assignment)

    modules = soup.select(".lms-module")
    assert [text(module.h3) for module in modules] == [
        "Startmodul (5 days)",
        "Modul 2 (4 days)",
        "Modul 3 (4 days)",
    ]
    assert text(soup.select_one(".lms-modules__total")) == "In total 13 days"


def test_brochure_offers_its_file_with_type_size_and_language(offering, get_soup):
    brochure = offering.children["brochure"]
    soup = get_soup(en(brochure))
    assert text(soup.find("h1")) == "Brosjyre om kurset"
    link = soup.select_one("a.lms-download")
    assert link["href"] == brochure.document.url
    assert link["hreflang"] == "nb"
    assert text(link.select_one(".lms-download__meta")) == "(PDF, 2.0 KB, Norwegian Bokmål)"


def test_brochure_without_a_file_says_so(offering, get_soup):
    brochure = BrochurePageFactory(
        parent=offering, title="Brosjyre på engelsk", slug="brochure", document=None
    )
    soup = get_soup(en(brochure))
    assert soup.select_one("a.lms-download") is None
    assert "not available for download" in text(soup.find("article"))


def test_notice_shows_its_version_and_effective_date(offering, get_soup):
    notice = offering.children["notice"]
    notice.body = "<p>Alt som deles i gruppa, er fortrolig.</p>"
    notice.save_revision().publish()
    notice.refresh_from_db()
    soup = get_soup(en(notice))
    with translation.override("en"):
        effective = date_format(notice.effective_date, "j F Y")
    assert text(soup.select_one(".lms-notice__version")) == f"Version 1, in effect from {effective}"
    assert "Alt som deles i gruppa, er fortrolig." in text(soup.find("article"))


def test_information_page_renders_its_blocks(catalogue, get_soup):
    page = InformationPageFactory(
        parent=catalogue,
        title="Om tilbudene",
        introduction="Slik jobber vi.",
        last_reviewed=datetime.date(2030, 2, 1),
        body=[
            {"type": "heading", "value": {"text": "Målet med nettverket", "level": "h3"}},
            {"type": "paragraph", "value": "<p>Vi lærer av hverandre.</p>"},
            {"type": "quote", "value": {"text": "Flott å møte andre", "attribution": "Deltaker"}},
            {
                "type": "key_figures",
                "value": {"heading": "I 2016", "figures": [{"figure": "130", "text": "kurs"}]},
            },
        ],
    )
    soup = get_soup(en(page))
    article = soup.find("article")
    assert text(article.h1) == "Om tilbudene"
    assert text(article.select_one(".lms-lead")) == "Slik jobber vi."
    assert text(article.find("h3")) == "Målet med nettverket"
    assert "Vi lærer av hverandre." in text(article)
    assert text(article.select_one(".lms-quote blockquote")) == "Flott å møte andre"
    assert text(article.select_one(".lms-quote figcaption")) == "Deltaker"
    assert text(article.select_one(".lms-key-figures li")) == "130 kurs"
    assert article.select_one("footer time")["datetime"] == "2030-02-01"


# The frame: breadcrumbs, languages, error pages


def test_breadcrumbs_lead_from_the_site_root_to_the_page(offering, get_soup):
    mirror_into_english_and_nynorsk()
    soup = get_soup(en(offering.children["programme"]))
    assert trail(soup) == [
        ("Kurs og tilbud", "/en/"),
        ("Hodepineskolen", "/en/hodepineskolen/"),
        ("Program", "/en/hodepineskolen/program/"),
    ]
    links = soup.select("nav.breadcrumbs li a")
    assert [link.get("aria-current") for link in links] == [None, None, "page"]


def test_an_offering_breadcrumb_trail_is_its_catalogue(offering, get_soup):
    mirror_into_english_and_nynorsk()
    assert trail(get_soup(en(offering))) == [
        ("Kurs og tilbud", "/en/"),
        ("Hodepineskolen", "/en/hodepineskolen/"),
    ]


def test_breadcrumbs_start_at_the_home_page_of_a_host_site(db, get_soup):
    home = Page.objects.get(depth=2)  # the host site's own home page stays the site root
    catalogue = CataloguePageFactory(parent=home, title="Kurs", slug="kurs")
    offering = OfferingPageFactory(parent=catalogue, title="Hodepineskolen")
    programme = CourseProgrammePageFactory(parent=offering, title="Program")
    mirror_into_english_and_nynorsk()
    to_offering = [
        (home.title, "/en/"),
        ("Kurs", "/en/kurs/"),
        ("Hodepineskolen", "/en/kurs/hodepineskolen/"),
    ]
    assert trail(get_soup(en(offering))) == to_offering
    assert trail(get_soup(en(programme))) == to_offering + [("Program", "/en/kurs/hodepineskolen/program/")]


def test_the_site_root_has_no_breadcrumb_trail(catalogue, get_soup):
    assert get_soup("/en/").select("nav.breadcrumbs") == []


@pytest.mark.parametrize("prefix, language", [("", "nb"), ("/nn", "nn"), ("/en", "en"), ("/se", "se")])
def test_each_language_version_names_its_language_and_links_to_the_others(
    offering, get_soup, prefix, language
):
    for code in ("nn", "en", "se"):
        translation_in(offering, code)
    soup = get_soup(f"{prefix}/hodepineskolen/")
    # Northern Sami's interface is bokmål, and marked so; the page's own text is marked as Sami.
    assert soup.html["lang"] == ("nb" if language == "se" else language)
    assert soup.find("h1").get("lang") == ("se" if language == "se" else None)
    switcher = soup.select("nav.language-switcher a")
    assert {link["hreflang"]: link["href"] for link in switcher} == {
        "nb": "/hodepineskolen/",
        "nn": "/nn/hodepineskolen/",
        "en": "/en/hodepineskolen/",
        "se": "/se/hodepineskolen/",
    }
    assert [link["hreflang"] for link in switcher if link.get("aria-current")] == [language]


def test_unknown_address_gives_the_404_page(catalogue, client, settings):
    settings.DEBUG = False
    response = client.get("/en/finnes-ikke/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "en"
    assert text(soup.find("h1")) == "Page not found"
    assert soup.select_one("main a")["href"] == "/en/"


def test_500_page_renders_on_its_own_without_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert text(soup.find("h1")) == "Noe gikk galt"
    assert text(soup.find("h2", lang="en")) == "Something went wrong"
    assert soup.select_one("main a")["href"] == "/"


def test_the_footer_follows_saved_settings_and_moved_pages(catalogue, get_soup):
    """The site settings are cached between requests; saving them or moving a linked page shows at once."""
    from lms_pages.models import LmsSiteSettings

    statement = InformationPageFactory(
        parent=catalogue, title="Tilgjengelighetserklæring", slug="tilgjengelighet"
    )
    site = Site.objects.get(is_default_site=True)
    site_settings = LmsSiteSettings.for_site(site)
    site_settings.email = "kurs@example.org"
    site_settings.accessibility_statement = statement
    site_settings.save()

    footer = get_soup("/").select_one(".site-footer")
    assert "kurs@example.org" in footer.get_text()
    assert footer.select_one("a[href='/tilgjengelighet/']")

    site_settings.email = "lms@example.org"
    site_settings.save()
    footer = get_soup("/").select_one(".site-footer")
    assert "lms@example.org" in footer.get_text()
    assert "kurs@example.org" not in footer.get_text()

    statement.slug = "uu-erklaering"
    statement.save_revision().publish()
    assert get_soup("/").select_one(".site-footer a[href='/uu-erklaering/']")
