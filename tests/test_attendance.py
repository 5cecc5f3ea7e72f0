"""Attendance: the sessions to mark, a session's roll (a tap saves one mark, audited), the rule that
turns marks into "attended" or "did not show up", several leaders at once, and the printable list."""

import io
import threading

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import PageLogEntry

from lms_forms import audit
from lms_forms.choices import RegistrationStatus
from lms_forms.models import Attendance, Registration
from lms_forms.services.attendance import mark, settle_group, with_attendance
from lms_forms.services.status import ChangeRefused
from tests.factories import add_session, oslo
from tests.test_registration import make_offering
from tests.test_reminders import person

FIRST, SECOND, THIRD = oslo(2030, 1, 15, 18), oslo(2030, 2, 12, 18), oslo(2030, 3, 12, 18)


@pytest.fixture
def course(catalogue):
    setup = make_offering(catalogue)
    add_session(setup.group, SECOND)
    add_session(setup.group, THIRD)
    setup.sessions = sorted(setup.group.sessions.all(), key=lambda session: session.start)
    setup.kari = person(setup, "Kari Nordmann", "kari@example.org")
    setup.per = person(setup, "Per Hansen", "per@example.org")
    setup.waiting = person(setup, "Venter", "venter@example.org", status=RegistrationStatus.WAITING)
    return setup


def status_of(registration):
    return Registration.objects.get(pk=registration.pk).status


# The rule


def test_attending_every_session_is_attended_and_missing_one_is_no_show_after_the_last(course, course_admin):
    for session in course.sessions:
        mark(course.kari, session, True, user=course_admin, now=session.start)
    assert status_of(course.kari) == RegistrationStatus.ATTENDED

    mark(course.per, course.sessions[0], True, user=course_admin, now=FIRST)
    mark(course.per, course.sessions[1], False, user=course_admin, now=SECOND)
    assert status_of(course.per) == RegistrationStatus.PLACE  # the course is not over
    mark(course.per, course.sessions[2], True, user=course_admin, now=THIRD)
    assert status_of(course.per) == RegistrationStatus.NO_SHOW
    # A correction: Per was there on the second day after all.
    mark(course.per, course.sessions[1], True, user=course_admin, now=THIRD)
    assert status_of(course.per) == RegistrationStatus.ATTENDED


def test_the_forms_rule_of_at_least_n_sessions(course, course_admin):
    course.page.sessions_to_attend = 2
    course.page.save()
    mark(course.kari, course.sessions[0], True, user=course_admin, now=FIRST)
    assert status_of(course.kari) == RegistrationStatus.PLACE
    mark(course.kari, course.sessions[1], True, user=course_admin, now=SECOND)
    assert status_of(course.kari) == RegistrationStatus.ATTENDED
    # Those never marked are "did not show up" once the last session has begun.
    settle_group(course.group.pk, now=THIRD)
    assert status_of(course.per) == RegistrationStatus.NO_SHOW
    assert status_of(course.kari) == RegistrationStatus.ATTENDED


def test_a_no_show_after_the_last_session_offers_no_place_to_the_waiting_list(course, course_admin):
    for session in course.sessions:
        mark(course.per, session, False, user=course_admin, now=THIRD)
    assert status_of(course.per) == RegistrationStatus.NO_SHOW
    assert status_of(course.waiting) == RegistrationStatus.WAITING


def test_only_people_with_a_place_in_the_sessions_group_are_marked(course, course_admin, catalogue):
    with pytest.raises(ChangeRefused):
        mark(course.waiting, course.sessions[0], True, user=course_admin)
    other = make_offering(catalogue, title="Annet kurs")
    with pytest.raises(ChangeRefused):
        mark(course.kari, other.group.sessions.get(), True, user=course_admin)
    assert not Attendance.objects.exists()


def test_each_mark_is_audited_without_a_name(course, course_admin):
    mark(course.kari, course.sessions[0], True, user=course_admin, now=FIRST)
    entry = PageLogEntry.objects.get(action=audit.ATTENDANCE_MARKED)
    assert entry.user == course_admin
    assert entry.data == {"rows": 1, "present": True}
    assert "Kari" not in str(entry.data)


def test_the_counts_are_sessions_attended_and_marked_of_the_groups_sessions(course, course_admin):
    mark(course.kari, course.sessions[0], True, user=course_admin, now=FIRST)
    mark(course.kari, course.sessions[1], False, user=course_admin, now=SECOND)
    counted = with_attendance(Registration.objects.filter(pk__in=[course.kari.pk, course.per.pk]))
    assert {r.pk: (r.sessions_attended, r.sessions_marked, r.group_sessions) for r in counted} == {
        course.kari.pk: (1, 2, 3),
        course.per.pk: (0, 0, 3),
    }


