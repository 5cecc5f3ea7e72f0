"""The places service's own guarantees, and an export that reads back exactly as it was written.

- The one lock primitive refuses to run outside a transaction, and locks in one order.
- Wagtail's inherited notification (every answer in an email) is never sent.
- A correction in the admin is audited by field name, never by value.
- Every spreadsheet format, imported again, gives back the values exported; JSON carries them as stored.
"""

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from wagtail.models import PageLogEntry

from lms_forms import audit
from lms_forms.models import Registration
from lms_forms.services.locking import LockOutsideTransaction, lock_groups, lock_registrations
from lms_forms.services.status import edit_participant
from lms_forms.transfer.files import read_participant_file
from lms_forms.transfer.importing import import_participants
from lms_pages.models import OfferingGroup
from tests.test_participant_export import export_bytes, queryset_of, register
from tests.test_participant_export import make_offering as make_export_offering
from tests.test_registration import form_data, make_offering

# Values that start like a formula, with whitespace, or with a real apostrophe.
AWKWARD = [
    "=1+1",
    "+47 kontor",
    "-2",
    "@SUM(A1)",
    "\tinnrykk",
    " mellomrom først",
    "'sitat",
    "'=allerede",
    "vanlig",
]


# A test's own transaction would hide the precondition: this one runs outside any.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_locks_refuse_to_run_outside_a_transaction(catalogue):
    setup = make_offering(catalogue)
    with pytest.raises(LockOutsideTransaction):
        lock_groups([setup.group.pk])
    with pytest.raises(LockOutsideTransaction):
        lock_registrations(Registration.objects.all())
    with transaction.atomic():
        assert lock_groups([setup.group.pk]) == [setup.group]


@pytest.mark.django_db
def test_groups_are_locked_in_id_order_whatever_order_they_are_asked_in(catalogue):
    setup = make_offering(catalogue, groups=("Oslo", "Bergen", "Tromsø"))
    ids = sorted(OfferingGroup.objects.filter(offering=setup.offering).values_list("pk", flat=True))
    with transaction.atomic():
        assert [group.pk for group in lock_groups(reversed(ids))] == ids


@pytest.mark.django_db
def test_wagtails_notification_with_the_answers_is_never_sent(catalogue, client, settings):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    setup = make_offering(catalogue)
    page = setup.page.specific
    form = page.get_form(form_data(setup), page=page, user=None)
    assert form.is_valid(), form.errors
    page.send_mail(form)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_correction_is_audited_by_field_name_never_by_value(catalogue, course_admin):
    setup = make_offering(catalogue)
    registration = Registration.objects.create(
        page=setup.page,
        offering=setup.offering,
        group=setup.group,
        group_name=setup.group.name,
        name="Kari Nordman",
        email="kari@example.org",
        status="place",
        form_data={},
    )
    changed = edit_participant(
        registration, user=course_admin, name="Kari Nordmann", email="kari.n@example.org", phone="", note=""
    )
    assert sorted(changed) == ["email", "name"]
    registration.refresh_from_db()
    assert (registration.name, registration.email) == ("Kari Nordmann", "kari.n@example.org")
    entry = PageLogEntry.objects.get(action=audit.EDITED)
    assert entry.data["fields"] == ["email", "name"]
    logged = json.dumps(entry.data) + str(entry.message)
    for value in ("Kari", "kari", "Nordman"):
        assert value not in logged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("export_format", "filename"), [("csv", "l.csv"), ("csv-semicolon", "l.csv"), ("xlsx", "l.xlsx")]
)
def test_an_exported_list_imported_again_gives_back_every_value(catalogue, export_format, filename):
    setup = make_export_offering(catalogue)
    diagnosis, wish = (field.clean_name for field in setup.fields)
    for number, value in enumerate(AWKWARD):
        register(setup, number, name=f"{value} {number}", note=value, answers={diagnosis: value, wish: value})
    before = {
        registration.email: (registration.name, registration.note, registration.answers)
        for registration in queryset_of(setup)
    }
    data = export_bytes(queryset_of(setup), export_format)
    # Scramble what is stored, then import the file: it must put every value back.
    Registration.objects.update(name="x", note="x", form_data={})
    report = import_participants(setup.offering, read_participant_file(SimpleUploadedFile(filename, data)))
    assert report.errors == [], [str(error) for error in report.errors]
    after = {
        registration.email: (registration.name, registration.note, registration.answers)
        for registration in queryset_of(setup)
    }
    assert after == before


@pytest.mark.django_db
def test_the_json_export_carries_values_as_stored(catalogue):
    setup = make_export_offering(catalogue)
    diagnosis, _wish = (field.clean_name for field in setup.fields)
    for number, value in enumerate(AWKWARD):
        register(setup, number, note=value, answers={diagnosis: value})
    records = json.loads(export_bytes(queryset_of(setup), "json"))
    assert sorted(record["Merknad"] for record in records) == sorted(AWKWARD)
    assert sorted(record["Diagnose"] for record in records) == sorted(AWKWARD)
    assert {record["Telefon"] for record in records} == {"+4791234567"}
