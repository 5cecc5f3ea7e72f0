"""Every POST endpoint of the product refuses a request without a CSRF token, and changes nothing.

Each endpoint is first called without a token (403, nothing stored or changed), then, as a control that
the refusal is the CSRF check's and not some other, with the token the page gives (the change happens).
"""

import types

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import PageLogEntry

from lms_forms.choices import RegistrationStatus
from lms_forms.models import Attendance, EvaluationResponse, Registration
from lms_forms.participants.imports import import_folder
from lms_forms.services.evaluations import send_evaluation_invitations
from lms_forms.services.locking import recount_places
from lms_forms.tokens import CANCEL_SALT, make_token
from lms_pages.models import GroupOccupancy, OfferingGroup
from tests.test_registration import form_data, make_offering

CSRF_FAILURE = "CSRF"


@pytest.fixture(autouse=True)
def _registration_settings(settings, tmp_path):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"
    settings.LMS_IMPORT_DIR = str(tmp_path / "imports")


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def admin_csrf_client(csrf_client, course_admin):
    csrf_client.force_login(course_admin)
    return csrf_client


@pytest.fixture
def setup(catalogue):
    """Hodepineskolen, Oslo with 2 places: Kari has one, Ola waits."""
    setup = make_offering(catalogue, places=2)
    setup.kari = add_registration(setup, "Kari Nordmann", "kari@example.org", RegistrationStatus.PLACE)
    setup.per = add_registration(setup, "Per Hansen", "per@example.org", RegistrationStatus.PLACE)
    setup.ola = add_registration(setup, "Ola Nordmann", "ola@example.org", RegistrationStatus.WAITING)
    return setup


def add_registration(setup, name, email, status):
    registration = Registration.objects.create(
        page=setup.page,
        offering=setup.offering,
        group=setup.group,
        group_name=setup.group.name,
        name=name,
        email=email,
        status=status,
        form_data={"diagnose": "migrene"},
        field_labels={"diagnose": "Diagnose"},
    )
    recount_places([setup.group.pk])
    return registration


def state():
    """Everything a POST could change: every registration's fields, the counts, the emails sent."""
    registrations = list(
        Registration.objects.order_by("pk").values_list(
            "pk", "name", "email", "phone", "status", "note", "form_data", "anonymised_at"
        )
    )
    occupancy = list(GroupOccupancy.objects.order_by("pk").values_list("group", "places_taken", "waiting"))
    return registrations, occupancy, len(mail.outbox)


