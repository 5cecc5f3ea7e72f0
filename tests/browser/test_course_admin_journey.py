"""The course administrator's journey in the participant admin, in a browser: filter the list by an
offering, download it as Excel and as CSV, read both files back, correct the CSV and import it (upload,
preview, confirm), and find the change in the list. A page editor without the participant permission is
refused the whole area.
"""

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from playwright.sync_api import expect

from lms_forms.choices import RegistrationSource, RegistrationStatus
from lms_forms.models import Registration, RegistrationFormPage
from lms_forms.services.locking import recount_places
from lms_pages.models import OfferingGroup, OfferingPage

from .helpers import OPEN_OFFERING, log_in_to_admin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COURSE_ADMINISTRATORS = "Course administrators"  # the group the migrations create
OFFERING = "Når hodet blir en pine – Læringsnettverk for personer med omfattende hodepine"
HOPE = "Hva håper du å lære i læringsnettverket?"
# People who registered through the demo's open form before the administrator opens the list.
PEOPLE = [
    ("Kari Nordmann", "kari@example.org", "+4791234567", "Å leve bedre med migrene."),
    ("Ola Hansen", "ola@example.org", "+4792345678", "Hvordan jeg kan bruke mindre medisiner."),
    ("Siri Olsen", "siri@example.org", "+4793456789", ""),
]
CORRECTED_PHONE = "+4798765432"
NEWCOMER = ("Per Berg", "per.berg@example.org", "+4794567890")


@pytest.fixture
def registrations(demo_site):
    offering = OfferingPage.objects.get(url_path__endswith=OPEN_OFFERING, locale__language_code="nb")
    form = RegistrationFormPage.objects.child_of(offering).get()
    questions = list(form.form_fields.all())
    oslo = OfferingGroup.objects.get(offering=offering, name="Oslo")
    for name, email, phone, hope in PEOPLE:
        registration = Registration(
            page=form,
            offering=offering,
            group=oslo,
            group_name=oslo.name,
            name=name,
            email=email,
            phone=phone,
            status=RegistrationStatus.PLACE,
            source=RegistrationSource.WEB,
            language="nb",
            field_labels={question.clean_name: question.label for question in questions},
        )
        registration.set_answers(
            {"hva_haper_du_a_lare": hope, "teknisk_utstyr": True}, form.sensitive_field_names()
        )
        registration.save()
    with transaction.atomic():
        recount_places([oslo.pk])
    return offering


@pytest.fixture
def course_administrator():
    user = get_user_model().objects.create_user("kursadmin", "kursadmin@example.org", "kursadmin-passord")
    user.groups.add(Group.objects.get(name=COURSE_ADMINISTRATORS))
    return user


