"""Many people registering for the same group at the same moment (PostgreSQL only).

The registration locks the group row (`select_for_update`) before it reads and changes the group's
occupancy, so concurrent registrations are serialised: exactly the number of places are taken and
everyone else joins the waiting list. The control test removes the lock to show that the guard is what
makes the difference.

Run with `pytest -s` to see the figures.
"""

import concurrent.futures
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from lms_forms.models import Registration, RegistrationFormPage
from lms_pages.models import GroupOccupancy, OfferingGroup
from tests.factories import OfferingPageFactory, add_group, oslo
from tests.test_registration import form_data

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: SQLite serialises all writes, so there is no race to guard",
    ),
    # serialized_rollback restores Wagtail's root page and default site after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PEOPLE = 200
PLACES = 20
WORKERS = 40


@pytest.fixture(autouse=True)
def _registration_settings(settings):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "100000/m"


@pytest.fixture
def offering_with_one_group(catalogue):
    offering = OfferingPageFactory(parent=catalogue, title="Hodepineskolen", waiting_list=True)
    group = add_group(offering, "Oslo", places=PLACES, sessions=[oslo(2030, 1, 15, 18)])
    page = offering.add_child(
        instance=RegistrationFormPage(title="Påmelding", slug="pamelding", to_address="org@example.org")
    )
    return type("Setup", (), {"offering": offering, "group": group, "page": page})


def register_all_at_once(setup):
    """POST PEOPLE registrations from WORKERS threads, each with its own client and IP address."""
    url = setup.page.url

    def register(number):
        try:
            client = Client(REMOTE_ADDR=f"10.{number // 250}.{number % 250}.1")
            response = client.post(
                url,
                form_data(setup, name=f"Person {number}", email=f"person{number}@example.org", phone=""),
            )
            return response.status_code
        except Exception as error:  # report, do not hide, a failed request
            return repr(error)
        finally:
            connection.close()

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as executor:
        statuses = list(executor.map(register, range(PEOPLE)))
    seconds = time.monotonic() - started

    rows = Registration.objects.filter(group=setup.group)
    figures = {
        "rows": rows.count(),
        "place": rows.filter(status="place").count(),
        "waiting": rows.filter(status="waiting").count(),
        "occupancy_taken": GroupOccupancy.objects.get(group=setup.group).places_taken,
        "occupancy_waiting": GroupOccupancy.objects.get(group=setup.group).waiting,
        "seconds": round(seconds, 2),
    }
    return statuses, figures


def test_concurrent_registrations_never_overbook(offering_with_one_group):
    statuses, figures = register_all_at_once(offering_with_one_group)
    print(f"\nWith the lock: {figures}")

    failed = [status for status in statuses if status != 302]
    assert failed == [], f"{len(failed)} requests failed: {failed[:5]}"
    assert figures["rows"] == PEOPLE
    assert figures["place"] == PLACES
    assert figures["waiting"] == PEOPLE - PLACES
    assert figures["occupancy_taken"] == PLACES
    assert figures["occupancy_waiting"] == PEOPLE - PLACES
    # The waiting list is a proper queue: positions 1..180, each once.
    waiting = Registration.objects.filter(group=offering_with_one_group.group, status="waiting")
    assert sorted(r.waiting_position() for r in waiting) == list(range(1, PEOPLE - PLACES + 1))


def test_without_the_lock_places_are_overbooked(offering_with_one_group, monkeypatch):
    """Control: the same load with the group lock removed shows the race the lock prevents."""
    GroupOccupancy.objects.get_or_create(group=offering_with_one_group.group)
    monkeypatch.setattr(
        OfferingGroup.objects, "select_for_update", lambda *args, **kwargs: OfferingGroup.objects.all()
    )
    original_save = GroupOccupancy.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.005)  # widen the window between reading the counts and writing them
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(GroupOccupancy, "save", slow_save)

    statuses, figures = register_all_at_once(offering_with_one_group)
    print(f"\nWithout the lock: {figures}")

    assert figures["rows"] == PEOPLE, statuses
    overbooked = figures["place"] > PLACES
    counts_disagree = (figures["occupancy_taken"], figures["occupancy_waiting"]) != (
        figures["place"],
        figures["waiting"],
    )
    assert overbooked or counts_disagree, figures
