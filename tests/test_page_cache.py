"""The application's own cache of whole public pages (lms_pages.page_cache), as production turns it on."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from lms_pages.page_cache import PageCacheMiddleware
from tests.factories import InformationPageFactory, OfferingPageFactory, add_group, oslo
from tests.test_registration import form_data, make_offering


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.LMS_PAGE_CACHE = True
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"


def page_entries():
    return [key for key in cache._cache if ":lms_pages:page:" in key]


def test_a_public_page_is_served_from_the_cache_without_a_query(catalogue, client, django_assert_num_queries):
    offering = OfferingPageFactory(parent=catalogue, title="Hodepineskolen")
    add_group(offering, "Oslo", places=10, sessions=[oslo(2030, 1, 15, 18)])
    first = client.get(offering.url)
    with django_assert_num_queries(0):
        second = client.get(offering.url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Cache-Control"] == first["Cache-Control"]
    assert second["Content-Language"] == "nb"
    # The headers of the middleware around it are its own, on every answer.
    assert "Content-Security-Policy" in second
    again = client.get(offering.url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_each_address_and_host_is_kept_apart(catalogue, client):
    client.get(catalogue.url)
    client.get(catalogue.url + "?format=digital")
    client.get(catalogue.url, headers={"Host": "other.example.org"})
    assert len(page_entries()) == 3


def test_a_published_change_shows_at_once(catalogue, client):
    page = InformationPageFactory(parent=catalogue, title="Om oss", introduction="Første versjon.")
    assert "Første versjon." in client.get(page.url).text
    page.introduction = "Andre versjon."
    page.save_revision().publish()
    assert "Andre versjon." in client.get(page.url).text


def test_a_registration_shows_in_the_places_left_at_once(
    catalogue, client, django_capture_on_commit_callbacks
):
    setup = make_offering(catalogue, places=2, groups=("Oslo",))
    assert "2 plasser igjen" in client.get(setup.offering.url).text
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(setup.page.url, form_data(setup)).status_code == 302
    shown = client.get(setup.offering.url).text
    assert "1 plass igjen" in shown


def test_kept_until_content_changes_or_the_next_session_starts(catalogue, client, monkeypatch, settings):
    settings.LMS_CONTENT_CACHE_TIMEOUT = 24 * 60 * 60
    soon = timezone.now() + datetime.timedelta(minutes=10)
    offering = OfferingPageFactory(parent=catalogue, title="Snart")
    add_group(offering, "Oslo", places=10, sessions=[soon])
    kept = []
    original_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        kept.append((key, timeout))
        return original_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    client.get(offering.url)
    client.get(InformationPageFactory(parent=catalogue).url)
    seconds = [timeout for key, timeout in kept if ":page:" in key]
    assert len(seconds) == 2
    assert 9 * 60 < seconds[0] <= 10 * 60
    assert seconds[1] == 24 * 60 * 60


def test_forms_editors_and_posts_go_past_it(catalogue, client, admin_user):
    setup = make_offering(catalogue)
    client.get(setup.page.url)
    client.get(setup.page.url)
    assert page_entries() == []  # the form is private

    client.get(setup.offering.url)
    assert len(page_entries()) == 1
    client.force_login(admin_user)
    shown = client.get(setup.offering.url)
    assert "private" in shown["Cache-Control"]
    assert 'id="wagtail-userbar"' in shown.text or "wagtail-userbar" in shown.text


def test_off_unless_turned_on(catalogue, client, settings):
    settings.LMS_PAGE_CACHE = False
    client.get(catalogue.url)
    assert page_entries() == []


def test_the_middleware_sits_before_the_session(settings):
    middleware = settings.MIDDLEWARE
    name = f"{PageCacheMiddleware.__module__}.{PageCacheMiddleware.__name__}"
    assert middleware.index(name) < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware.index(name) > middleware.index("django.middleware.http.ConditionalGetMiddleware")
