"""Every public page of the demo, in every language, says truthfully which language it is in.

The demo is walked as a visitor and a search engine would: every live page of every language tree, and
each address of the sitemap. A page fails when the language of its text disagrees with the language it
is marked as (tests/language_check.py), when an hreflang link or the sitemap offers as a translation a
page that is not one, or when an interface string shows untranslated.
"""

import datetime
import io

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree as ET
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Page, Site

from lms_pages.languages import interface_language
from lms_pages.translations import mirror_page_trees
from tests.language_check import english_strings_in, mismatches

TODAY = datetime.date(2030, 1, 10)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def demo(db):
    """The demo's two sites, the default (the hospital's) first."""
    call_command("load_demo", "--today", TODAY.isoformat(), "--no-admin", stdout=io.StringIO())
    return list(Site.objects.order_by("-is_default_site", "hostname"))


def public_paths(site):
    """The address of every live page of the site, in every language tree (aliases included: a visitor
    reaches them through the language switcher)."""
    roots = Page.objects.filter(translation_key=site.root_page.translation_key)
    paths = []
    for root in roots:
        for page in root.get_descendants(inclusive=True).live().public().specific():
            site_id, _root_url, path = page.get_url_parts()
            assert site_id == site.pk
            paths.append(path)
    return sorted(set(paths))


class Reader:
    """GETs pages of one site (at its host) once each and keeps what they say about their language."""

    def __init__(self, client, site):
        self.client = client
        self.host = f"{site.hostname}:{site.port}"
        self.pages = {}

    def read(self, path):
        if path not in self.pages:
            assert "://" not in path, f"{path}: a link to another host"
            response = self.client.get(path, HTTP_HOST=self.host)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            soup = BeautifulSoup(response.content, "html.parser")
            self.pages[path] = {
                "soup": soup,
                "html_lang": soup.html.get("lang"),
                "content_language": response["Content-Language"],
                "untranslated": soup.select_one(".lms-language-notice") is not None,
            }
        return self.pages[path]


def local_path(url, site=None):
    """The path of a full URL of `site` (a URL of another host is kept whole, and so fails to be read)."""
    if "://" not in url:
        return url
    host, _, path = url.split("://", 1)[1].partition("/")
    if site is not None and host != f"{site.hostname}:{site.port}":
        return url
    return "/" + path


# Each site's name follows the page's language.
NAMES = {
    "localhost": {
        "/": "Lærings- og mestringssenteret Helse Nord-Trøndelag HF",
        "/nn/": "Lærings- og meistringssenteret Helse Nord-Trøndelag HF",
        "/en/": "Learning and Coping Centre, Helse Nord-Trøndelag HF",
        "/se/": "Lærings- og mestringssenteret Helse Nord-Trøndelag HF",  # an alias: the bokmål page
    },
    "nordhordland.localhost": {
        "/": "Nordhordland – levevaner og mestring",
        "/nn/": "Nordhordland – levevanar og meistring",
        "/en/": "Nordhordland – levevaner og mestring",  # aliases of the bokmål catalogue
        "/se/": "Nordhordland – levevaner og mestring",
    },
}


def test_every_page_in_every_language_of_both_sites_tells_its_language_truthfully(demo, client):
    """One walk of the demo (loading it costs more than reading every page): on each site at its own host,
    the text, the hreflang links and the sitemap."""
    assert [site.hostname for site in demo] == ["localhost", "nordhordland.localhost"]
    problems = []
    for site in demo:
        reader = Reader(client, site)
        problems += text_problems(reader, site)
        problems += hreflang_problems(reader, site)
        problems += sitemap_problems(reader, client, site)
        names = {
            path: reader.read(path)["soup"].select_one(".site-footer__organisation").get_text(strip=True)
            for path in ("/", "/nn/", "/en/", "/se/")
        }
        if names != NAMES[site.hostname]:
            problems.append(f"{site.hostname}: the site's names are {names}")
    assert problems == [], "\n".join(problems)


def text_problems(reader, demo):
    problems = []
    paths = public_paths(demo)
    assert len(paths) > (40 if demo.is_default_site else 20)  # four trees of the site's pages
    for path in paths:
        page = reader.read(path)
        soup = page["soup"]
        expected_html_lang = interface_language(page["content_language"])
        if page["html_lang"] != expected_html_lang:
            problems.append(
                f"{path}: <html lang={page['html_lang']}>, its text is {page['content_language']}"
            )
        for marked, detected, sample in mismatches(soup.body):
            problems.append(f"{path}: text marked {marked} reads as {detected}: {sample}")
        for string in sorted(english_strings_in(soup.body)):
            problems.append(f"{path}: untranslated interface string {string!r}")
    return problems


def hreflang_problems(reader, demo):
    problems = []
    for path in public_paths(demo):
        soup = reader.read(path)["soup"]
        alternates = {
            link["hreflang"]: local_path(link["href"], demo) for link in soup.select("link[rel=alternate]")
        }
        if reader.pages[path]["untranslated"]:
            canonical = local_path(soup.select_one("link[rel=canonical]")["href"], demo)
            if path in alternates.values() or canonical == path:
                problems.append(f"{path}: an untranslated page offers itself as a page of its own")
        for language, target in alternates.items():
            linked = reader.read(target)
            if linked["untranslated"] or linked["content_language"] != language:
                problems.append(f"{path}: hreflang={language} points at {target}, which is not in {language}")
    return problems


def sitemap_problems(reader, client, site):
    """The site's sitemap lists its own pages only (every address is read at the site's host: another
    host's fails), each in its language, with alternates in theirs."""
    response = client.get("/sitemap.xml", HTTP_HOST=reader.host)
    assert response.status_code == 200
    urls = ET.fromstring(response.content).findall(f"{SITEMAP}url")
    listed = [local_path(url.find(f"{SITEMAP}loc").text, site) for url in urls]
    assert len(listed) == len(set(listed))
    problems = [f"{site.hostname}: the sitemap lists {url}" for url in listed if "://" in url]
    listed = [path for path in listed if "://" not in path]
    if set(listed) - set(public_paths(site)):
        problems.append(f"{site.hostname}: the sitemap lists {sorted(set(listed) - set(public_paths(site)))}")
    for url in urls:
        path = local_path(url.find(f"{SITEMAP}loc").text, site)
        if "://" in path:
            continue
        page = reader.read(path)
        if page["untranslated"]:
            problems.append(f"{path}: listed, but it shows a page in another language")
        for alternate in url.findall(f"{XHTML}link"):
            href = local_path(alternate.get("href"), site)
            if "://" in href:
                problems.append(f"{path}: alternate {href} is on another host")
                continue
            target = reader.read(href)
            if target["untranslated"] or target["content_language"] != alternate.get("hreflang"):
                problems.append(
                    f"{path}: alternate {alternate.get('href')} is not in {alternate.get('hreflang')}"
                )
    # The genuinely translated pages are listed in their languages.
    languages = {reader.read(path)["content_language"] for path in listed}
    expected = {"nb", "nn", "en"} if site.is_default_site else {"nb", "nn"}
    if not expected <= languages:
        problems.append(f"{site.hostname}: the sitemap lists pages in {sorted(languages)} only")
    return problems


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_missing_page_says_so_in_each_language(catalogue, client, language):
    mirror_page_trees(Site.objects.get(is_default_site=True))
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
    response = client.get(f"{prefix}/finnes-ikke/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == interface_language(language)
    assert mismatches(soup.body) == []
    assert english_strings_in(soup.body) == set()
