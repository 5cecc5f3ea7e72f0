"""Importing participant lists (CSV or XLSX) into an offering: preview, errors, all-or-nothing, matching
by email, places, encodings, headings, limits, broken files, a round trip through the export, and the
`import_participants` command."""

import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from lms_forms.choices import RegistrationSource, RegistrationStatus
from lms_forms.models import Registration, RegistrationFormField
from lms_forms.services.locking import recount_places
from lms_forms.transfer.files import ImportFileError, read_participant_file
from lms_forms.transfer.importing import import_participants
from lms_forms.transfer.resources import ParticipantResource, questions_of
from lms_pages.models import GroupOccupancy
from tests.factories import OfferingPageFactory, add_group
from tests.test_registration import make_offering

NB_HEADINGS = ["Navn", "E-post", "Telefon", "Fødselsdato", "Gruppe", "Status", "Diagnose"]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


@pytest.fixture
def setup(catalogue):
    """Hodepineskolen with Oslo (2 places, Kari has one) and Bergen (2 places, empty)."""
    setup = make_offering(catalogue, places=2, groups=("Oslo", "Bergen"))
    setup.oslo, setup.bergen = setup.groups
    setup.kari = add_registration(setup, setup.oslo, "Kari Nordmann", "kari@example.org", phone="+4791234567")
    return setup


def add_registration(setup, group, name, email, status=RegistrationStatus.PLACE, **fields):
    registration = Registration.objects.create(
        page=setup.page,
        offering=setup.offering,
        group=group,
        group_name=group.name if group else "",
        name=name,
        email=email,
        status=status,
        form_data=fields.pop("form_data", {"diagnose": "migrene"}),
        field_labels={"diagnose": "Diagnose"},
        **fields,
    )
    if group is not None:
        recount_places([group.pk])
    return registration


