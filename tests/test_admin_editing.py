"""A web editor composes an offering, with groups and sessions, in the Wagtail admin."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from lms_pages.models import Audience, CataloguePage, OfferingPage, Topic, Venue

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "secret")
    client.force_login(user)
    return client


@pytest.fixture
def catalogue(db):
    home = Page.objects.get(depth=2)
    return home.add_child(instance=CataloguePage(title="Tilbud", slug="tilbud"))


def add_form(client, model, parent):
    url = reverse("wagtailadmin_pages:add", args=["lms_pages", model._meta.model_name, parent.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # StreamFields are drawn by the admin's JavaScript; an empty one posts only its count.
    data.setdefault("extra_sections-count", "0")
    return url, data


def test_editor_creates_an_offering_with_groups_and_sessions(editor_client, catalogue):
    Topic.objects.create(name="Hodepine", slug="hodepine", is_diagnosis=True)
    oslo = Venue.objects.create(name="Oslo", municipality="Oslo", region="Helse Sør-Øst")
    tromso = Venue.objects.create(name="Tromsø", municipality="Tromsø", region="Helse Nord")
    url, data = add_form(editor_client, OfferingPage, catalogue)

    data.update(
        {
            "title": "Når hodet blir en pine",
            "slug": "nar-hodet-blir-en-pine",
            "introduction": "Et læringsnettverk for personer med omfattende hodepine.",
            "description": rich_text("<p>Kurset baserer seg på læringsnettverk.</p>"),
            "kind": "learning_network",
            "format": "digital",
            "digital_platform": "Microsoft Teams",
            "price_type": "fee",
            "price_amount": "750",
            "min_age": "18",
            "status": "open",
            "registration_method": "form",
            "registration_closes": "2027-02-01 22:00",
            "groups-TOTAL_FORMS": "2",
            "groups-INITIAL_FORMS": "0",
        }
    )
    data.setlist("audiences", [str(Audience.objects.get(code="patients").pk)])
    data.setlist("topics", [str(Topic.objects.get().pk)])
    for index, (name, venue, start) in enumerate(
        [("Oslo", oslo, "2027-03-04 18:00"), ("Tromsø", tromso, "2027-03-25 18:00")]
    ):
        prefix = f"groups-{index}"
        data.update(
            {
                f"{prefix}-name": name,
                f"{prefix}-venue": str(venue.pk),
                f"{prefix}-places": "12",
                f"{prefix}-ORDER": str(index),
                f"{prefix}-sessions-TOTAL_FORMS": "1",
                f"{prefix}-sessions-INITIAL_FORMS": "0",
                f"{prefix}-sessions-MIN_NUM_FORMS": "0",
                f"{prefix}-sessions-MAX_NUM_FORMS": "1000",
                f"{prefix}-sessions-0-start": start,
                f"{prefix}-sessions-0-end": start.replace("18:00", "21:00"),
                f"{prefix}-sessions-0-topic": "Første samling",
                f"{prefix}-sessions-0-ORDER": "0",
            }
        )
    data["action-publish"] = "action-publish"

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    offering = OfferingPage.objects.get(slug="nar-hodet-blir-en-pine")
    assert offering.live
    assert [group.name for group in offering.groups.all()] == ["Oslo", "Tromsø"]
    first = offering.groups.get(name="Oslo").sessions.get()
    # Entered as Norwegian wall time, stored in UTC.
    assert first.start == datetime.datetime(2027, 3, 4, 18, 0, tzinfo=OSLO)
    assert first.start.astimezone(datetime.UTC).hour == 17
    assert offering.registration_closes == datetime.datetime(2027, 2, 1, 22, 0, tzinfo=OSLO)
    assert list(offering.topics.values_list("slug", flat=True)) == ["hodepine"]


def test_editor_sees_every_error_of_an_inconsistent_offering_at_once(editor_client, catalogue):
    url, data = add_form(editor_client, OfferingPage, catalogue)
    data.update(
        {
            "title": "Ufullstendig",
            "slug": "ufullstendig",
            "introduction": "Mangler opplysninger.",
            "format": "digital",
            "digital_platform": "",
            "price_type": "fee",
            "price_amount": "",
            "min_age": "30",
            "max_age": "18",
            "registration_opens": "2027-02-01 12:00",
            "registration_closes": "2027-01-01 12:00",
        }
    )
    data["action-publish"] = "action-publish"

    response = editor_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"digital_platform", "price_amount", "max_age", "registration_closes"} <= set(errors)
    assert not OfferingPage.objects.filter(slug="ufullstendig").exists()


def test_editor_can_add_every_child_page_type_of_an_offering(editor_client, catalogue):
    offering = catalogue.add_child(instance=OfferingPage(title="Kurs", slug="kurs", introduction="Intro"))
    for model_name in ["courseprogrammepage", "brochurepage", "confidentialitynoticepage", "informationpage"]:
        response = editor_client.get(
            reverse("wagtailadmin_pages:add", args=["lms_pages", model_name, offering.pk])
        )
        assert response.status_code == 200, model_name
