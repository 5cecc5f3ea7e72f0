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
    call_command("load_demo", "--today", TODAY.isoformat(), "--no-admin", stdout=io.StringIO())
    return Site.objects.get(is_default_site=True)


def public_paths(site):
    """The address of every live page of the site, in every language tree (aliases included: a visitor
    reaches them through the language switcher)."""
    roots = Page.objects.filter(translation_key=site.root_page.translation_key)
    paths = []
    for root in roots:
        for page in root.get_descendants(inclusive=True).live().public().specific():
            paths.append(page.get_url())
    return sorted(set(paths))


class Reader:
    """GETs pages once each and keeps what they say about their language."""

    def __init__(self, client):
        self.client = client
        self.pages = {}

    def read(self, path):
        if path not in self.pages:
            response = self.client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            soup = BeautifulSoup(response.content, "html.parser")
            self.pages[path] = {
                "soup": soup,
                "html_lang": soup.html.get("lang"),
                "content_language": response["Content-Language"],
                "untranslated": soup.select_one(".lms-language-notice") is not None,
            }
        return self.pages[path]


def local_path(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url


def test_every_page_in_every_language_tells_its_language_truthfully(demo, client):
    """One walk of the demo (loading it costs more than reading every page): the text, the hreflang links
    and the sitemap."""
    reader = Reader(client)
    problems = []
    problems += text_problems(reader, demo)
    problems += hreflang_problems(reader, demo)
    problems += sitemap_problems(reader, client)
    assert problems == [], "\n".join(problems)
    # The site's own name follows the page's language.
    names = {
        path: reader.read(path)["soup"].select_one(".site-footer__organisation").get_text(strip=True)
        for path in ("/", "/nn/", "/en/", "/se/")
    }
    assert names == {
        "/": "Lærings- og mestringssenteret Helse Nord-Trøndelag HF",
        "/nn/": "Lærings- og meistringssenteret Helse Nord-Trøndelag HF",
        "/en/": "Learning and Coping Centre, Helse Nord-Trøndelag HF",
        "/se/": "Lærings- og mestringssenteret Helse Nord-Trøndelag HF",  # an alias: the bokmål page
    }


def text_problems(reader, demo):
    problems = []
    paths = public_paths(demo)
    assert len(paths) > 40  # four trees of the demo's pages
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
            link["hreflang"]: local_path(link["href"]) for link in soup.select("link[rel=alternate]")
        }
        if reader.pages[path]["untranslated"]:
            canonical = local_path(soup.select_one("link[rel=canonical]")["href"])
            if path in alternates.values() or canonical == path:
                problems.append(f"{path}: an untranslated page offers itself as a page of its own")
        for language, target in alternates.items():
            linked = reader.read(target)
            if linked["untranslated"] or linked["content_language"] != language:
                problems.append(f"{path}: hreflang={language} points at {target}, which is not in {language}")
    return problems


def sitemap_problems(reader, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = ET.fromstring(response.content).findall(f"{SITEMAP}url")
    listed = [local_path(url.find(f"{SITEMAP}loc").text) for url in urls]
    assert len(listed) == len(set(listed))
    problems = []
    for url in urls:
        path = local_path(url.find(f"{SITEMAP}loc").text)
        page = reader.read(path)
        if page["untranslated"]:
            problems.append(f"{path}: listed, but it shows a page in another language")
        for alternate in url.findall(f"{XHTML}link"):
            target = reader.read(local_path(alternate.get("href")))
            if target["untranslated"] or target["content_language"] != alternate.get("hreflang"):
                problems.append(
                    f"{path}: alternate {alternate.get('href')} is not in {alternate.get('hreflang')}"
                )
    # The genuinely translated pages are listed in their languages.
    languages = {reader.read(path)["content_language"] for path in listed}
    if not {"nb", "nn", "en"} <= languages:
        problems.append(f"the sitemap lists pages in {sorted(languages)} only")
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