def csv_upload(rows, headers=NB_HEADINGS, delimiter=",", encoding="utf-8", name="deltakere.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


def xlsx_upload(rows, headers=NB_HEADINGS, name="deltakere.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(setup, upload, *, dry_run=False, **limits):
    return import_participants(setup.offering, read_participant_file(upload, **limits), dry_run=dry_run)


def people(setup):
    """Everything an import may change, per registration, in registration order."""
    return [
        (*row[:-2], {**row[-2], **row[-1]})  # every answer, the encrypted ones decrypted
        for row in Registration.objects.filter(offering=setup.offering)
        .order_by("submit_time", "pk")
        .values_list(
            "email",
            "name",
            "phone",
            "birth_date",
            "group_name",
            "status",
            "note",
            "form_data",
            "sensitive_answers",
        )
    ]


def counts(group):
    occupancy = GroupOccupancy.objects.filter(group=group).first()
    return (occupancy.places_taken, occupancy.waiting) if occupancy else (0, 0)


def problems(report):
    return [(error.row, error.column, error.value) for error in report.errors]


def refused(upload, **limits):
    with pytest.raises(ImportFileError) as caught:
        read_participant_file(upload, **limits)
    return caught.value.message


class TestPreviewAndCommit:
    ROWS = [
        ["Kari Nordmann", "kari@example.org", "+4791234567", "", "Oslo", "Har plass", "migrene"],
        ["Ola Nordmann", "ola@example.org", "41234567", "17.05.1990", "Bergen", "", "astma"],
        ["Per Hansen", "per@example.org", "", "1985-01-31", "Bergen", "", ""],
    ]

    def test_the_preview_counts_and_stores_nothing(self, setup):
        add_registration(setup, setup.bergen, "Per Hansen", "per@example.org", form_data={})
        before = people(setup)
        rows = [self.ROWS[0], self.ROWS[1], ["Per Hansen", "per@example.org", "", "", "Bergen", "", ""]]
        rows[0] = [*rows[0][:2], "912 34 999", *rows[0][3:]]  # Kari's phone changes

        report = run(setup, csv_upload(rows), dry_run=True)

        assert (report.new, report.updated, report.unchanged, report.errors) == (1, 1, 1, [])
        assert report.dry_run and not report.committed
        assert people(setup) == before
        assert counts(setup.bergen) == (1, 0)

    def test_the_commit_stores_new_people_with_the_import_source(self, setup):
        report = run(setup, csv_upload(self.ROWS))

        assert (report.new, report.updated, report.unchanged, report.errors) == (2, 0, 1, [])
        assert report.committed
        ola = Registration.objects.get(email="ola@example.org")
        assert (ola.name, ola.phone, ola.birth_date, ola.group, ola.group_name) == (
            "Ola Nordmann",
            "+4741234567",
            datetime.date(1990, 5, 17),
            setup.bergen,
            "Bergen",
        )
        assert (ola.source, ola.language, ola.page_id, ola.offering_id) == (
            RegistrationSource.IMPORT,
            "",
            setup.page.pk,
            setup.offering.pk,
        )
        assert ola.answers == {"diagnose": "astma"}
        assert ola.field_labels == {"diagnose": "Diagnose"}
        assert ola.submit_time is not None
        assert Registration.objects.get(email="per@example.org").birth_date == datetime.date(1985, 1, 31)

    def test_an_offering_without_a_registration_form_is_refused(self, setup, catalogue):
        offering = OfferingPageFactory(parent=catalogue, title="Uten skjema")
        dataset = read_participant_file(csv_upload(self.ROWS))
        with pytest.raises(ImportFileError, match="Uten skjema"):
            import_participants(offering, dataset)
        assert not Registration.objects.filter(offering=offering).exists()


class TestErrors:
    def test_each_error_names_the_row_column_and_value(self, setup):
        rows = [
            ["Ola Nordmann", "ola@example", "", "", "Oslo", "", ""],
            ["", "", "", "", "", "", ""],  # blank: skipped, but row 4 is still row 4
            ["Per Hansen", "per@example.org", "123", "", "Oslo", "", ""],
            ["Siri Berg", "siri@example.org", "", "31.02.1990", "Oslo", "", ""],
            ["Anne Lie", "anne@example.org", "", "", "Tromsø", "", ""],
            ["Jon Lie", "jon@example.org", "", "", "Oslo", "Kanskje", ""],
            ["", "tom@example.org", "", "1990/05/17", "Oslo", "", ""],
        ]
        report = run(setup, csv_upload(rows), dry_run=True)

        assert problems(report) == [
            (2, "E-post", "ola@example"),
            (4, "Telefon", "123"),
            (5, "Fødselsdato", "31.02.1990"),
            (6, "Gruppe", "Tromsø"),
            (7, "Status", "Kanskje"),
            (8, "Navn", ""),
            (8, "Fødselsdato", "1990/05/17"),
        ]
        assert "Oslo, Bergen" in report.errors[3].message  # the groups there are
        assert all(error.message for error in report.errors)
        assert (
            "6" in str(report.errors[3])
            and "Gruppe" in str(report.errors[3])
            and "Tromsø" in str(report.errors[3])
        )

    def test_a_new_person_needs_a_group_when_there_are_several(self, setup):
        without_column = csv_upload([["Ola", "ola@example.org"]], headers=["Navn", "E-post"])
        empty_cell = csv_upload([["Ola", "ola@example.org", ""]], headers=["Navn", "E-post", "Gruppe"])
        assert problems(run(setup, without_column, dry_run=True)) == [(2, None, "")]
        report = run(setup, empty_cell, dry_run=True)
        assert problems(report) == [(2, "Gruppe", "")]
        assert "Oslo, Bergen" in report.errors[0].message

    def test_an_offering_with_one_group_needs_no_group_column(self, catalogue):
        setup = make_offering(catalogue, groups=("Oslo",))
        report = run(setup, csv_upload([["Ola", "ola@example.org"]], headers=["Navn", "E-post"]))
        assert report.errors == [] and report.new == 1
        assert Registration.objects.get(email="ola@example.org").group == setup.group

    def test_one_bad_row_stores_nothing(self, setup):
        before = people(setup)
        rows = [
            ["Ola Nordmann", "ola@example.org", "", "", "Oslo", "", ""],
            ["Kari Nordmann", "kari@example.org", "", "", "Bergen", "Avlyst", ""],
            ["Per Hansen", "per@example.org", "", "32.13.2000", "Oslo", "", ""],
        ]
        report = run(setup, csv_upload(rows))

        assert report.has_errors and not report.committed
        assert problems(report) == [(4, "Fødselsdato", "32.13.2000")]
        assert people(setup) == before
        assert counts(setup.oslo) == (1, 0)

    def test_a_future_birth_date_is_an_error(self, setup):
        rows = [["Ola", "ola@example.org", "", "01.01.2999", "Oslo", "", ""]]
        assert problems(run(setup, csv_upload(rows), dry_run=True)) == [(2, "Fødselsdato", "01.01.2999")]


class TestMatchingByEmail:
    def test_a_person_is_updated_whatever_the_case_and_spaces_of_the_email(self, setup):
        rows = [["Kari Nordmann-Olsen", "  KARI@Example.ORG ", "", "", "", "", "migrene"]]
        report = run(setup, csv_upload(rows))

        assert (report.new, report.updated) == (0, 1)
        assert Registration.objects.filter(offering=setup.offering).count() == 1
        setup.kari.refresh_from_db()
        assert setup.kari.name == "Kari Nordmann-Olsen"
        assert setup.kari.group == setup.oslo  # an empty group keeps the person's group
        assert setup.kari.status == RegistrationStatus.PLACE  # and an empty status the status
        assert setup.kari.phone == ""  # an empty phone is empty

    def test_the_same_email_twice_in_the_file_is_an_error_on_the_later_row(self, setup):
        rows = [
            ["Ola Nordmann", "ola@example.org", "", "", "Oslo", "", ""],
            ["Per Hansen", "per@example.org", "", "", "Oslo", "", ""],
            ["Ola N.", "OLA@example.org", "", "", "Bergen", "", ""],
        ]
        report = run(setup, csv_upload(rows))

        assert problems(report) == [(4, "E-post", "OLA@example.org")]
        assert "2" in report.errors[0].message
        assert not Registration.objects.filter(email__iexact="ola@example.org").exists()

    def test_the_email_of_another_offering_is_a_new_person_here(self, setup, catalogue):
        other = make_offering(catalogue, title="Søvnskolen")
        rows = [["Kari Nordmann", "kari@example.org", "", "", "Oslo", "", ""]]
        report = run(other, csv_upload(rows))
        assert report.new == 1
        assert Registration.objects.filter(email="kari@example.org").count() == 2

    def test_a_cancelled_registration_is_updated_not_duplicated(self, setup):
        setup.kari.status = RegistrationStatus.CANCELLED
        setup.kari.save()
        rows = [["Kari Nordmann", "kari@example.org", "", "", "Oslo", "Har plass", ""]]
        report = run(setup, csv_upload(rows))

        assert (report.new, report.updated) == (0, 1)
        setup.kari.refresh_from_db()
        assert setup.kari.status == RegistrationStatus.PLACE


class TestPlaces:
    def test_new_people_get_a_place_while_there_is_room_then_the_waiting_list(self, setup):
        rows = [[f"Person {n}", f"p{n}@example.org", "", "", "Oslo", "", ""] for n in range(1, 4)]
        report = run(setup, csv_upload(rows))

        statuses = dict(Registration.objects.filter(source="import").values_list("email", "status"))
        assert statuses == {
            "p1@example.org": "place",
            "p2@example.org": "waiting",
            "p3@example.org": "waiting",
        }
        assert report.new_statuses == {"place": 1, "waiting": 2}
        assert counts(setup.oslo) == (2, 2)

    def test_a_freed_place_in_the_file_counts_for_the_rows_below(self, setup):
        rows = [
            ["Kari Nordmann", "kari@example.org", "", "", "Oslo", "cancelled", ""],
            ["Ola", "ola@example.org", "", "", "Oslo", "", ""],
            ["Per", "per@example.org", "", "", "Oslo", "", ""],
            ["Siri", "siri@example.org", "", "", "Oslo", "", ""],
        ]
        run(setup, csv_upload(rows))
        statuses = dict(Registration.objects.values_list("email", "status"))
        assert statuses["ola@example.org"] == statuses["per@example.org"] == "place"
        assert statuses["siri@example.org"] == "waiting"
        assert counts(setup.oslo) == (2, 1)

    def test_statuses_by_code_or_by_name_in_each_language(self, setup):
        rows = [
            ["A", "a@example.org", "", "", "Bergen", "On the waiting list", ""],
            ["B", "b@example.org", "", "", "Bergen", "MØTTE IKKJE OPP", ""],
            ["C", "c@example.org", "", "", "Bergen", "attended", ""],
            ["D", "d@example.org", "", "", "Bergen", "  på   venteliste ", ""],
        ]
        run(setup, csv_upload(rows))
        statuses = dict(Registration.objects.values_list("email", "status"))
        assert [statuses[f"{x}@example.org"] for x in "abcd"] == ["waiting", "no_show", "attended", "waiting"]
        assert counts(setup.bergen) == (1, 2)

    def test_an_explicit_place_beyond_capacity_stops_the_import_unless_confirmed(self, setup):
        rows = [[f"P{n}", f"p{n}@example.org", "", "", "Oslo", "Har plass", ""] for n in range(2)]
        report = run(setup, csv_upload(rows))
        assert not report.committed and report.over_capacity
        assert not Registration.objects.filter(email__startswith="p").exists()
        assert any("Oslo" in str(warning) for warning in report.warnings)

        report = import_participants(
            setup.offering, read_participant_file(csv_upload(rows)), allow_over_capacity=True
        )
        assert report.committed
        assert counts(setup.oslo) == (3, 0)
        assert any("Oslo" in str(warning) for warning in report.warnings)

    def test_the_dry_run_leaves_the_occupancy_alone(self, setup):
        rows = [[f"P{n}", f"p{n}@example.org", "", "", "Oslo", "", ""] for n in range(3)]
        run(setup, csv_upload(rows), dry_run=True)
        assert counts(setup.oslo) == (1, 0)


class TestEncodingsAndSeparators:
    ROWS = [["Bjørn Ærø", "bjorn@example.org", "", "", "Oslo", "", "søvnvansker og råd"]]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
    def test_norwegian_letters_in_each_encoding(self, setup, encoding):
        report = run(setup, csv_upload(self.ROWS, encoding=encoding))
        assert report.errors == [] and report.new == 1
        bjorn = Registration.objects.get(email="bjorn@example.org")
        assert (bjorn.name, bjorn.answer("diagnose")) == ("Bjørn Ærø", "søvnvansker og råd")

    def test_semicolon_separated(self, setup):
        rows = [["Nordmann, Ola", "ola@example.org", "", "", "Oslo", "", "a, b"]]
        report = run(setup, csv_upload(rows, delimiter=";", encoding="utf-8-sig"))
        assert report.errors == []
        assert Registration.objects.get(email="ola@example.org").name == "Nordmann, Ola"

    def test_excels_separator_line(self, setup):
        upload = SimpleUploadedFile(
            "liste.csv", b"sep=;\r\nNavn;E-post;Gruppe\r\nOla;ola@example.org;Oslo\r\n"
        )
        report = run(setup, upload)
        assert report.errors == [] and report.new == 1

    def test_a_workbook_with_date_and_number_cells(self, setup):
        rows = [["Ola", "ola@example.org", 41234567, datetime.datetime(1990, 5, 17), "Bergen", "", ""]]
        report = run(setup, xlsx_upload(rows))
        assert report.errors == []
        ola = Registration.objects.get(email="ola@example.org")
        assert (ola.phone, ola.birth_date) == ("+4741234567", datetime.date(1990, 5, 17))

    def test_a_workbooks_row_numbers_count_its_blank_rows(self, setup):
        rows = [
            ["Ola", "ola@example.org", "", "", "Oslo", "", ""],
            [None] * 7,
            ["Per", "per@", "", "", "Oslo", "", ""],
        ]
        report = run(setup, xlsx_upload(rows), dry_run=True)
        assert problems(report) == [(4, "E-post", "per@")]


class TestHeadings:
    KEYS = ["name", "email", "phone", "birth_date", "group", "status", "note"]

    @pytest.mark.parametrize("language", ["nb", "nn", "en", "keys"])
    def test_headings_in_bokmal_nynorsk_english_or_as_keys(self, setup, language):
        if language == "keys":
            headings = self.KEYS
        else:
            with translation.override(language):
                resource = ParticipantResource()
                headings = [str(resource.fields[key].column_name) for key in self.KEYS]
        rows = [["Ola", "ola@example.org", "41234567", "17.05.1990", "Bergen", "På venteliste", "Ringes"]]
        report = run(setup, csv_upload(rows, headers=headings))
        assert report.errors == [] and report.warnings == []
        ola = Registration.objects.get(email="ola@example.org")
        assert (ola.name, ola.phone, ola.birth_date, ola.group, ola.status, ola.note) == (
            "Ola",
            "+4741234567",
            datetime.date(1990, 5, 17),
            setup.bergen,
            "waiting",
            "Ringes",
        )

    def test_headings_in_any_case_and_spacing(self, setup):
        rows = [["Ola", "ola@example.org", "Bergen"]]
        report = run(setup, csv_upload(rows, headers=[" NAMN ", "e-POST", "gruppe"]))
        assert report.errors == [] and report.warnings == [] and report.new == 1

    def test_a_question_is_matched_by_its_label(self, setup):
        RegistrationFormField.objects.create(page=setup.page, label="Allergier", field_type="singleline")
        rows = [["Ola", "ola@example.org", "Oslo", "nøtter", "migrene"]]
        report = run(setup, csv_upload(rows, headers=["Navn", "E-post", "Gruppe", "allergier", "Diagnose"]))
        assert report.errors == []
        ola = Registration.objects.get(email="ola@example.org")
        assert ola.answers == {"allergier": "nøtter", "diagnose": "migrene"}

    def test_an_unknown_column_is_a_warning_and_is_not_imported(self, setup):
        rows = [["Ola", "ola@example.org", "Oslo", "12345"]]
        report = run(setup, csv_upload(rows, headers=["Navn", "E-post", "Gruppe", "Fødselsnummer"]))
        assert report.errors == [] and report.new == 1
        assert [(warning.column, warning.row) for warning in report.warnings] == [("Fødselsnummer", None)]
        assert "12345" not in str(Registration.objects.get(email="ola@example.org").answers)

    @pytest.mark.parametrize("headings", [["Navn", "Telefon"], ["E-post", "Gruppe"], ["Fornavn", "Adresse"]])
    def test_a_missing_name_or_email_column_refuses_the_file_before_any_row(self, setup, headings):
        dataset = read_participant_file(csv_upload([["Ola", "ola@example.org"]], headers=headings))
        with pytest.raises(ImportFileError) as caught:
            import_participants(setup.offering, dataset)
        assert "Navn" in caught.value.message or "E-post" in caught.value.message
        assert Registration.objects.count() == 1

    def test_the_same_column_twice_refuses_the_file(self, setup):
        dataset = read_participant_file(
            csv_upload([["Ola", "ola@example.org", "Ola"]], headers=["Navn", "E-post", "Name"])
        )
        with pytest.raises(ImportFileError, match="Navn"):
            import_participants(setup.offering, dataset)


class TestLimitsAndBrokenFiles:
    def test_a_file_over_the_size_limit(self, setup, settings):
        settings.LMS_IMPORT_MAX_BYTES = 100
        rows = [[f"Person {n}", f"p{n}@example.org", "", "", "Oslo", "", ""] for n in range(10)]
        assert "100" in refused(csv_upload(rows))

    def test_a_file_over_the_row_limit(self, setup, settings):
        settings.LMS_IMPORT_MAX_ROWS = 3
        rows = [[f"Person {n}", f"p{n}@example.org", "", "", "Oslo", "", ""] for n in range(4)]
        assert "3" in refused(csv_upload(rows))
        assert "3" in refused(xlsx_upload(rows))
        assert len(read_participant_file(csv_upload(rows), max_rows=4)) == 4
        assert len(read_participant_file(csv_upload(rows[:3]))) == 3

    @pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"])
    def test_an_empty_file(self, content):
        assert refused(SimpleUploadedFile("tom.csv", content))

    def test_headings_without_rows(self):
        assert refused(SimpleUploadedFile("tom.csv", b"Navn,E-post\r\n,\r\n"))

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("bilde.csv", PNG),
            ("arkiv.csv", b"PK\x03\x04" + b"\x14\x00" * 40),
            ("tekst.csv", "Navn,E-post\r\nOla,ola@example.org\r\n".encode("utf-16")),
            ("rot.xlsx", b"this is not a workbook at all, just text"),
            ("bilde.xlsx", PNG),
            ("gammel.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100),
            ("liste.pdf", b"%PDF-1.4"),
        ],
    )
    def test_a_renamed_binary_is_refused(self, name, content):
        assert refused(SimpleUploadedFile(name, content))

    def test_a_zip_that_is_not_a_workbook(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hei.txt", "hei")
        assert refused(SimpleUploadedFile("liste.xlsx", buffer.getvalue()))

    @pytest.mark.parametrize("stated_size", [True, False])
    def test_a_workbook_with_a_million_blank_rows_is_refused_quickly(self, stated_size):
        upload = blank_rows_workbook(2**20, stated_size)
        message = refused(upload)
        assert re.search(r"\d", message)  # names the limit


def blank_rows_workbook(rows, stated_size):
    """A workbook with headings, one participant and blank rows down to `rows`, built as XML directly."""
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["Navn", "E-post"])
    workbook.active.append(["Ola", "ola@example.org"])
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                blank = "".join(f'<row r="{number}"/>' for number in range(3, rows + 1)).encode()
                data = data.replace(b"</sheetData>", blank + b"</sheetData>")
                dimension = f'<dimension ref="A1:B{rows}"/>'.encode() if stated_size else b""
                data = re.sub(rb"<dimension [^>]*/>", dimension, data)
            archive.writestr(info.filename, data)
    return SimpleUploadedFile("tomme-rader.xlsx", target.getvalue())


class TestFormulaApostrophe:
    def test_the_exports_apostrophe_is_removed_only_before_a_formula_character(self, setup):
        rows = [
            ["'=Ola", "ola@example.org", "'+4741234567", "", "Oslo", "", "'-2"],
            ["'Per", "per@example.org", "", "", "Oslo", "", "'migrene"],
        ]
        report = run(setup, csv_upload(rows))
        assert report.errors == []
        ola = Registration.objects.get(email="ola@example.org")
        per = Registration.objects.get(email="per@example.org")
        assert (ola.name, ola.phone, ola.answer("diagnose")) == ("=Ola", "+4741234567", "-2")
        assert (per.name, per.answer("diagnose")) == ("'Per", "'migrene")


class TestRoundTrip:
    @pytest.fixture
    def full_list(self, setup):
        """Registrations of every kind: places, a waiting list, a cancelled one registered again, a note
        that looks like a formula, one that starts with a tab, a checkbox question and a group that has since been removed."""
        RegistrationFormField.objects.create(
            page=setup.page, label="Tema", field_type="checkboxes", choices="a,b,c"
        )
        RegistrationFormField.objects.create(page=setup.page, label="Samtykke", field_type="checkbox")
        add_registration(
            setup,
            setup.oslo,
            "=Ola",
            "ola@example.org",
            birth_date=datetime.date(1990, 5, 17),
            note="+ ring først",
            form_data={"diagnose": "astma", "tema": ["a", "c"], "samtykke": True},
        )
        add_registration(
            setup,
            setup.oslo,
            "Per Hansen",
            "Per@Example.org",
            RegistrationStatus.WAITING,
            note="\tring etter kl. 16",
        )
        add_registration(setup, setup.bergen, "Siri Berg", "siri@example.org", RegistrationStatus.CANCELLED)
        add_registration(setup, setup.bergen, "Siri Berg", "siri@example.org", form_data={"diagnose": None})
        gone = add_group(setup.offering, "Tromsø", places=5)
        add_registration(setup, gone, "Anne Lie", "anne@example.org", RegistrationStatus.ATTENDED)
        gone.delete()
        return setup

    @pytest.mark.parametrize("file_format", ["csv", "csv-semicolon", "xlsx"])
    def test_an_export_imported_again_changes_nothing(self, full_list, file_format):
        setup = full_list
        before = people(setup)
        occupancy = counts(setup.oslo), counts(setup.bergen)
        resource = ParticipantResource(questions=questions_of([setup.offering]))
        registrations = Registration.objects.filter(offering=setup.offering).order_by("submit_time", "pk")
        headers = resource.get_export_headers()
        rows = [resource.export_resource(registration) for registration in registrations]
        if file_format == "xlsx":
            upload = xlsx_upload(rows, headers=headers)
        else:
            delimiter = ";" if file_format == "csv-semicolon" else ","
            upload = csv_upload(rows, headers=headers, delimiter=delimiter, encoding="utf-8-sig")

        report = run(setup, upload)

        assert report.errors == [] and report.warnings == []
        assert (report.new, report.updated, report.unchanged) == (0, 0, len(before))
        assert people(setup) == before
        assert (counts(setup.oslo), counts(setup.bergen)) == occupancy


class TestCommand:
    @pytest.fixture
    def list_file(self, tmp_path):
        path = tmp_path / "deltakere.csv"
        rows = [
            ["Ola Nordmann", "ola@example.org", "", "", "Bergen", "", ""],
            ["Kari Nordmann", "kari@example.org", "+4791234567", "", "Oslo", "Har plass", "migrene"],
        ]
        path.write_bytes(csv_upload(rows).read())
        return path

    def call(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("import_participants", *map(str, args), stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_the_dry_run_prints_the_summary_and_stores_nothing(self, setup, list_file):
        out, _err = self.call(list_file, "--offering", setup.offering.slug, "--dry-run")
        assert re.search(r"\b1\b.*\b0\b.*\b1\b.*\b0\b", out)  # 1 new, 0 updated, 1 unchanged, 0 errors
        assert not Registration.objects.filter(email="ola@example.org").exists()

    def test_the_import_stores_and_counts(self, setup, list_file):
        out, _err = self.call(list_file, "--offering", setup.offering.pk)
        assert "Hodepineskolen" in out
        assert Registration.objects.get(email="ola@example.org").group == setup.bergen
        assert counts(setup.bergen) == (1, 0)

    def test_errors_are_listed_and_nothing_is_stored(self, setup, tmp_path):
        path = tmp_path / "feil.csv"
        rows = [["Ola", "ola@example.org", "", "", "Bergen", "", ""], ["Per", "per@", "", "", "Oslo", "", ""]]
        path.write_bytes(csv_upload(rows).read())
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command(
                "import_participants",
                str(path),
                "--offering",
                setup.offering.slug,
                stdout=io.StringIO(),
                stderr=err,
            )
        assert "3" in err.getvalue() and "E-post" in err.getvalue() and "per@" in err.getvalue()
        assert not Registration.objects.filter(email="ola@example.org").exists()

    def test_a_slug_shared_by_two_offerings_is_refused_with_their_paths(self, setup, catalogue, list_file):
        other_catalogue = OfferingPageFactory(parent=catalogue, title="Annet", slug="annet")
        OfferingPageFactory(parent=other_catalogue, title="Hodepineskolen", slug=setup.offering.slug)
        with pytest.raises(CommandError) as caught:
            self.call(list_file, "--offering", setup.offering.slug)
        assert setup.offering.url_path in str(caught.value)
        assert "/annet/" in str(caught.value)

    def test_the_row_limit_can_be_raised(self, setup, settings, list_file):
        settings.LMS_IMPORT_MAX_ROWS = 1
        with pytest.raises(CommandError):
            self.call(list_file, "--offering", setup.offering.slug)
        self.call(list_file, "--offering", setup.offering.slug, "--max-rows", 2)
        assert Registration.objects.filter(email="ola@example.org").exists()

    def test_an_unreadable_file_is_refused(self, setup, tmp_path):
        path = tmp_path / "bilde.csv"
        path.write_bytes(PNG)
        with pytest.raises(CommandError, match="CSV"):
            self.call(path, "--offering", setup.offering.slug)