# The screens


@pytest.fixture
def admin_client(client, course_admin):
    client.force_login(course_admin)
    return client


def test_the_sessions_list_shows_each_session_with_its_counts(course, admin_client, course_admin):
    mark(course.kari, course.sessions[0], True, user=course_admin, now=FIRST)
    response = admin_client.get(
        reverse("participants_modeladmin_attendance") + f"?offering={course.offering.pk}"
    )
    assert response.status_code == 200
    rows = response.context["sessions"]
    assert [(row.on_roll, row.present, row.absent) for row in rows] == [(2, 1, 0), (2, 0, 0), (2, 0, 0)]
    assert "tirsdag 15. januar 2030, 18.00" in response.content.decode()


def test_a_tap_saves_one_mark_and_the_roll_shows_it(course, admin_client):
    url = reverse("participants_modeladmin_attendance_session", args=[course.sessions[0].pk])
    page = admin_client.get(url).content.decode()
    assert "Kari Nordmann" in page and "Per Hansen" in page and "Venter" not in page

    response = admin_client.post(url, {"registration": course.kari.pk, "present": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#p-{course.kari.pk}")
    assert Attendance.objects.get(registration=course.kari).present is True

    response = admin_client.post(
        url, {"registration": course.per.pk, "present": "0"}, headers={"Accept": "application/json"}
    )
    rows = {row["id"]: row for row in response.json()["rows"]}
    assert rows[course.kari.pk]["present"] is True
    assert rows[course.per.pk]["present"] is False
    assert rows[course.per.pk]["marked"].startswith("Markert av kursadmin")


def test_bad_taps_are_refused_with_a_message_and_store_nothing(course, admin_client):
    url = reverse("participants_modeladmin_attendance_session", args=[course.sessions[0].pk])
    for data in (
        {"registration": course.kari.pk, "present": "maybe"},
        {"registration": "x", "present": "1"},
        {"registration": course.waiting.pk, "present": "1"},
    ):
        response = admin_client.post(url, data, headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert response.json()["error"]
    assert not Attendance.objects.exists()


def test_only_course_administrators_see_the_roll(course, client, page_editor):
    url = reverse("participants_modeladmin_attendance_session", args=[course.sessions[0].pk])
    client.force_login(page_editor)
    for address in (url, reverse("participants_modeladmin_attendance"), url + "list.pdf"):
        assert client.get(address).status_code in (302, 403)
    assert client.post(url, {"registration": course.kari.pk, "present": "1"}).status_code in (302, 403)
    assert not Attendance.objects.exists()


def test_the_printable_list_is_a_tagged_pdf_with_the_names_and_room_to_sign(
    course, admin_client, course_admin
):
    mark(course.kari, course.sessions[0], True, user=course_admin, now=FIRST)
    url = reverse("participants_modeladmin_attendance_pdf", args=[course.sessions[0].pk])
    response = admin_client.get(url + "?signatures=1")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Oppmøteliste" in text
    assert "Hodepineskolen" in text and "tirsdag 15. januar 2030, 18.00" in text
    assert "Kari Nordmann" in text and "Per Hansen" in text and "Venter" not in text
    assert "Signatur" in text
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "nb"
    assert "/StructTreeRoot" in root
    without = PdfReader(io.BytesIO(admin_client.get(url).content)).pages[0].extract_text()
    assert "Signatur" not in without


# Several leaders at once


@pytest.mark.postgres
# serialized_rollback restores Wagtail's root page and default site after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_leaders_marking_the_same_session_at_once_keep_every_mark(catalogue, django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    setup = make_offering(catalogue, places=40)
    session = setup.group.sessions.get()
    people = [person(setup, f"Deltaker {n}", f"d{n}@example.org") for n in range(30)]
    leaders = [django_user_model.objects.create_user(f"leder{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def take(leader, share):
        try:
            barrier.wait()
            for registration in share:
                mark(registration, session, True, user=leader, now=FIRST)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=take, args=(leaders[0], people[0::2])),
        threading.Thread(target=take, args=(leaders[1], people[1::2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Attendance.objects.filter(session=session, present=True).count() == 30
    assert set(
        Registration.objects.filter(pk__in=[p.pk for p in people]).values_list("status", flat=True)
    ) == {RegistrationStatus.ATTENDED}
