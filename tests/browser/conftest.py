"""Browser tests: the public site served by pytest-django's live server, driven by headless Chromium.

The browser is the system's Chromium (Debian's package), launched through Playwright; Playwright's own
browser download is not used.
"""

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from wagtail.models import Site

from . import snapshot
from .helpers import CHROMIUM, DESKTOP, REQUIRE_BROWSER, VIEWPORTS, assert_no_axe_violations


def _skip_or_fail(reason):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (LMS_REQUIRE_BROWSER=1 requires the browser tests to run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; each test gets its own context (cookies, viewport)."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright is not installed: pip install -e '.[dev]'")
    # Django keeps database connections per thread, but per asyncio context once a loop runs in the
    # thread, as Playwright's does: without this, the tests would get a second connection object,
    # without the serialized database that restores the migrations' rows after each flush.
    wrappers = {alias: connections[alias] for alias in connections}
    # Playwright's sync API runs an asyncio event loop in the main thread, and Django refuses database
    # access from a thread with a running loop unless told it is safe. Nothing here is async code: the
    # loop only drives the browser.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        for alias, wrapper in wrappers.items():
            connections[alias] = wrapper
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    """Parametrises a test over a phone and a desktop window."""
    return VIEWPORTS[request.param]


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page per test, at the test's `viewport` (desktop when it has none)."""
    size = request.getfixturevalue("viewport") if "viewport" in request.fixturenames else DESKTOP
    context = browser.new_context(viewport=size, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@dataclass
class DemoSite:
    """The demo content served by the live server: `demo_site(path)` on the default site's host,
    `demo_site.on("nordhordland.localhost", path)` on another site's (Chromium takes *.localhost for
    127.0.0.1)."""

    url: str

    def __call__(self, path):
        return self.url + path

    def on(self, hostname, path):
        address = urlsplit(self.url)
        return f"{address.scheme}://{hostname}:{address.port}{path}"


@pytest.fixture(scope="session")
def demo_rows():
    """The demo's rows, once loaded in this worker: later tests get them back from here (`snapshot`)."""
    return {}


@pytest.fixture
def demo_site(live_server, settings, demo_rows):
    """The demo content loaded into the live server's (transactional) database.

    The demo's default site is moved to the live server's host and port, and its other site to the live
    server's port at its own host, so that the links in emails, built from each site's root URL, lead back
    to this server. The registration form's spam checks
    (minimum fill time, rate per IP address) are relaxed: the browser fills forms faster than a person,
    and every request comes from 127.0.0.1.
    """
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "10000/m"
    if "demo" in demo_rows:
        snapshot.restore(demo_rows["demo"])
    else:
        call_command("load_demo", no_admin=True, verbosity=0)
        address = urlsplit(live_server.url)
        Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
        Site.objects.filter(is_default_site=False).update(port=address.port)
        demo_rows["demo"] = snapshot.take()
    cache.clear()
    mail.outbox.clear()
    return DemoSite(url=live_server.url)


@pytest.fixture
def check_axe():
    """`check_axe(page)`: assert that axe finds no WCAG 2.1 A/AA violation on the page as it stands."""
    return assert_no_axe_violations
