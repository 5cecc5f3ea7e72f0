"""The regional catalogue: feeds of this installation's sites and of others, read on a schedule with
limits, checked offering by offering, a last good copy kept when a feed fails; the local catalogue's
filters and search; each card leading to the offering on its own site."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from lms_pages.models import FeedCopy, PriceType, RegionalCataloguePage, RegionalFeed
from lms_pages.regional.fetching import refresh_feeds
from tests.factories import (
    CataloguePageFactory,
    OfferingPageFactory,
    TopicFactory,
    add_group,
    add_session,
    oslo,
)

MUNICIPALITY = "kommune.example.org"


class FeedServer:
    """A feed host on 127.0.0.1: each path answers as `routes[path]` says (status, headers, body, delay)."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                status, headers, body, delay = server.routes.get(self.path, (404, {}, b"{}", 0))
                if callable(body):
                    status, headers, body = body(self)
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def serve(self, path, body, *, status=200, headers=None, delay=0):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        self.routes[path] = (status, {"Content-Type": "application/json", **(headers or {})}, body, delay)
        return self.url + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    server = FeedServer()
    yield server
    server.close()


def offering(parent, title, *, topic=None, free=True, start=None, **fields):
    price = {"price_type": PriceType.FREE} if free else {"price_type": PriceType.FEE, "price_amount": 500}
    page = OfferingPageFactory(parent=parent, title=title, **price, **fields)
    if topic:
        page.topics.add(topic)
        page.save()
    group = add_group(page, "Gruppe", places=10)
    add_session(group, start or oslo(2030, 3, 1, 18))
    return page


@pytest.fixture
def region(catalogue, client, settings):
    """The hospital's site (the default) and a municipality's, each with offerings; a regional catalogue on
    the hospital's site lists the hospital directly and the municipality's through its feed over HTTP."""
    settings.ALLOWED_HOSTS = ["*"]
    headache = TopicFactory(name="Hodepine", slug="hodepine")
    lifestyle = TopicFactory(name="Levevaner", slug="levevaner")
    hospital = Site.objects.get(is_default_site=True)
    offering(catalogue, "Hodepineskolen", topic=headache, start=oslo(2030, 2, 1, 18))
    offering(catalogue, "Mestringskurs for pårørende", free=False, start=oslo(2030, 4, 1, 18))
    kommune = CataloguePageFactory(
        parent=Page.get_first_root_node(), title="Kommunens tilbud", slug="kommune"
    )
    municipality = Site.objects.create(
        hostname=MUNICIPALITY, port=80, root_page=kommune, site_name="Kommunen"
    )
    offering(kommune, "Frisklivskurs i Knarvik", topic=lifestyle, start=oslo(2030, 1, 10, 10))
    page = catalogue.add_child(
        instance=RegionalCataloguePage(title="Tilbud i regionen", slug="regionen", offerings_per_page=20)
    )
    RegionalFeed.objects.create(page=page, site=hospital, sort_order=0)
    municipal_feed = json.loads(client.get("/feed/offerings/", HTTP_HOST=MUNICIPALITY).content)
    return type(
        "Region",
        (),
        {"page": page, "hospital": hospital, "municipality": municipality, "feed": municipal_feed},
    )


def add_remote(page, url):
    return RegionalFeed.objects.create(page=page, url=url, sort_order=1)


def card_titles(client, query=""):
    from bs4 import BeautifulSoup

    response = client.get("/regionen/" + query)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [link.get_text(strip=True) for link in soup.select(".lms-card__link")], soup


@pytest.mark.django_db
def test_the_catalogue_lists_every_sites_offerings_each_linking_to_its_own_site(client, region, server):
    add_remote(region.page, server.serve("/feed/offerings/", region.feed))
    assert refresh_feeds() == {f"site:{region.hospital.pk}": "", f"{server.url}/feed/offerings/": ""}
    titles, soup = card_titles(client)
    # In the order of their next date.
    assert titles == ["Frisklivskurs i Knarvik", "Hodepineskolen", "Mestringskurs for pårørende"]
    links = {link.get_text(strip=True): link["href"] for link in soup.select(".lms-card__link")}
    assert links["Frisklivskurs i Knarvik"] == f"http://{MUNICIPALITY}/frisklivskurs-i-knarvik/"
    assert links["Hodepineskolen"].startswith("http://localhost")


