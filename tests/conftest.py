import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Page, Site

from tests.factories import CataloguePageFactory


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts with an empty cache (site root paths, catalogue options) in the default language.

    The test client leaves the language of its last request active, which would change `page.url`.
    """
    cache.clear()
    translation.activate("nb")
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def catalogue(db):
    """The default site's root: a fresh catalogue at / in place of Wagtail's welcome page."""
    site = Site.objects.get(is_default_site=True)
    welcome = site.root_page
    catalogue = CataloguePageFactory(parent=Page.get_first_root_node(), title="Kurs og tilbud", slug="kurs")
    site.root_page = catalogue
    site.save()
    welcome.delete()
    return catalogue


@pytest.fixture
def get_soup(client):
    """GET a URL, expect 200, and return the parsed HTML."""

    def get(url, status=200):
        response = client.get(url)
        assert response.status_code == status, f"{url}: {response.status_code}"
        return BeautifulSoup(response.content, "html.parser")

    return get


@pytest.fixture
def course_admin(django_user_model):
    """A member of the "Course administrators" group, which the migrations create."""
    user = django_user_model.objects.create_user("kursadmin", "kursadmin@example.org", "secret")
    user.groups.add(Group.objects.get(name="Course administrators"))
    return user


@pytest.fixture
def page_editor(django_user_model):
    """A member of Wagtail's "Editors" group: pages, but no participants."""
    user = django_user_model.objects.create_user("redaktor", "redaktor@example.org", "secret")
    user.groups.add(Group.objects.get(name="Editors"))
    return user
