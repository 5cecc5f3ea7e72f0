"""The offerings feed (lms_pages.feed) and its OpenAPI description (lms_pages.feed_schema)."""

import json

import pytest
from jsonschema import Draft202012Validator
from wagtail.models import PageViewRestriction

from lms_pages.feed_schema import openapi_document
from tests.factories import OfferingPageFactory, TopicFactory, add_group, oslo, translation_in
from tests.test_registration import form_data, make_offering

FEED = "/feed/offerings/"


@pytest.fixture(autouse=True)
def _registration_settings(settings):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"


def validator():
    document = openapi_document(FEED)
    return Draft202012Validator(
        {**document, "$ref": "#/components/schemas/OfferingsFeed"},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def feed(client, query=""):
    response = client.get(FEED + query)
    assert response.status_code == 200, response.content
    data = response.json()
    errors = sorted(validator().iter_errors(data), key=str)
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors[:5]]
    return data


@pytest.fixture
def offerings(catalogue):
    """A course with a registration form and one place taken, a second with a translation, a hidden one."""
    setup = make_offering(catalogue, places=3, title="Hodepineskolen")
    topic = TopicFactory(name="Hodepine")
    setup.offering.topics.set([topic])
    setup.offering.save_revision().publish()
    second = OfferingPageFactory(parent=catalogue, title="Mestring av smerte")
    add_group(second, "Bergen", places=None, sessions=[oslo(2030, 3, 1, 10), oslo(2030, 3, 8, 10)])
    english = translation_in(second, "en", title="Coping with pain")
    hidden = OfferingPageFactory(parent=catalogue, title="Internt kurs")
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    OfferingPageFactory(parent=catalogue, title="Utkast", live=False)
    return setup, second, english


def test_the_feed_lists_the_live_public_offerings_as_schema_org_courses(
    offerings, client, django_capture_on_commit_callbacks
):
    setup, second, english = offerings
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(setup.page.url, form_data(setup)).status_code == 302
    data = feed(client)
    assert data["numberOfItems"] == 2
    assert [item["name"] for item in data["dataFeedElement"]] == ["Hodepineskolen", "Mestring av smerte"]
    course, other = data["dataFeedElement"]

    assert course["url"] == "http://localhost/hodepineskolen/"
    assert course["identifier"] == str(setup.offering.translation_key)
    assert course["about"] == ["Hodepine"]
    assert course["additionalProperty"] == [
        {"@type": "PropertyValue", "propertyID": "registrationState", "value": "open"}
    ]
    assert course["potentialAction"] == {
        "@type": "RegisterAction",
        "target": "http://localhost/hodepineskolen/pamelding/",
    }
    (group,) = course["hasCourseInstance"]
    assert group["maximumAttendeeCapacity"] == 3
    assert group["remainingAttendeeCapacity"] == 2
    assert group["subEvent"] == [{"@type": "Event", "startDate": "2030-01-15T18:00:00+01:00"}]

    # A real translation is linked; the aliases in the other languages are not.
    assert other["workTranslation"] == [
        {"@type": "Course", "inLanguage": "en", "url": f"http://localhost/en/{english.slug}/"}
    ]
    assert [session["startDate"][:10] for session in other["hasCourseInstance"][0]["subEvent"]] == [
        "2030-03-01",
        "2030-03-08",
    ]
    assert "remainingAttendeeCapacity" not in other["hasCourseInstance"][0]  # places are not limited
    assert "potentialAction" not in other  # no registration form

    # Nobody's personal data: the registration above is in the database, not in the feed.
    text = json.dumps(data, ensure_ascii=False)
    for personal in ("Kari", "Nordmann", "kari@example.org", "912 34 567", "migrene"):
        assert personal not in text


def test_pages_of_the_feed(offerings, client, settings):
    settings.LMS_FEED_PAGE_SIZE = 1
    first = feed(client)
    assert (first["page"], first["pageCount"], first["numberOfItems"]) == (1, 2, 2)
    assert first["previous"] is None
    assert first["next"] == "http://testserver/feed/offerings/?page=2"
    second = feed(client, "?page=2")
    assert second["next"] is None
    assert second["previous"] == "http://testserver/feed/offerings/?page=1"
    assert [item["name"] for item in first["dataFeedElement"] + second["dataFeedElement"]] == [
        "Hodepineskolen",
        "Mestring av smerte",
    ]
    for query in ("?page=3", "?page=0", "?page=first"):
        response = client.get(FEED + query)
        assert response.status_code == 404
        assert "pages are 1 to 2" in response.json()["error"]


def test_the_feed_is_shared_with_an_etag(offerings, client):
    response = client.get(FEED)
    assert "public" in response["Cache-Control"] and "s-maxage=" in response["Cache-Control"]
    assert not response.cookies
    assert client.get(FEED, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_an_empty_site_has_an_empty_feed(catalogue, client):
    data = feed(client)
    assert (data["numberOfItems"], data["pageCount"], data["dataFeedElement"]) == (0, 1, [])


def test_queries_do_not_grow_with_the_offerings(catalogue, client, django_assert_num_queries):
    for number in range(3):
        offering = OfferingPageFactory(parent=catalogue, title=f"Kurs {number}")
        add_group(offering, "Oslo", places=10, sessions=[oslo(2030, 1, 15 + number, 18)])
    client.get(FEED)  # the site's settings and root paths, read once
    with django_assert_num_queries(12):
        client.get(FEED)
    for number in range(3, 9):
        offering = OfferingPageFactory(parent=catalogue, title=f"Kurs {number}")
        add_group(offering, "Oslo", places=10, sessions=[oslo(2030, 1, 15 + number, 18)])
    client.get(FEED)
    with django_assert_num_queries(12):
        data = client.get(FEED).json()
    assert data["numberOfItems"] == 9


def test_the_openapi_description(client):
    response = client.get("/feed/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert FEED in document["paths"]
    Draft202012Validator.check_schema(document["components"]["schemas"]["OfferingsFeed"])


def test_a_group_without_places_says_so(catalogue, client):
    offering = OfferingPageFactory(parent=catalogue, title="Stengt gruppe")
    add_group(offering, "Oslo", places=0, sessions=[oslo(2030, 1, 15, 18)])
    (group,) = feed(client)["dataFeedElement"][0]["hasCourseInstance"]
    assert (group["maximumAttendeeCapacity"], group["remainingAttendeeCapacity"]) == (0, 0)
