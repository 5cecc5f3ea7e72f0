"""What a shared cache may keep of each page (lms_pages.cache_headers), and which addresses each change
purges from it (lms_pages.front_cache). The real Varnish in front of gunicorn is in test_varnish.py."""

import datetime

import pytest
import wagtail_factories
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from lms_forms.services.locking import recount_places
from lms_pages.models import LmsSiteSettings
from tests import recording_cache
from tests.factories import (
    BrochurePageFactory,
    CourseProgrammePageFactory,
    InformationPageFactory,
    OfferingPageFactory,
    TopicFactory,
    add_group,
    add_related,
    oslo,
    translation_in,
)
from tests.test_registration import form_data, make_offering


def shared_seconds(response):
    """The seconds a shared cache may keep the response; None when it is not to be shared."""
    parts = {part.strip() for part in response["Cache-Control"].split(",")}
    kept = [part for part in parts if part.startswith("s-maxage=")]
    if parts - set(kept) != {"public", "max-age=0"} or len(kept) != 1:
        return None
    return int(kept[0].removeprefix("s-maxage="))


def is_private(response):
    return {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def site_pages(catalogue):
    """One page of each public type under the catalogue."""
    offering = OfferingPageFactory(parent=catalogue, title="Hodepineskolen")
    add_group(offering, "Oslo", places=10, sessions=[oslo(2030, 1, 15, 18)])
    return {
        "catalogue": catalogue,
        "offering": offering,
        "programme": CourseProgrammePageFactory(parent=offering),
        "brochure": BrochurePageFactory(parent=offering),
        "information": InformationPageFactory(parent=catalogue),
    }


@pytest.fixture
def purged(settings):
    """The front cache configured, with the URLs it is asked to purge."""
    settings.WAGTAILFRONTENDCACHE = {"test": {"BACKEND": "tests.recording_cache.RecordingBackend"}}
    recording_cache.purged.clear()
    yield recording_cache.purged
    recording_cache.purged.clear()


class TestHeaders:
    def test_public_pages_may_be_shared_set_no_cookie_and_answer_304(self, site_pages, client):
        for name, page in site_pages.items():
            response = client.get(page.url)
            assert response.status_code == 200, name
            assert shared_seconds(response) == 60, (name, response["Cache-Control"])
            assert not response.cookies, (name, response.cookies)
            assert response.has_header("ETag"), name
            again = client.get(page.url, headers={"If-None-Match": response["ETag"]})
            assert again.status_code == 304, name
            assert again.content == b""

    def test_calendar_file_may_be_shared(self, site_pages, client):
        response = client.get(site_pages["offering"].url + "kalender/")
        assert response.status_code == 200
        assert shared_seconds(response) == 60

    def test_with_a_purging_front_cache_pages_are_kept_a_day(self, site_pages, client, purged):
        assert shared_seconds(client.get(site_pages["information"].url)) == 24 * 60 * 60

    def test_kept_until_the_next_session_starts(self, catalogue, client, purged, settings):
        soon = timezone.now() + datetime.timedelta(minutes=30)
        offering = OfferingPageFactory(parent=catalogue, title="Snart")
        add_group(offering, "Oslo", places=10, sessions=[soon, soon + datetime.timedelta(days=7)])
        seconds = shared_seconds(client.get(offering.url))
        assert 29 * 60 < seconds <= 30 * 60
        # The catalogue lists it, and shows its next session.
        assert 29 * 60 < shared_seconds(client.get(catalogue.url)) <= 30 * 60

    def test_kept_until_registration_closes(self, catalogue, client, purged):
        closes = timezone.now() + datetime.timedelta(hours=2)
        offering = OfferingPageFactory(parent=catalogue, title="Frist", registration_closes=closes)
        add_group(offering, "Oslo", places=10, sessions=[oslo(2030, 1, 15, 18)])
        assert 119 * 60 < shared_seconds(client.get(offering.url)) <= 120 * 60

    def test_registration_form_is_private_and_carries_the_csrf_cookie(self, catalogue, client):
        setup = make_offering(catalogue)
        response = client.get(setup.page.url)
        assert is_private(response)
        assert "csrftoken" in response.cookies
        posted = client.post(setup.page.url, form_data(setup, email="not an address"))
        assert is_private(posted)

    def test_editors_get_private_pages(self, site_pages, client, admin_user):
        client.force_login(admin_user)
        for name, page in site_pages.items():
            assert is_private(client.get(page.url)), name

    def test_restricted_pages_are_private(self, site_pages, client):
        page = site_pages["information"]
        PageViewRestriction.objects.create(page=page, restriction_type="password", password="hemmelig")
        response = client.post(
            f"/_util/authenticate_with_password/{PageViewRestriction.objects.get().pk}/{page.pk}/",
            {"password": "hemmelig", "return_url": page.url},
        )
        assert response.status_code == 302
        shown = client.get(page.url)
        assert shown.status_code == 200
        assert is_private(shown)


class TestPurge:
    def test_nothing_is_purged_without_a_front_cache(self, site_pages, django_capture_on_commit_callbacks):
        recording_cache.purged.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            site_pages["offering"].save_revision().publish()
        assert recording_cache.purged == []
        assert not any("front_cache" in repr(callback) for callback in callbacks)

    def test_publishing_an_offering_purges_it_in_every_language_and_what_lists_it(
        self, site_pages, purged, django_capture_on_commit_callbacks
    ):
        offering = site_pages["offering"]
        other = OfferingPageFactory(parent=site_pages["catalogue"], title="Annet")
        add_related(other, offering)
        english = translation_in(offering, "en", title="Headache school")
        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            offering.save_revision().publish()
        group = offering.groups.get()
        expected = {
            "http://localhost/hodepineskolen/",
            "http://localhost/hodepineskolen/kalender/",
            f"http://localhost/hodepineskolen/kalender/{group.key}/",
            # its aliases and translations
            "http://localhost/nn/hodepineskolen/",
            f"http://localhost/en/{english.slug}/",
            "http://localhost/se/hodepineskolen/",
            # its children, the catalogue (its parent) in every language, the offering that links to it
            "http://localhost/hodepineskolen/program/",
            "http://localhost/hodepineskolen/brosjyre/",
            "http://localhost/",
            "http://localhost/en/",
            "http://localhost/annet/",
            "http://localhost/sitemap.xml",
            "http://localhost/feed/offerings/",
        }
        assert expected <= set(purged), sorted(expected - set(purged))
        # Nothing that neither shows nor lists it.
        assert "http://localhost/om-laerings-og-mestringstilbud/" not in purged
        assert not any("/program/" in url for url in purged if "hodepineskolen" not in url)

    def test_a_new_title_purges_every_page_below(
        self, site_pages, purged, django_capture_on_commit_callbacks
    ):
        offering = site_pages["offering"]
        revision_only = offering.save_revision()
        with django_capture_on_commit_callbacks(execute=True):
            revision_only.publish()
        assert "http://localhost/hodepineskolen/program/" in purged  # a child, always
        catalogue = site_pages["catalogue"]
        catalogue.title = "Alle kurs"
        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            catalogue.save_revision().publish()
        assert "http://localhost/hodepineskolen/program/" in purged  # a grandchild: its breadcrumbs

    def test_unpublishing_moving_and_deleting(self, site_pages, purged, django_capture_on_commit_callbacks):
        information = site_pages["information"]
        with django_capture_on_commit_callbacks(execute=True):
            information.unpublish()
        assert "http://localhost/om-laerings-og-mestringstilbud/" in purged
        assert "http://localhost/" in purged

        programme = Page.objects.get(pk=site_pages["programme"].pk)
        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            programme.move(site_pages["catalogue"], pos="last-child")
        assert "http://localhost/hodepineskolen/program/" in purged  # where it was
        assert "http://localhost/program/" in purged  # where it is
        assert "http://localhost/hodepineskolen/" in purged  # its old parent, which listed it

        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            Page.objects.get(pk=site_pages["brochure"].pk).delete()
        assert "http://localhost/hodepineskolen/brosjyre/" in purged
        assert "http://localhost/hodepineskolen/" in purged

    def test_a_registration_purges_the_offering_and_its_catalogue(
        self, catalogue, client, purged, django_capture_on_commit_callbacks, settings
    ):
        settings.LMS_FORMS_MIN_FILL_SECONDS = 0
        setup = make_offering(catalogue, places=1)
        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(setup.page.url, form_data(setup))
        assert response.status_code == 302
        assert "http://localhost/hodepineskolen/" in purged
        assert "http://localhost/" in purged
        assert "http://localhost/feed/offerings/" in purged  # its places left

    def test_a_recount_purges_the_offering(self, site_pages, purged, django_capture_on_commit_callbacks):
        group = site_pages["offering"].groups.get()
        with django_capture_on_commit_callbacks(execute=True):
            recount_places([group.pk])
        assert "http://localhost/hodepineskolen/" in purged
        assert "http://localhost/om-laerings-og-mestringstilbud/" not in purged

    def test_a_renamed_topic_purges_the_offerings_that_show_it_and_the_catalogues(
        self, site_pages, purged, django_capture_on_commit_callbacks
    ):
        topic = TopicFactory(name="Hodepine")
        site_pages["offering"].topics.set([topic])
        site_pages["offering"].save()
        other = OfferingPageFactory(parent=site_pages["catalogue"], title="Uten tema")
        purged.clear()
        topic.name = "Hodepine og migrene"
        with django_capture_on_commit_callbacks(execute=True):
            topic.save()
        assert "http://localhost/hodepineskolen/" in purged
        assert "http://localhost/" in purged
        assert other.full_url not in purged

    def test_site_settings_purge_every_page_of_the_site(
        self, site_pages, purged, django_capture_on_commit_callbacks
    ):
        site_settings = LmsSiteSettings.for_site(site_pages["catalogue"].get_site())
        purged.clear()
        site_settings.phone = "55 00 00 00"
        with django_capture_on_commit_callbacks(execute=True):
            site_settings.save()
        assert {page.full_url for page in site_pages.values()} <= set(purged)

    def test_an_image_changed_in_place_purges_the_pages_that_show_it(
        self, site_pages, purged, django_capture_on_commit_callbacks
    ):
        image = wagtail_factories.ImageFactory(title="Gruppe i sirkel", width=1600, height=900)
        offering = site_pages["offering"]
        offering.image = image
        offering.image_alt = "Seks personer i en ring"
        with django_capture_on_commit_callbacks(execute=True):
            offering.save_revision().publish()
        purged.clear()
        image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = (
            10,
            10,
            5,
            5,
        )
        with django_capture_on_commit_callbacks(execute=True):
            image.save()
        assert "http://localhost/hodepineskolen/" in purged
        assert "http://localhost/" in purged  # its card in the catalogue
        assert "http://localhost/om-laerings-og-mestringstilbud/" not in purged
