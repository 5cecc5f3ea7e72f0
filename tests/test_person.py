"""One person's data across offerings: found by email, exported as JSON, erased; audited without values."""

import json

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry

from lms_forms import audit
from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration
from tests.test_participant_admin import add_registration, counts, text
from tests.test_registration import make_offering

PERSON = reverse("participants_modeladmin_person")


@pytest.fixture
def setup(catalogue):
    """Kari in two offerings (a place in one, waiting in the other); Per beside her."""
    setup = make_offering(catalogue, places=1)
    setup.other = make_offering(catalogue, title="Mestringstreff", places=1)
    setup.per = add_registration(setup.other, setup.other.group, "Per Hansen", "per@example.org")
    setup.kari_place = add_registration(
        setup, setup.group, "Kari Nordmann", "kari@example.org", phone="+4791234567"
    )
    setup.kari_waiting = add_registration(
        setup.other, setup.other.group, "Kari Nordmann", "Kari@Example.org", RegistrationStatus.WAITING
    )
    return setup


@pytest.fixture
def admin(client, course_admin):
    client.force_login(course_admin)
    return client


def audit_entries(action):
    return list(PageLogEntry.objects.filter(action=action).order_by("page_id"))


@pytest.mark.django_db
class TestFind:
    def test_finds_every_registration_with_the_address_in_any_case(self, admin, setup):
        response = admin.post(PERSON, {"email": "KARI@example.org"})
        assert response.status_code == 200
        page = text(response)
        assert "2 påmeldinger med kari@example.org" in page.lower()
        assert "Hodepineskolen" in page and "Mestringstreff" in page
        assert "Per Hansen" not in page
        assert {entry.page_id for entry in audit_entries(audit.VIEWED)} == {
            setup.offering.pk,
            setup.other.offering.pk,
        }

    def test_a_bad_address_gets_a_message_and_finds_nothing(self, admin, setup):
        response = admin.post(PERSON, {"email": "ikke-en-adresse"})
        assert response.status_code == 200
        assert "gyldig e-postadresse" in text(response)
        assert not audit_entries(audit.VIEWED)

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_page_editors_are_refused(self, client, setup, page_editor, method):
        client.force_login(page_editor)
        response = getattr(client, method)(PERSON, {"email": "kari@example.org", "action": "erase-confirmed"})
        assert response.status_code in (302, 403)
        assert "Kari" not in response.content.decode()
        assert Registration.objects.filter(name="Kari Nordmann").count() == 2


@pytest.mark.django_db
class TestExport:
    def test_json_holds_every_registration_and_its_answers(self, admin, setup):
        response = admin.post(PERSON, {"email": "kari@example.org", "action": "export"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert "attachment" in response["Content-Disposition"]
        assert "kari" not in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        document = json.loads(response.content)
        records = {record["offering"]: record for record in document["registrations"]}
        assert set(records) == {"Hodepineskolen", "Mestringstreff"}
        assert records["Hodepineskolen"]["phone"] == "+4791234567"
        assert records["Hodepineskolen"]["answers"] == {"Diagnose": "migrene"}
        assert records["Mestringstreff"]["status"] == "På venteliste"

    def test_the_export_is_audited_with_counts_only(self, admin, setup):
        admin.post(PERSON, {"email": "kari@example.org", "action": "export"})
        entries = audit_entries(audit.SUBJECT_EXPORTED)
        assert [entry.data for entry in entries] == [{"rows": 1}, {"rows": 1}]
        for entry in entries:
            assert "kari" not in json.dumps(entry.data).lower()


@pytest.mark.django_db
class TestErase:
    def test_the_first_post_asks_for_confirmation_and_changes_nothing(self, admin, setup):
        response = admin.post(PERSON, {"email": "kari@example.org", "action": "erase"})
        assert response.status_code == 200
        assert "slettes for godt" in text(response)
        assert Registration.objects.filter(name="Kari Nordmann").count() == 2

    def test_erasing_cancels_deletes_the_data_and_frees_the_place(self, admin, setup):
        assert counts(setup.group) == (1, 0)
        response = admin.post(PERSON, {"email": "kari@example.org", "action": "erase-confirmed"})
        assert response.status_code == 302
        for registration in (setup.kari_place, setup.kari_waiting):
            registration.refresh_from_db()
            assert registration.name == ""
            assert registration.phone == ""
            assert registration.form_data == {}
            assert registration.email.endswith("@deleted.invalid")
            assert registration.status == RegistrationStatus.CANCELLED
            assert registration.anonymised_at is not None
        assert counts(setup.group) == (0, 0)
        assert counts(setup.other.group) == (1, 0)  # Per keeps his place; Kari no longer waits
        setup.per.refresh_from_db()
        assert setup.per.name == "Per Hansen"
        entries = audit_entries(audit.ERASED)
        assert [entry.data for entry in entries] == [{"rows": 1}, {"rows": 1}]
        # Nothing is left to find.
        assert "0 påmeldinger" in text(admin.post(PERSON, {"email": "kari@example.org"}))

    def test_erasing_is_post_only(self, admin, setup):
        admin.get(PERSON, {"email": "kari@example.org", "action": "erase-confirmed"})
        assert Registration.objects.filter(name="Kari Nordmann").count() == 2

    def test_the_address_never_stands_in_a_url(self, admin, setup):
        """A search by GET finds nothing and shows an empty form: the address must be POSTed."""
        response = admin.get(PERSON, {"email": "kari@example.org"})
        assert response.status_code == 200
        assert "Hodepineskolen" not in text(response)
        assert not audit_entries(audit.VIEWED)
        page = text(admin.post(PERSON, {"email": "kari@example.org"}))
        assert "kari@example.org" in page
        assert "?email=" not in admin.post(PERSON, {"email": "kari@example.org"}).content.decode()

    def test_a_place_freed_by_erasure_is_offered_to_the_waiting_list(self, admin, setup):
        ola = add_registration(
            setup, setup.group, "Ola Nordmann", "ola@example.org", RegistrationStatus.WAITING
        )
        admin.post(PERSON, {"email": "kari@example.org", "action": "erase-confirmed"})
        ola.refresh_from_db()
        assert ola.status == RegistrationStatus.OFFERED
        assert counts(setup.group) == (1, 0)