def token_from(client, url):
    """The CSRF token a page hands out with its form (and sets as a cookie on the client)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return client.cookies["csrftoken"].value


def assert_refused(response):
    assert response.status_code == 403
    assert CSRF_FAILURE in response.content.decode()


def csv_file(name="deltakere.csv"):
    text = "Navn,E-post,Gruppe\nNy Person,ny@example.org,Oslo\n"
    return SimpleUploadedFile(name, text.encode())


def stored_uploads():
    return sorted(path.name for path in import_folder().glob("*.upload"))


# The public pages


@pytest.mark.django_db
class TestPublicForms:
    def test_registration_form(self, csrf_client, setup, django_capture_on_commit_callbacks):
        before = state()
        data = form_data(setup, email="ny@example.org", group=str(setup.group.pk))
        with django_capture_on_commit_callbacks(execute=True):
            assert_refused(csrf_client.post(setup.page.url, data))
        assert state() == before

        data["csrfmiddlewaretoken"] = token_from(csrf_client, setup.page.url)
        with django_capture_on_commit_callbacks(execute=True):
            assert csrf_client.post(setup.page.url, data).status_code == 302
        assert Registration.objects.filter(email="ny@example.org").exists()

    def test_evaluation_form(self, csrf_client, setup):
        from tests.test_evaluations import AFTER, add_evaluation, links, names, path_of

        add_evaluation(setup.offering)
        send_evaluation_invitations(now=AFTER)
        url = path_of(links()[0])
        scale, choice, text = names()
        data = {scale: "8", choice: "Gruppen", text: ""}
        assert_refused(csrf_client.post(url, data))
        assert not EvaluationResponse.objects.exists()

        data["csrfmiddlewaretoken"] = token_from(csrf_client, url)
        assert csrf_client.post(url, data).status_code == 200
        assert EvaluationResponse.objects.count() == 1

    def test_cancel_confirmation(self, csrf_client, setup, django_capture_on_commit_callbacks):
        url = setup.page.url + setup.page.reverse_subpage(
            "cancel", kwargs={"token": make_token(setup.kari, CANCEL_SALT)}
        )
        before = state()
        with django_capture_on_commit_callbacks(execute=True):
            assert_refused(csrf_client.post(url))
        assert state() == before
        setup.kari.refresh_from_db()
        assert setup.kari.status == RegistrationStatus.PLACE

        token = token_from(csrf_client, url)
        with django_capture_on_commit_callbacks(execute=True):
            assert csrf_client.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
        setup.kari.refresh_from_db()
        assert setup.kari.status == RegistrationStatus.CANCELLED


# The admin


def admin_posts(setup):
    """(name, URL to GET for a token, URL to POST, data, check that the POST took effect)."""
    index = reverse("participants_modeladmin_index")
    kari = setup.kari

    def status_of(registration):
        return Registration.objects.get(pk=registration.pk).status

    return [
        types.SimpleNamespace(
            name="bulk",
            form_url=index,
            url=reverse("participants_modeladmin_bulk"),
            data={"action": RegistrationStatus.CANCELLED, "selected": [kari.pk], "return_to": index},
            took_effect=lambda: status_of(kari) == RegistrationStatus.CANCELLED,
        ),
        types.SimpleNamespace(
            name="edit",
            form_url=reverse("participants_modeladmin_edit", args=[kari.pk]),
            url=reverse("participants_modeladmin_edit", args=[kari.pk]),
            data={
                "status": RegistrationStatus.NO_SHOW,
                "note": "Ringte og meldte fra.",
                "name": kari.name,
                "email": kari.email,
                "phone": kari.phone,
            },
            took_effect=lambda: status_of(kari) == RegistrationStatus.NO_SHOW,
        ),
        types.SimpleNamespace(
            name="delete",
            form_url=reverse("participants_modeladmin_delete", args=[kari.pk]),
            url=reverse("participants_modeladmin_delete", args=[kari.pk]),
            data={},
            took_effect=lambda: not Registration.objects.filter(pk=kari.pk).exists(),
        ),
        types.SimpleNamespace(
            name="person (erase)",
            form_url=reverse("participants_modeladmin_person"),
            url=reverse("participants_modeladmin_person"),
            data={"email": "kari@example.org", "action": "erase-confirmed"},
            took_effect=lambda: Registration.objects.get(pk=kari.pk).anonymised_at is not None,
        ),
        types.SimpleNamespace(
            name="resend",
            form_url=reverse("participants_modeladmin_inspect", args=[kari.pk]),
            url=reverse("participants_modeladmin_resend", args=[kari.pk]),
            data={},
            took_effect=lambda: PageLogEntry.objects.filter(action="lms_forms.participants.resend").exists(),
        ),
        types.SimpleNamespace(
            name="add",
            form_url=reverse("participants_modeladmin_add"),
            url=reverse("participants_modeladmin_add"),
            data={
                "offering": setup.offering.pk,
                "group": setup.group.pk,
                "name": "Nina Lie",
                "email": "nina@example.org",
                "phone": "",
                "status": "",
            },
            took_effect=lambda: Registration.objects.filter(email="nina@example.org").exists(),
        ),
    ]


@pytest.mark.django_db
class TestAdmin:
    @pytest.mark.parametrize("index", range(6), ids=["bulk", "edit", "delete", "erase", "resend", "add"])
    def test_participant_actions(self, admin_csrf_client, setup, index):
        endpoint = admin_posts(setup)[index]
        before = state()
        assert_refused(admin_csrf_client.post(endpoint.url, endpoint.data))
        assert state() == before, endpoint.name
        assert not endpoint.took_effect()

        token = token_from(admin_csrf_client, endpoint.form_url)
        response = admin_csrf_client.post(endpoint.url, {**endpoint.data, "csrfmiddlewaretoken": token})
        assert response.status_code in (200, 302), endpoint.name
        assert endpoint.took_effect(), endpoint.name

    def test_move(self, admin_csrf_client, setup, catalogue):
        other = OfferingGroup.objects.create(offering=setup.offering, name="Bergen", places=5)
        url = reverse("participants_modeladmin_move", args=[setup.kari.pk])
        data = {"group": other.pk}
        assert_refused(admin_csrf_client.post(url, data))
        assert Registration.objects.get(pk=setup.kari.pk).group_id == setup.group.pk
        token = token_from(
            admin_csrf_client, reverse("participants_modeladmin_inspect", args=[setup.kari.pk])
        )
        assert admin_csrf_client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
        assert Registration.objects.get(pk=setup.kari.pk).group_id == other.pk

    def test_attendance_mark(self, admin_csrf_client, setup):
        session = setup.group.sessions.get()
        url = reverse("participants_modeladmin_attendance_session", args=[session.pk])
        data = {"registration": setup.kari.pk, "present": "1"}
        assert_refused(admin_csrf_client.post(url, data, headers={"Accept": "application/json"}))
        assert not Attendance.objects.exists()

        token = token_from(admin_csrf_client, url)
        response = admin_csrf_client.post(
            url, data, headers={"Accept": "application/json", "X-CSRFToken": token}
        )
        assert response.status_code == 200
        assert Attendance.objects.get().present is True

    def test_import_upload(self, admin_csrf_client, setup):
        url = reverse("participants_modeladmin_import")
        before = state()
        response = admin_csrf_client.post(url, {"offering": setup.offering.pk, "file": csv_file()})
        assert_refused(response)
        assert state() == before
        assert stored_uploads() == []

        token = token_from(admin_csrf_client, url)
        response = admin_csrf_client.post(
            url, {"offering": setup.offering.pk, "file": csv_file(), "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 200
        assert response.context["token"]
        assert len(stored_uploads()) == 1

    def test_import_confirm(self, admin_csrf_client, setup):
        url = reverse("participants_modeladmin_import")
        token = token_from(admin_csrf_client, url)
        preview = admin_csrf_client.post(
            url, {"offering": setup.offering.pk, "file": csv_file(), "csrfmiddlewaretoken": token}
        )
        ticket = preview.context["token"]
        before = state()

        assert_refused(admin_csrf_client.post(url, {"token": ticket}))
        assert state() == before
        assert not Registration.objects.filter(email="ny@example.org").exists()

        response = admin_csrf_client.post(url, {"token": ticket, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert Registration.objects.filter(email="ny@example.org").exists()

    def test_admin_login(self, csrf_client, course_admin):
        url = reverse("wagtailadmin_login")
        credentials = {"username": "kursadmin", "password": "secret"}
        assert_refused(csrf_client.post(url, credentials))
        assert SESSION_KEY not in csrf_client.session

        token = token_from(csrf_client, url)
        response = csrf_client.post(url, {**credentials, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert csrf_client.session[SESSION_KEY] == str(course_admin.pk)


def test_every_participant_post_route_is_listed():
    """A new POST route in the participant admin must be added to the checks above."""
    from lms_forms.participants.admin import ParticipantAdmin

    names = {
        pattern.name
        for pattern in ParticipantAdmin().get_admin_urls_for_registration()
        if getattr(pattern, "name", None)
    }
    checked = {
        "participants_modeladmin_bulk",
        "participants_modeladmin_edit",
        "participants_modeladmin_delete",
        "participants_modeladmin_import",
        "participants_modeladmin_person",
        "participants_modeladmin_resend",
        "participants_modeladmin_add",
        "participants_modeladmin_move",  # TestAdmin.test_move
        "participants_modeladmin_attendance_session",  # TestAdmin.test_attendance_mark
    }
    # The others only answer GET (the list and its exports, the inspect view) or do not exist (create).
    get_only = {
        "participants_modeladmin_index",
        "participants_modeladmin_inspect",
        "participants_modeladmin_create",
        "participants_modeladmin_choose_parent",
        "participants_modeladmin_history",
        "participants_modeladmin_attendance",
        "participants_modeladmin_attendance_pdf",
        "participants_modeladmin_certificate",
        "participants_modeladmin_certificates",
        "participants_modeladmin_evaluations",
        "participants_modeladmin_evaluation",
        "participants_modeladmin_evaluation_export",
    }
    assert names - get_only == checked, sorted(names)
