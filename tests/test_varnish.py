"""A real Varnish (Debian's package, with docs/varnish.vcl) in front of gunicorn with the production
settings, on PostgreSQL and Redis, as docs/deployment.md describes.

The demo site is served through Varnish; the application purges it through Wagtail's HTTP purge backend
(LMS_FRONT_CACHE_URL), from the task worker (`manage.py db_worker`), as in production. The test reads a
page twice (the second read comes from Varnish), publishes a change (the next read after the worker has
run shows it), registers for the last place through Varnish (the form works behind the cache, and the
offering then says it is full), and checks that nothing private is kept.

PostgreSQL only (the production profile), and skipped where varnishd is not installed unless
LMS_REQUIRE_VARNISH is set (as CI sets it).
"""

import os
import time
import uuid

import pytest
import requests
from bs4 import BeautifulSoup

from tests.production_site import (
    DEFAULT_REDIS_URL,
    FORWARDED,
    VARNISHD,
    free_port,
    manage,
    prepare_demo,
    production_environment,
    registration_answers,
    serve_site_at_port,
    served,
    shell,
    throwaway_database,
    varnish,
)
from tests.test_production_smoke import pytestmark as production_profile

pytestmark = [
    *production_profile,
    pytest.mark.skipif(
        not os.path.exists(VARNISHD) and not os.environ.get("LMS_REQUIRE_VARNISH"),
        reason="varnishd is not installed (apt-get install varnish)",
    ),
]


@pytest.fixture
def front(tmp_path):
    """The demo behind Varnish; yields (front URL, environment)."""
    front_port = free_port()
    with throwaway_database(os.environ["DATABASE_URL"], prefix="lms_varnish") as database_url:
        environment = production_environment(
            database_url,
            tmp_path,
            redis_url=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
            LMS_FRONT_CACHE_URL=f"http://127.0.0.1:{front_port}",
        )
        prepare_demo(environment)
        serve_site_at_port(environment, front_port)
        with (
            served(environment, tmp_path, workers=2) as site,
            varnish(site.url, front_port, tmp_path) as front_url,
        ):
            yield front_url, environment


def get(url, **headers):
    response = requests.get(url, headers={**FORWARDED, **headers}, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    return response


def run_worker(environment):
    """The task worker runs what is queued (the purges) once, as `manage.py db_worker` does all along."""
    manage(environment, "db_worker", "--batch", "--no-startup-delay")


SET_UP_LAST_PLACE = """
from lms_forms.models import RegistrationFormPage
from lms_forms.services.locking import recount_places
from lms_pages.models import GroupOccupancy, OfferingGroup

form = next(page for page in RegistrationFormPage.objects.live().order_by("path")
            if page.offering.registration_state() == "open")
offering = form.offering
groups = list(offering.groups.order_by("sort_order", "pk"))
recount_places([group.pk for group in groups])
for index, group in enumerate(groups):
    taken = GroupOccupancy.objects.get(group=group).places_taken
    OfferingGroup.objects.filter(pk=group.pk).update(places=taken + (1 if index == 0 else 0))
# Published from a fresh copy, so that the revision holds the groups as they are now.
type(offering).objects.get(pk=offering.pk).save_revision().publish()
# Their paths on their site (with two sites, Page.url is a full address).
print(offering.pk, offering.get_url_parts()[2], form.get_url_parts()[2])
"""


def test_pages_are_served_from_varnish_and_purged_when_they_change(front):
    front_url, environment = front
    offering_id, offering_path, form_path = shell(environment, SET_UP_LAST_PLACE).split()
    run_worker(environment)

    # A public page is kept: the second read comes from Varnish, with the same page and its ETag.
    first = get(front_url + offering_path)
    assert first.headers["X-Cache"] == "miss"
    assert "Set-Cookie" not in first.headers
    second = get(front_url + offering_path)
    assert second.headers["X-Cache"] == "hit"
    assert second.text == first.text
    assert "1 plass igjen" in second.text
    revalidated = requests.get(
        front_url + offering_path, headers={**FORWARDED, "If-None-Match": first.headers["ETag"]}, timeout=30
    )
    assert revalidated.status_code == 304

    # A published change: the cached page stays until the purge has run, and the next read shows it.
    marker = f"Ny informasjon {uuid.uuid4().hex[:6]}"
    shell(
        environment,
        "from lms_pages.models import OfferingPage\n"
        f"page = OfferingPage.objects.get(pk={offering_id})\n"
        f"page.introduction = {marker!r}\n"
        "page.save_revision().publish()\n",
    )
    assert marker not in get(front_url + offering_path).text
    run_worker(environment)
    changed = get(front_url + offering_path)
    assert changed.headers["X-Cache"] == "miss"
    assert marker in changed.text
    assert get(front_url + offering_path).headers["X-Cache"] == "hit"

    # The registration form behind the cache: never kept, its CSRF cookie reaches the visitor, and the
    # POST with it takes the last place.
    form_page = get(front_url + form_path)
    assert form_page.headers["X-Cache"] == "miss"
    csrf_cookie = form_page.cookies["csrftoken"]
    assert get(front_url + form_path).headers["X-Cache"] == "miss"
    form = BeautifulSoup(form_page.text, "html.parser").find("form", method="post")
    time.sleep(3.2)  # the spam check's minimum fill time in production
    response = requests.post(
        front_url + form_path,
        data=registration_answers(form, f"kari-{uuid.uuid4().hex[:6]}@example.org"),
        headers={
            **FORWARDED,
            "Origin": front_url.replace("http://", "https://"),
            "Cookie": f"csrftoken={csrf_cookie}",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)[
        :2000
    ]
    confirmation = get(front_url + response.headers["Location"])
    assert "private" in confirmation.headers["Cache-Control"]

    # The last place is taken: after the purge the offering no longer offers one.
    run_worker(environment)
    full = get(front_url + offering_path)
    assert full.headers["X-Cache"] == "miss"
    assert "1 plass igjen" not in full.text
    assert "Fullt" in full.text

    # What belongs to one visitor is never kept: the confirmation is fetched anew each time.
    assert get(front_url + response.headers["Location"]).headers["X-Cache"] == "miss"
