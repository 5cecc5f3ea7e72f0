"""Answers about health: encrypted at rest, readable by course administrators, never in an email."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lms_forms.encryption import check_encryption_keys
from lms_forms.models import Registration, RegistrationFormField
from tests.test_participant_admin import text
from tests.test_registration import make_offering, post_form  # noqa: F401 - a fixture

DIAGNOSIS = "kronisk migrene med aura"


def stored_columns(registration):
    """What the database itself holds, read without the model's field classes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT form_data, sensitive_answers FROM lms_forms_registration WHERE id = %s", [registration.pk]
        )
        form_data, sensitive = cursor.fetchone()
    return str(form_data), str(sensitive)


@pytest.fixture
def registered(catalogue, post_form):  # noqa: F811 - the fixture imported above
    """Kari registered through the form; "Diagnose" asks about health, "Allergier" does not."""
    setup = make_offering(catalogue)
    RegistrationFormField.objects.create(page=setup.page, label="Allergier", field_type="singleline")
    assert post_form(setup, diagnose=DIAGNOSIS, allergier="nøtter").status_code == 302
    setup.registration = Registration.objects.get()
    return setup


@pytest.mark.django_db
class TestAtRest:
    def test_the_health_answer_is_stored_encrypted_and_the_rest_in_the_clear(self, registered):
        form_data, sensitive = stored_columns(registered.registration)
        assert DIAGNOSIS not in form_data and DIAGNOSIS not in sensitive
        assert "migrene" not in sensitive
        assert sensitive.startswith("gAAAAA")  # a Fernet token
        assert "nøtter" in form_data or "n\\u00f8tter" in form_data

    def test_the_model_reads_every_answer_in_the_form_order(self, registered):
        registration = Registration.objects.get()
        assert registration.answers == {"diagnose": DIAGNOSIS, "allergier": "nøtter"}
        assert registration.form_data == {"allergier": "nøtter"}
        assert registration.answer("diagnose") == DIAGNOSIS

    def test_no_email_holds_the_answer(self, registered):
        assert len(mail.outbox) == 2
        for message in mail.outbox:
            assert DIAGNOSIS not in message.subject + message.body

    def test_course_administrators_read_it_in_the_admin_and_the_export(
        self,
        registered,
        client,
        course_admin,
    ):
        client.force_login(course_admin)
        inspect = client.get(reverse("participants_modeladmin_inspect", args=[registered.registration.pk]))
        assert DIAGNOSIS in text(inspect)
        export = client.get(reverse("participants_modeladmin_index"), {"export": "csv"})
        assert DIAGNOSIS in b"".join(export.streaming_content).decode("utf-8-sig")

    def test_wagtails_own_submission_list_reads_it(self, registered, admin_client):
        submissions = admin_client.get(reverse("wagtailforms:list_submissions", args=[registered.page.pk]))
        assert submissions.status_code == 200
        assert DIAGNOSIS in text(submissions)

    def test_marking_a_question_later_moves_its_stored_answers(self, registered):
        RegistrationFormField.objects.filter(clean_name="allergier").update(asks_about_health=True)
        page = registered.page.specific
        page.save_revision().publish()
        form_data, sensitive = stored_columns(registered.registration)
        assert "allergier" not in form_data
        registration = Registration.objects.get()
        assert registration.sensitive_answers == {"diagnose": DIAGNOSIS, "allergier": "nøtter"}
        assert registration.form_data == {}

    def test_unmarking_it_moves_them_back_when_a_course_administrator_publishes(
        self, registered, course_admin
    ):
        RegistrationFormField.objects.filter(clean_name="diagnose").update(asks_about_health=False)
        registered.page.specific.save_revision(user=course_admin).publish()
        registration = Registration.objects.get()
        assert registration.form_data == {"diagnose": DIAGNOSIS, "allergier": "nøtter"}
        assert registration.sensitive_answers == {}

    @pytest.mark.parametrize("publisher", ["page_editor", None])
    def test_unmarking_it_keeps_them_encrypted_for_anyone_else(self, registered, request, publisher):
        """A page editor, who may not see participants, cannot turn health answers into plain text."""
        user = request.getfixturevalue(publisher) if publisher else None
        RegistrationFormField.objects.filter(clean_name="diagnose").update(asks_about_health=False)
        # Published as the revision's author (the signal reads who made the change from the revision).
        registered.page.specific.save_revision(user=user).publish()
        registration = Registration.objects.get()
        assert registration.form_data == {"allergier": "nøtter"}
        assert registration.sensitive_answers == {"diagnose": DIAGNOSIS}
        form_data, sensitive = stored_columns(registration)
        assert DIAGNOSIS not in form_data


@pytest.mark.django_db
class TestKeys:
    def test_a_new_key_first_still_reads_the_old_and_rotation_moves_to_it(self, registered, settings):
        old = settings.LMS_ENCRYPTION_KEYS[0]
        new = Fernet.generate_key().decode()
        settings.LMS_ENCRYPTION_KEYS = [new, old]
        assert Registration.objects.get().answer("diagnose") == DIAGNOSIS
        out = io.StringIO()
        call_command("rotate_encryption_key", stdout=out)
        assert "1" in out.getvalue()
        settings.LMS_ENCRYPTION_KEYS = [new]
        assert Registration.objects.get().answer("diagnose") == DIAGNOSIS

    def test_a_wrong_key_says_so(self, registered, settings):
        settings.LMS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
        with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
            Registration.objects.get()

    @pytest.mark.parametrize("keys", [[], ["not-a-key"]])
    def test_the_system_check_refuses_missing_or_bad_keys(self, settings, keys):
        settings.LMS_ENCRYPTION_KEYS = keys
        assert [error.id for error in check_encryption_keys(None)] == ["lms_forms.E001"]

    def test_the_system_check_accepts_the_configured_keys(self):
        assert check_encryption_keys(None) == []


@pytest.mark.django_db
class TestGone:
    def test_erasure_and_retention_clear_the_encrypted_answers(self, registered):
        from lms_forms.services.retention import anonymise

        anonymise(Registration.objects.all())
        form_data, sensitive = stored_columns(registered.registration)
        assert sensitive == ""
        assert Registration.objects.get().answers == {}
