"""The admin speaks the editor's language in the screens this product adds or relies on: Wagtail's own
strings that its Norwegian catalogue lacks are given by lms_pages' catalogue (lms_pages/wagtail_strings.py),
and translating a topic or the site's texts is Wagtail's own workflow."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Site

from lms_pages.models import LmsSiteSettings, LmsSiteSettingsTranslation, Topic
from lms_pages.translations import localized
from tests.test_registration import (
    _registration_settings,  # noqa: F401 -- the fixture, for this module's tests
    make_offering,
)


def text(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("redaktor", "redaktor@example.org", "secret")
    client.force_login(user)
    return client


@pytest.fixture
def locales(db):
    for code in ("nn", "en"):
        Locale.objects.get_or_create(language_code=code)


def test_the_form_builder_explains_its_fields_in_bokmal(editor, catalogue):
    setup = make_offering(catalogue, places=2)  # with a question
    page = text(editor.get(reverse("wagtailadmin_pages:edit", args=[setup.page.pk])))
    assert "Valgene, skilt med komma eller linjeskift." in page
    assert "Comma or new line separated list of choices" not in page


def test_translating_a_page_is_offered_in_bokmal(editor, catalogue, locales):
    setup = make_offering(catalogue, places=2, health_field=False)
    response = editor.get(reverse("simple_translation:submit_page_translation", args=[setup.offering.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Oversett side" in page
    assert "Translate page" not in page


def test_an_editor_translates_a_topic_and_pages_in_that_language_show_it(editor, locales):
    topic = Topic.objects.create(name="Hodepine", slug="hodepine", is_diagnosis=True)
    url = reverse("simple_translation:submit_snippet_translation", args=["lms_pages", "topic", str(topic.pk)])
    nynorsk = Locale.objects.get(language_code="nn")
    response = editor.post(url, {"locales": [nynorsk.pk]})
    assert response.status_code == 302, text(response)
    translated = Topic.objects.get(translation_key=topic.translation_key, locale=nynorsk)
    assert translated.slug == "hodepine"  # a filter address means the same in every language
    translated.name = "Hovudpine"
    translated.save()
    with translation.override("nn"):
        assert [shown.name for shown in localized([topic])] == ["Hovudpine"]
    with translation.override("en"):
        assert [shown.name for shown in localized([topic])] == ["Hodepine"]  # not translated: the original


def test_the_site_texts_have_a_version_per_language(db):
    site = Site.objects.get(is_default_site=True)
    settings = LmsSiteSettings.objects.create(
        site=site, organisation_name="Lærings- og mestringssenteret", opening_hours="Mandag–fredag 8–15"
    )
    LmsSiteSettingsTranslation.objects.create(
        site_settings=settings, language="nn", organisation_name="Lærings- og meistringssenteret"
    )
    LmsSiteSettingsTranslation.objects.create(
        site_settings=settings,
        language="en",
        organisation_name="Learning and Coping Centre",
        opening_hours="Monday–Friday 8–15",
    )
    settings = LmsSiteSettings.objects.get(pk=settings.pk)
    with translation.override("nn"):
        assert settings.texts.organisation_name == "Lærings- og meistringssenteret"
        assert settings.texts.opening_hours == "Mandag–fredag 8–15"  # left empty: the settings' own
    with translation.override("en"):
        assert settings.texts.opening_hours == "Monday–Friday 8–15"
    with translation.override("se"):
        assert settings.texts.organisation_name == "Lærings- og mestringssenteret"