@pytest.fixture
def page_editor():
    user = get_user_model().objects.create_user(
        "sideredaktor", "sideredaktor@example.org", "redaktor-passord"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def listed_emails(page, count):
    """The email addresses in the participant list, once it shows `count` people."""
    rows = page.get_by_role("row").filter(has=page.get_by_role("link", name="Inspiser"))
    expect(rows).to_have_count(count)
    cells = rows.get_by_role("cell").filter(has_text=re.compile(r"^\S+@\S+$"))
    return sorted(text.strip() for text in cells.all_inner_texts())


def download(page, link_name, folder):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def test_download_correct_and_import_a_participant_list(
    demo_site, registrations, course_administrator, page, tmp_path
):
    log_in_to_admin(page, demo_site, "kursadmin", "kursadmin-passord")
    page.get_by_role("link", name="Deltakere").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deltakere")

    # Filter by the offering: its three people, not the demo's Mestringstreff list. Each filter is
    # introduced by its name as a heading, in the admin's language.
    filters = page.locator(".changelist-filter")
    expect(filters.get_by_role("heading", level=3)).to_have_text(
        ["Tilbud", "Gruppe", "Status", "Tidspunkt innsendt"]
    )
    filters.get_by_role("link", name=OFFERING, exact=True).click()
    expect(page).to_have_url(re.compile(rf"offering__page_ptr__exact={registrations.pk}"))
    emails = sorted(email for _name, email, _phone, _hope in PEOPLE)
    assert listed_emails(page, len(emails)) == emails

    # Excel: a heading row in bokmål with the editor's questions as columns, then the rows shown.
    workbook = openpyxl.load_workbook(
        download(page, "Last ned Excel-arbeidsbok (XLSX)", tmp_path), read_only=True
    )
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    headings, people = rows[0], rows[1:]
    for column in ("Navn", "E-post", "Telefon", "Gruppe", "Status", HOPE):
        assert column in headings, headings
    assert any(heading.startswith("Jeg har en datamaskin") for heading in headings), headings
    assert sorted(row[headings.index("E-post")] for row in people) == emails
    kari = next(row for row in people if row[headings.index("E-post")] == "kari@example.org")
    assert kari[headings.index(HOPE)] == "Å leve bedre med migrene."
    assert kari[headings.index("Gruppe")] == "Oslo" and kari[headings.index("Status")] == "Har plass"

    # CSV: UTF-8 with a byte order mark (so Excel reads æøå), the same columns and rows.
    data = download(page, "Last ned CSV (kommadelt)", tmp_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0] == [heading if heading is not None else "" for heading in headings]
    assert sorted(row[table[0].index("E-post")] for row in table[1:]) == emails

    # Correct Ola's phone number and add a person, as the administrator would in a spreadsheet.
    columns = table[0]
    for row in table[1:]:
        if row[columns.index("E-post")] == "ola@example.org":
            row[columns.index("Telefon")] = CORRECTED_PHONE
    newcomer = dict.fromkeys(columns, "")
    newcomer.update({"Navn": NEWCOMER[0], "E-post": NEWCOMER[1], "Telefon": NEWCOMER[2], "Gruppe": "Oslo"})
    table.append([newcomer[column] for column in columns])
    edited = tmp_path / "deltakere-rettet.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows(table)

    # Import: choose the offering, upload, read the preview, confirm.
    page.get_by_role("link", name="Importer en liste").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importer deltakere")
    page.get_by_label("Tilbud").select_option(label=OFFERING)
    page.get_by_label("Fil").set_input_files(edited)
    page.get_by_role("button", name="Kontroller filen").click()
    preview = page.get_by_role("region", name=re.compile("^Forhåndsvisning"))
    expect(preview.get_by_role("heading", level=2)).to_contain_text(OFFERING)
    counts = {
        row.get_by_role("rowheader").inner_text().strip(): row.get_by_role("cell").inner_text().strip()
        for row in preview.get_by_role("table").first.get_by_role("row").all()
    }
    assert counts == {"Nye": "1", "Oppdatert": "1", "Uendret": "2", "Feil": "0"}, counts
    assert not Registration.objects.filter(email=NEWCOMER[1]).exists(), "the preview stored a row"
    preview.get_by_role("button", name="Importer listen").click()

    # Back in the list of the offering: the newcomer is in it, and Ola's phone is the corrected one.
    expect(page.locator(".messages")).to_contain_text("Nye: 1, oppdatert: 1, uendret: 2")
    assert listed_emails(page, len(emails) + 1) == sorted([*emails, NEWCOMER[1]])
    ola = page.get_by_role("row").filter(has_text="ola@example.org")
    ola.get_by_role("link", name="Inspiser").click()
    expect(page.locator("main")).to_contain_text(CORRECTED_PHONE)
    assert Registration.objects.get(email="ola@example.org").phone == CORRECTED_PHONE
    added = Registration.objects.get(email=NEWCOMER[1])
    assert (added.name, added.group_name, added.offering_id) == (NEWCOMER[0], "Oslo", registrations.pk)


def test_a_page_editor_is_refused_the_participants(demo_site, registrations, page_editor, page):
    log_in_to_admin(page, demo_site, "sideredaktor", "redaktor-passord")
    expect(page.get_by_role("button", name="Sider", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Deltakere")).to_have_count(0)

    response = page.goto(demo_site("/admin/participants/"))
    # Wagtail sends a user without permission back to the dashboard, with a message.
    assert page.url == demo_site("/admin/"), (response.status, page.url)
    expect(page.locator(".messages")).to_contain_text("tilgang")
    for _name, email, _phone, _hope in PEOPLE:
        expect(page.locator("body")).not_to_contain_text(email)
    for path in ("/admin/participants/?export=csv", "/admin/participants/import/"):
        page.goto(demo_site(path))
        assert page.url == demo_site("/admin/"), path