@pytest.mark.django_db
def test_the_local_catalogues_filters_and_search(client, region, server):
    add_remote(region.page, server.serve("/feed/offerings/", region.feed))
    refresh_feeds()
    assert card_titles(client, "?topic=Levevaner")[0] == ["Frisklivskurs i Knarvik"]
    assert card_titles(client, "?q=hodepine")[0] == ["Hodepineskolen"]
    assert card_titles(client, "?price=paid")[0] == ["Mestringskurs for pårørende"]
    assert card_titles(client, "?date_from=2030-03-15")[0] == ["Mestringskurs for pårørende"]
    assert card_titles(client, "?sort=title")[0] == sorted(card_titles(client)[0])
    titles, soup = card_titles(client, "?topic=Levevaner&q=knarvik")
    assert titles == ["Frisklivskurs i Knarvik"]
    chips = [chip.get_text(" ", strip=True) for chip in soup.select(".lms-chip")]
    assert any("Levevaner" in chip for chip in chips) and any("knarvik" in chip for chip in chips)
    # The counts beside the options: each as if chosen, with the other choices applied.
    soup = card_titles(client, "?q=knarvik")[1]
    topic_counts = {
        option.select_one(".lms-option__name").get_text(strip=True): option.select_one(".lms-count").get_text(
            strip=True
        )
        for option in soup.select("#id_topic .lms-option")
    }
    assert topic_counts == {"Levevaner": "(1)"}
    # A bad date is refused with a message, and the page still shows every offering.
    titles, soup = card_titles(client, "?date_from=2030-13-45")
    assert len(titles) == 3 and soup.select_one(".lms-error-summary")


@pytest.mark.django_db
def test_an_unchanged_feed_is_asked_with_its_etag_and_costs_a_304(client, region, server):
    body = json.dumps(region.feed).encode()

    def answer(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/json", "ETag": '"v1"'}, body

    server.routes["/feed/"] = (200, {}, answer, 0)
    add_remote(region.page, server.url + "/feed/")
    refresh_feeds()
    refresh_feeds()
    assert [headers.get("If-None-Match") for _path, headers in server.requests] == [None, '"v1"']
    copy = FeedCopy.objects.get(source=server.url + "/feed/")
    assert len(copy.items) == 1 and copy.error == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer, error",
    [
        ({"status": 500, "body": b"Internal error"}, "answered 500"),
        ({"body": b"{not json"}, "not JSON"),
        ({"body": b"\xff\xfe"}, "not JSON"),
        ({"body": {"@type": "ItemList", "itemListElement": []}}, "not an offerings feed"),
        ({"body": b"[" * 100_000 + b"]" * 100_000}, "not JSON"),  # nested past the parser's depth
        (
            {"body": b'{"@type": "DataFeed", "dataFeedElement": [' + b'{"a": 1},' * 400_000 + b"{}]}"},
            "larger",
        ),
        ({"status": 302, "headers": {"Location": "file:///etc/passwd"}, "body": b""}, "another host"),
        ({"status": 302, "headers": {"Location": "http://169.254.169.254/"}, "body": b""}, "another host"),
        (
            {"body": {"@type": "DataFeed", "dataFeedElement": [], "next": "http://elsewhere.example/feed"}},
            "another host",
        ),
        ({"body": {"@type": "DataFeed", "dataFeedElement": [], "next": "/broken/"}}, "circle"),
    ],
    ids=[
        "server-error",
        "broken-json",
        "not-utf8",
        "not-a-feed",
        "deep",
        "huge",
        "file-redirect",
        "redirect-away",
        "next-away",
        "next-loop",
    ],
)
def test_a_broken_or_hostile_feed_keeps_the_last_good_copy(client, region, server, settings, answer, error):
    settings.LMS_REGIONAL_FEED_MAX_BYTES = 1_000_000
    url = server.serve("/broken/", region.feed)
    add_remote(region.page, url)
    refresh_feeds()
    assert "Frisklivskurs i Knarvik" in card_titles(client)[0]
    server.serve("/broken/", answer["body"], status=answer.get("status", 200), headers=answer.get("headers"))
    outcome = refresh_feeds()
    assert error in outcome[url]
    copy = FeedCopy.objects.get(source=url)
    assert error in copy.error and copy.checked_at > copy.succeeded_at
    assert "Frisklivskurs i Knarvik" in card_titles(client)[0]  # the last good copy is still shown


