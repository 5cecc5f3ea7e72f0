"""The site's look, set in its settings: a brand colour checked against white text, a logo, contact details."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.images import get_image_model
from wagtail.models import Site

from lms_pages.colours import contrast_with_white, darker, validate_brand_colour
from lms_pages.models import LmsSiteSettings

LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60" viewBox="0 0 300 60">'
    b'<rect width="300" height="60" fill="#fff"/></svg>'
)
PLACEHOLDERS = ["Eksempelveien", "0000", "Demostad", "00 00 00 00", "lms@example.org"]


def site_settings(**values):
    settings = LmsSiteSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def svg_logo(title="Logo"):
    image = get_image_model()(title=title)
    image.file.save("logo.svg", ContentFile(LOGO_SVG), save=False)
    image._set_image_file_metadata()
    image.full_clean()  # as the admin's upload form does: reads the SVG's width and height
    image.save()
    return image


def custom_properties(css):
    return dict(re.findall(r"(--lms-[\w-]+):\s*(#[0-9a-f]{6});", css))


# The colour ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", ["#003a73", "#0063A8", "#000000"])
def test_dark_colours_pass(colour):
    validate_brand_colour(colour)


# #767676 is the lightest grey that passes (4.54:1); #777777 just fails.
@pytest.mark.parametrize("colour", ["#ffffff", "#ffbf47", "#00a0e0", "#777777"])
def test_colours_too_light_for_white_text_are_refused(colour):
    with translation.override("en"), pytest.raises(ValidationError, match="4.5:1"):
        validate_brand_colour(colour)


@pytest.mark.parametrize(
    "colour", ["003a73", "#03a", "#003a7", "#003a733", "#00ga73", "blue", " #003a73", ""]
)
def test_malformed_colours_are_refused(colour):
    with translation.override("en"), pytest.raises(ValidationError, match="six hexadecimal digits"):
        validate_brand_colour(colour)


def test_the_settings_form_refuses_a_light_colour(db):
    settings = LmsSiteSettings(site=Site.objects.get(is_default_site=True), brand_colour="#87ceeb")
    with pytest.raises(ValidationError) as refused:
        settings.full_clean()
    assert "brand_colour" in refused.value.message_dict


@pytest.mark.parametrize("colour", ["#003a73", "#0063a8", "#6a1b9a", "#767676"])
def test_the_hover_colour_is_darker_and_keeps_the_contrast(colour):
    dark = darker(colour)
    assert re.fullmatch(r"#[0-9a-f]{6}", dark)
    assert contrast_with_white(dark) > contrast_with_white(colour)


# The colour reaches the page ----------------------------------------------------------------------------


def test_the_brand_colour_reaches_the_page_through_a_stylesheet_of_its_own(catalogue, client, get_soup):
    site_settings(brand_colour="#0063A8")
    soup = get_soup("/")
    assert soup.find_all("style") == [], "the Content-Security-Policy allows no inline style"
    links = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    brand = [href for href in links if "brand" in href]
    assert len(brand) == 1
    assert links.index(brand[0]) > links.index("/static/lms_pages/lms.css"), "it overrides lms.css"

    response = client.get(brand[0])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=31536000" in cache_control and "immutable" in cache_control
    properties = custom_properties(response.content.decode())
    assert properties == {
        "--lms-brand": "#0063a8",
        "--lms-accent": "#0063a8",
        "--lms-accent-dark": darker("#0063a8"),
    }


def test_a_new_colour_is_a_new_address(catalogue, get_soup):
    site_settings(brand_colour="#003a73")
    first = get_soup("/").find("link", href=re.compile("brand"))["href"]
    site_settings(brand_colour="#6a1b9a")
    second = get_soup("/").find("link", href=re.compile("brand"))["href"]
    assert first != second
    assert "6a1b9a" in second


def test_without_a_colour_the_page_keeps_the_default_look(catalogue, get_soup):
    site_settings(brand_colour="")
    links = [link["href"] for link in get_soup("/").find_all("link", rel="stylesheet")]
    assert links == ["/static/lms_pages/lms.css", "/static/css/site.css"]


@pytest.mark.parametrize("path", ["/lms-brand/ffffff.css", "/lms-brand/ffbf47.css", "/lms-brand/0063A8.css"])
def test_the_stylesheet_is_only_served_for_dark_colours_in_one_spelling(db, client, path):
    assert client.get(path).status_code == 404


# The header ---------------------------------------------------------------------------------------------


def test_the_logo_leads_home_with_the_organisation_as_its_text(catalogue, get_soup):
    site_settings(organisation_name="Lærings- og mestringssenteret Testby", logo=svg_logo())
    home = get_soup("/").select_one(".site-header a[href='/']")
    logo = home.find("img")
    assert logo["alt"] == "Lærings- og mestringssenteret Testby"
    assert logo["src"].endswith(".svg"), "an SVG logo stays an SVG"
    assert home.get_text(strip=True) == "", "the image's alt text is the link's only name"


def test_without_a_logo_the_name_is_written_out(catalogue, get_soup):
    site_settings(organisation_name="Lærings- og mestringssenteret Testby", logo=None)
    home = get_soup("/").select_one(".site-header a[href='/']")
    assert home.find("img") is None
    assert home.get_text(strip=True) == "Lærings- og mestringssenteret Testby"


def test_the_settings_and_their_logo_are_read_once_and_kept(catalogue, client):
    site_settings(organisation_name="LMS Testby", logo=svg_logo())
    client.get("/")  # builds the cached settings and the logo's rendition
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "lms_pages_lmssitesettings" not in tables
    assert "wagtailimages" not in tables


# The footer ---------------------------------------------------------------------------------------------


def test_the_footer_gives_address_phone_hours_and_email_as_links(catalogue, get_soup):
    site_settings(
        organisation_name="LMS Testby",
        address="Postboks 1\n7600 Levanger",
        phone="74 09 89 85",
        opening_hours="Mandag til fredag 08.00–15.30",
        email="lms@example.org",
    )
    footer = get_soup("/").select_one(".site-footer")
    contact = footer.find("address")
    assert "Postboks 1" in contact.get_text() and "7600 Levanger" in contact.get_text()
    phone = contact.select_one("a[href^='tel:']")
    assert phone["href"] == "tel:74098985"
    assert phone.get_text(strip=True) == "74 09 89 85"
    assert "Mandag til fredag 08.00–15.30" in phone.parent.get_text()
    email = contact.select_one("a[href^='mailto:']")
    assert email["href"] == "mailto:lms@example.org"


def test_the_footer_leaves_out_what_is_not_given(catalogue, get_soup):
    site_settings(organisation_name="LMS Testby", address="", phone="", email="", opening_hours="08–15")
    contact = get_soup("/").select_one(".site-footer address")
    assert contact.select("a") == []
    assert "08–15" not in contact.get_text(), "phone hours without a phone say nothing"


# The demo -----------------------------------------------------------------------------------------------


@pytest.fixture
def demo_site(db):
    for _ in range(2):
        call_command("load_demo", "--today", "2030-01-10", stdout=io.StringIO())
    return Site.objects.get(is_default_site=True)


def test_the_demo_shows_the_centres_own_contact_details_and_its_look(demo_site, client, get_soup):
    settings = LmsSiteSettings.for_site(demo_site)
    # As printed in seed 001 (Lærings- og mestringssenteret Helse Nord-Trøndelag HF).
    assert settings.organisation_name == "Lærings- og mestringssenteret Helse Nord-Trøndelag HF"
    assert (settings.email, settings.phone) == ("lms@hnt.no", "74 09 89 85")
    assert (settings.address, settings.opening_hours) == ("", ""), "the seeds print neither"
    validate_brand_colour(settings.brand_colour)
    # Each site's wordmark, once.
    assert get_image_model().objects.count() == 2, "loading again stores the logos once"
    assert settings.logo.is_svg()

    for path in ["/", "/personvern/", "/tilgjengelighetserklaering/"]:
        html = client.get(path).content.decode()
        for placeholder in PLACEHOLDERS:
            assert placeholder not in html, f"{path} shows {placeholder!r}"

    soup = get_soup("/")
    assert soup.select_one(".site-header img")["alt"] == settings.organisation_name
    footer = soup.select_one(".site-footer")
    assert footer.select_one("a[href='tel:74098985']")
    assert footer.select_one("a[href='mailto:lms@hnt.no']")
    assert footer.select_one("a[href='/tilgjengelighetserklaering/']")
    assert footer.select_one("a[href='/personvern/']")


def test_a_replaced_or_deleted_logo_shows_at_once(catalogue, get_soup):
    logo = svg_logo()
    site_settings(organisation_name="LMS Testby", logo=logo)
    assert "logo" in get_soup("/").select_one(".site-header img")["src"]

    logo.file.save("wider.svg", ContentFile(LOGO_SVG.replace(b'width="300"', b'width="600"', 2)), save=False)
    logo.file.seek(0)
    logo.full_clean()
    logo.save()
    logo.renditions.all().delete()  # as the admin does when an image gets a new file
    assert "wider" in get_soup("/").select_one(".site-header img")["src"]

    logo.delete()
    home = get_soup("/").select_one(".site-header a[href='/']")
    assert home.find("img") is None
    assert home.get_text(strip=True) == "LMS Testby"