@pytest.mark.django_db
def test_a_slow_feed_is_given_up_within_the_time_limit(client, region, server, settings):
    settings.LMS_REGIONAL_FEED_TIMEOUT = 1
    url = server.serve("/slow/", region.feed, delay=5)
    add_remote(region.page, url)
    started = time.monotonic()
    outcome = refresh_feeds()
    assert time.monotonic() - started < 4
    assert "too long" in outcome[url] or "could not be reached" in outcome[url]
    assert FeedCopy.objects.get(source=url).items == []
    assert card_titles(client)[0] == ["Hodepineskolen", "Mestringskurs for pårørende"]


@pytest.mark.django_db
def test_offerings_that_fail_the_schema_or_carry_unsafe_links_are_left_out_one_by_one(client, region, server):
    good = region.feed["dataFeedElement"][0]
    script_link = {**good, "identifier": "x1", "url": "javascript:alert(1)"}
    wrong_type = {**good, "identifier": "x2", "hasCourseInstance": "many"}
    no_name = {key: value for key, value in good.items() if key != "name"}
    html_name = {**good, "identifier": "x3", "name": "<script>alert(1)</script>Kurs"}
    feed = {**region.feed, "dataFeedElement": [good, script_link, wrong_type, no_name, "text", html_name]}
    url = server.serve("/mixed/", feed)
    add_remote(region.page, url)
    outcome = refresh_feeds()
    assert "4 offerings were left out" in outcome[url]
    copy = FeedCopy.objects.get(source=url)
    assert [item["identifier"] for item in copy.items] == [good["identifier"], "x3"]
    response = client.get("/regionen/")
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;Kurs" in body
    assert "javascript:" not in body


@pytest.mark.django_db
def test_the_command_reports_feeds_it_could_not_read(region, server):
    url = server.serve("/gone/", b"", status=404)
    add_remote(region.page, url)
    with pytest.raises(CommandError):
        call_command("fetch_regional_feeds", verbosity=0)
    assert FeedCopy.objects.get(source=url).error == "The feed answered 404."


@pytest.mark.django_db
def test_a_feed_row_names_a_site_or_an_address(region):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        RegionalFeed(page=region.page).clean()
    with pytest.raises(ValidationError):
        RegionalFeed(page=region.page, site=region.hospital, url="https://example.org/feed/").clean()
    with pytest.raises(ValidationError):
        RegionalFeed(page=region.page, url="ftp://example.org/feed/").clean()


@pytest.mark.django_db
def test_a_changed_feed_purges_the_catalogues_that_list_it_and_an_unchanged_one_does_not(
    region, server, settings, django_capture_on_commit_callbacks
):
    from tests import recording_cache

    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": "tests.recording_cache.RecordingBackend"}}
    recording_cache.purged.clear()
    url = server.serve("/feed/", region.feed)
    add_remote(region.page, url)
    with django_capture_on_commit_callbacks(execute=True):
        refresh_feeds()
    assert "http://localhost/regionen/" in recording_cache.purged
    recording_cache.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refresh_feeds()
    assert recording_cache.purged == []
    recording_cache.purged.clear()


@pytest.mark.django_db
def test_editors_see_how_each_feed_was_last_read(region, server, admin_client):
    url = server.serve("/gone/", b"", status=503)
    add_remote(region.page, url)
    refresh_feeds()
    response = admin_client.get(f"/admin/pages/{region.page.pk}/edit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The feed answered 503." in body
