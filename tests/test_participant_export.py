"""Participant lists exported as CSV, semicolon CSV, XLSX and JSON, and `manage.py export_participants`.

Every format is read back with the library a recipient would use (csv, openpyxl, json); values that a
spreadsheet would run as formulas come out as plain text with a leading apostrophe.
"""

import csv
import datetime
import io
import json
import types

import openpyxl
import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from wagtail.models import Page

from lms_forms.choices import RegistrationSource, RegistrationStatus
from lms_forms.models import Registration, RegistrationFormField, RegistrationFormPage
from lms_forms.transfer.exporting import (
    EXPORT_FORMATS,
    export_filename,
    export_response,
    iter_export,
    participant_resource,
    write_export,
)
from tests.factories import CataloguePageFactory, OfferingPageFactory, add_group, oslo

HEADINGS_NB = ["Påmeldt", "Navn", "E-post", "Telefon", "Fødselsdato", "Gruppe", "Status"]
HEADINGS_EN = ["Registered", "Name", "Email", "Phone", "Date of birth", "Group", "Status"]
TYPED_COLUMNS = 11
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
BOM = b"\xef\xbb\xbf"


def make_offering(parent, title="Hodepineskolen", slug=None, questions=("Diagnose", "Hva vil du lære?")):
    """An offering with a group and a registration form asking the editor's own questions."""
    offering = OfferingPageFactory(parent=parent, title=title, **({"slug": slug} if slug else {}))
    group = add_group(offering, "Oslo", places=20, sessions=[oslo(2030, 1, 15, 18)])
    page = offering.add_child(instance=RegistrationFormPage(title="Påmelding", slug="pamelding"))
    fields = [
        RegistrationFormField.objects.create(
            page=page, label=label, field_type="singleline", sort_order=number
        )
        for number, label in enumerate(questions)
    ]
    return types.SimpleNamespace(offering=offering, group=group, page=page, fields=fields)


def register(setup, number=1, *, answers=None, **fields):
    values = {
        "page": setup.page,
        "offering": setup.offering,
        "group": setup.group,
        "group_name": setup.group.name,
        "name": f"Deltaker {number}",
        "email": f"deltaker{number}@example.org",
        "phone": "+4791234567",
        "birth_date": datetime.date(1990, 5, 17),
        "status": RegistrationStatus.PLACE,
        "notice_version": 2,
        "form_data": answers if answers is not None else {},
    }
    values.update(fields)
    return Registration.objects.create(**values)


@pytest.fixture
def setup(catalogue):
    return make_offering(catalogue)


@pytest.fixture
def registrations(setup):
    diagnosis, wish = (field.clean_name for field in setup.fields)
    return [
        register(
            setup,
            1,
            name="Kari Nordmann",
            email="kari@example.org",
            note="Ønsker tolk",
            answers={diagnosis: "migrene", wish: ["mestring", "søvn"]},
        ),
        register(
            setup,
            2,
            name="Ola Nordmann",
            email="ola@example.org",
            phone="",
            birth_date=None,
            status=RegistrationStatus.WAITING,
            source=RegistrationSource.IMPORT,
            answers={diagnosis: "hodepine"},
        ),
    ]


def queryset_of(setup):
    return Registration.objects.filter(offering=setup.offering)


def export_bytes(queryset, export_format, **kwargs):
    stream = io.BytesIO()
    write_export(queryset, export_format, stream, **kwargs)
    return stream.getvalue()


def read_csv(data, delimiter=","):
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def read_xlsx(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return sheet, [list(row) for row in sheet.iter_rows()]


def values_of(cells):
    return [cell.value for cell in cells]


# Each format, read back


def test_csv_has_a_bom_the_headings_and_one_row_per_registration(setup, registrations):
    data = export_bytes(queryset_of(setup), "csv")
    rows = read_csv(data)
    assert rows[0][:7] == HEADINGS_NB
    assert rows[0][TYPED_COLUMNS:] == ["Diagnose", "Hva vil du lære?"]
    assert len(rows) == 3
    kari, ola = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert kari["Navn"] == "Kari Nordmann"
    assert kari["E-post"] == "kari@example.org"
    assert kari["Telefon"] == "'+4791234567"  # "+" starts a formula: kept as text
    assert kari["Fødselsdato"] == "17.05.1990"
    assert kari["Gruppe"] == "Oslo"
    assert kari["Status"] == "Har plass"
    assert kari["Godtatt versjon av informasjonen"] == "2"
    assert kari["Diagnose"] == "migrene"
    assert kari["Hva vil du lære?"] == "mestring, søvn"
    assert ola["Status"] == "På venteliste"
    assert ola["Fødselsdato"] == ""
    assert ola["Hva vil du lære?"] == ""
    assert b"\r\n" in data and b";" not in data.split(b"\r\n")[0]


def test_semicolon_csv_for_norwegian_excel_holds_the_same_cells(setup, registrations):
    data = export_bytes(queryset_of(setup), "csv-semicolon")
    first_line = data.split(b"\r\n")[0]
    assert first_line.startswith(BOM + "Påmeldt;Navn;E-post".encode())
    assert read_csv(data, delimiter=";") == read_csv(export_bytes(queryset_of(setup), "csv"))


def test_xlsx_is_a_workbook_with_a_heading_row_and_typed_cells(setup, registrations):
    sheet, rows = read_xlsx(export_bytes(queryset_of(setup), "xlsx"))
    assert values_of(rows[0])[:7] == HEADINGS_NB
    assert values_of(rows[0])[TYPED_COLUMNS:] == ["Diagnose", "Hva vil du lære?"]
    assert all(cell.font.bold for cell in rows[0])
    assert sheet.freeze_panes == "A2"
    kari = dict(zip(values_of(rows[0]), rows[1], strict=True))
    assert kari["Navn"].value == "Kari Nordmann"
    assert kari["Status"].value == "Har plass"
    assert kari["Godtatt versjon av informasjonen"].value == "2"
    assert kari["Hva vil du lære?"].value == "mestring, søvn"
    assert rows[1][TYPED_COLUMNS - 1].value == "Ønsker tolk"  # the note, the last typed column
    assert len(rows) == 3


def test_json_is_an_array_of_objects_keyed_by_the_headings(setup, registrations):
    data = export_bytes(queryset_of(setup), "json")
    assert not data.startswith(BOM)
    records = json.loads(data.decode("utf-8"))
    assert [record["Navn"] for record in records] == ["Kari Nordmann", "Ola Nordmann"]
    assert list(records[0])[:7] == HEADINGS_NB
    assert records[0]["Diagnose"] == "migrene"
    assert records[0]["Godtatt versjon av informasjonen"] == "2"
    assert records[1]["Status"] == "På venteliste"


def test_an_empty_list_gives_the_headings_or_an_empty_array(setup):
    assert read_csv(export_bytes(queryset_of(setup), "csv")) == [
        participant_resource(queryset_of(setup), "csv").get_export_headers()
    ]
    assert json.loads(export_bytes(queryset_of(setup), "json")) == []
    _sheet, rows = read_xlsx(export_bytes(queryset_of(setup), "xlsx"))
    assert len(rows) == 1


def test_headings_and_statuses_follow_the_active_language(setup, registrations):
    with translation.override("en"):
        rows = read_csv(export_bytes(queryset_of(setup), "csv"))
    assert rows[0][:7] == HEADINGS_EN
    assert rows[1][6] == "Has a place"
    assert read_csv(export_bytes(queryset_of(setup), "csv"))[0][:7] == HEADINGS_NB


def test_a_streamed_export_keeps_the_language_it_was_made_in(setup, registrations):
    with translation.override("en"):
        pieces = iter_export(queryset_of(setup), "json")
    records = json.loads(b"".join(pieces))
    assert "Name" in records[0] and records[0]["Status"] == "Has a place"
    assert translation.get_language() == "nb"


def test_one_column_per_question_on_the_form(setup, registrations):
    RegistrationFormField.objects.create(
        page=setup.page, label="Allergier", field_type="singleline", sort_order=9
    )
    headers = read_csv(export_bytes(queryset_of(setup), "csv"))[0]
    assert headers[TYPED_COLUMNS:] == ["Diagnose", "Hva vil du lære?", "Allergier"]
    assert len(headers) == len(set(headers))


def test_json_keys_stay_apart_when_a_question_repeats_a_heading(setup, registrations):
    RegistrationFormField.objects.create(page=setup.page, label="Navn", field_type="singleline", sort_order=9)
    clean_name = RegistrationFormField.objects.get(page=setup.page, label="Navn").clean_name
    Registration.objects.filter(pk=registrations[0].pk).update(form_data={clean_name: "Kallenavn"})
    record = json.loads(export_bytes(queryset_of(setup), "json"))[0]
    assert record["Navn"] == "Kari Nordmann"
    assert record["Navn (2)"] == "Kallenavn"


# Formulas


@pytest.fixture
def formula_registrations(setup):
    diagnosis, _wish = (field.clean_name for field in setup.fields)
    return [
        register(setup, number, name=value, note=value, answers={diagnosis: value})
        for number, value in enumerate(FORMULAS)
    ]


def test_xlsx_stores_formula_like_values_as_text_with_an_apostrophe(setup, formula_registrations):
    _sheet, rows = read_xlsx(export_bytes(queryset_of(setup), "xlsx"))
    headings = values_of(rows[0])
    columns = [headings.index("Navn"), headings.index("Diagnose"), TYPED_COLUMNS - 1]  # note is last typed
    assert len(rows) == 1 + len(FORMULAS)
    for row, value in zip(rows[1:], FORMULAS, strict=True):
        for column in columns:
            cell = row[column]
            assert cell.data_type == "s", (value, cell.data_type)
            assert cell.value.startswith("'"), (value, cell.value)
            assert cell.value[1:].replace("\n", "\r") == value.replace("\n", "\r")
    assert not any(cell.data_type == "f" for row in rows for cell in row)


def test_xlsx_never_writes_a_formula_even_for_a_value_the_resource_leaves_alone(setup):
    diagnosis, _wish = (field.clean_name for field in setup.fields)
    # An XML control character first: dropped from the cell, and what is left is neutralised again.
    register(setup, 1, name="\x01=1+1", note="#N/A", answers={diagnosis: "'=1+1"})
    _sheet, rows = read_xlsx(export_bytes(queryset_of(setup), "xlsx"))
    row = rows[1]
    headings = values_of(rows[0])
    assert row[headings.index("Navn")].value == "'=1+1"
    # A real leading apostrophe gets one more, so that the value reads back as it is.
    assert row[headings.index("Diagnose")].value == "''=1+1"
    assert row[TYPED_COLUMNS - 1].value == "#N/A"
    assert {cell.data_type for cell in row} <= {"s", "n"}


@pytest.mark.parametrize("export_format", ["csv", "csv-semicolon"])
def test_csv_cells_with_formula_like_values_start_with_an_apostrophe(
    setup, formula_registrations, export_format
):
    delimiter = ";" if export_format == "csv-semicolon" else ","
    rows = read_csv(export_bytes(queryset_of(setup), export_format), delimiter)
    headings = rows[0]
    for row, value in zip(rows[1:], FORMULAS, strict=True):
        for heading in ("Navn", "Diagnose"):
            assert row[headings.index(heading)] == "'" + value
        assert row[TYPED_COLUMNS - 1] == "'" + value


# Queries do not grow with the list


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("export_format", list(EXPORT_FORMATS))
def test_an_export_costs_the_same_queries_for_1_or_50_registrations(
    setup, django_assert_num_queries, monkeypatch, size, export_format
):
    # Small chunks and pieces, so that 50 registrations take several of each.
    monkeypatch.setattr("lms_forms.transfer.exporting.CHUNK_SIZE", 7)
    monkeypatch.setattr("lms_forms.transfer.exporting.ROWS_PER_PIECE", 7)
    diagnosis, _wish = (field.clean_name for field in setup.fields)
    for number in range(size):
        register(setup, number, answers={diagnosis: f"svar {number}"})
    # The questions, then the registrations in one chunked read.
    with django_assert_num_queries(2):
        written = write_export(queryset_of(setup), export_format, io.BytesIO())
    assert written == size
    with django_assert_num_queries(2):
        response = export_response(queryset_of(setup), export_format)
        data = b"".join(response.streaming_content)
        response.close()
    if export_format == "xlsx":
        assert len(read_xlsx(data)[1]) == 1 + size
    elif export_format == "json":
        assert [record["Diagnose"] for record in json.loads(data)] == [f"svar {n}" for n in range(size)]
    else:
        rows = read_csv(data, ";" if export_format == "csv-semicolon" else ",")
        assert [row[TYPED_COLUMNS] for row in rows[1:]] == [f"svar {n}" for n in range(size)]


# HTTP responses and file names


def test_csv_and_json_responses_stream_as_an_attachment(setup, registrations):
    response = export_response(queryset_of(setup), "csv", "deltakere-hodepineskolen-2030-01-15.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="deltakere-hodepineskolen-2030-01-15.csv"'
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(b"".join(response.streaming_content))
    assert [row[1] for row in rows[1:]] == ["Kari Nordmann", "Ola Nordmann"]

    response = export_response(queryset_of(setup), "json", "liste.json")
    assert response["Content-Type"] == "application/json"
    assert len(json.loads(b"".join(response.streaming_content))) == 2


def test_an_xlsx_response_is_a_file_download(setup, registrations):
    response = export_response(queryset_of(setup), "xlsx", "deltakere.xlsx")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == EXPORT_FORMATS["xlsx"].content_type
    assert response["Content-Disposition"] == 'attachment; filename="deltakere.xlsx"'
    assert "no-store" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    response.close()
    assert int(response["Content-Length"]) == len(data)
    _sheet, rows = read_xlsx(data)
    assert len(rows) == 3


def test_a_response_takes_the_resource_it_is_given(setup, registrations):
    resource = participant_resource(Registration.objects.none(), "json")  # no questions
    response = export_response(queryset_of(setup), "json", "liste.json", resource=resource)
    assert "Diagnose" not in json.loads(b"".join(response.streaming_content))[0]


def test_file_names_carry_the_offering_and_the_date(setup):
    day = datetime.date(2030, 1, 15)
    assert export_filename(setup.offering, "csv", day) == "deltakere-hodepineskolen-2030-01-15.csv"
    assert export_filename(setup.offering, "csv-semicolon", day) == "deltakere-hodepineskolen-2030-01-15.csv"
    assert export_filename(None, "xlsx", day) == "deltakere-2030-01-15.xlsx"
    assert export_filename(setup.offering, "json").startswith("deltakere-hodepineskolen-20")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="pdf"):
        export_filename(None, "pdf")
    with pytest.raises(ValueError):
        write_export(Registration.objects.none(), "pdf", io.BytesIO())


# The command


def run(*args, **options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_participants", *args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def test_the_command_writes_a_workbook_and_a_summary(setup, registrations, tmp_path):
    target = tmp_path / "liste.xlsx"
    stdout, _stderr = run(
        "--offering", "hodepineskolen", "--format", "xlsx", "--output", str(target), "--language", "en"
    )
    _sheet, rows = read_xlsx(target.read_bytes())
    assert values_of(rows[0])[:7] == HEADINGS_EN
    assert [row[1].value for row in rows[1:]] == ["Kari Nordmann", "Ola Nordmann"]
    assert f"Wrote 2 participants to {target}." in stdout
    assert [path.name for path in tmp_path.iterdir()] == ["liste.xlsx"]  # no temporary file left
    assert target.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only


@pytest.mark.parametrize("export_format", ["csv", "csv-semicolon", "json"])
def test_the_command_writes_every_text_format_to_a_file(setup, registrations, tmp_path, export_format):
    target = tmp_path / f"liste.{export_format}"
    stdout, stderr = run(offering="hodepineskolen", format=export_format, output=str(target), verbosity=0)
    assert target.read_bytes() == export_bytes(queryset_of(setup), export_format)
    assert stdout == stderr == ""  # no summary at verbosity 0


def test_the_command_writes_csv_to_standard_output_and_the_summary_to_standard_error(setup, registrations):
    stdout, stderr = run("--offering", "hodepineskolen", "--language", "en")
    rows = list(csv.reader(io.StringIO(stdout.removeprefix("\ufeff"), newline="")))
    assert stdout.startswith("\ufeff")
    assert rows[0][:7] == HEADINGS_EN
    assert len(rows) == 3
    assert "Wrote 2 participants to standard output." in stderr
    assert "Wrote" not in stdout


def test_the_command_shows_a_progress_bar_on_request(setup, registrations, tmp_path):
    _stdout, stderr = run(offering="hodepineskolen", output=str(tmp_path / "liste.csv"), progress=True)
    assert "2/2" in stderr
    _stdout, stderr = run(offering="hodepineskolen", output=str(tmp_path / "liste.csv"), progress=False)
    assert "2/2" not in stderr


def test_the_command_takes_a_page_id(setup, registrations, tmp_path):
    target = tmp_path / "liste.json"
    run(offering=str(setup.offering.pk), format="json", output=str(target))
    assert len(json.loads(target.read_bytes())) == 2


def test_the_command_refuses_a_slug_shared_by_several_offerings(setup, registrations, tmp_path):
    other_catalogue = CataloguePageFactory(
        parent=Page.get_first_root_node(), title="Andre kurs", slug="andre"
    )
    other = make_offering(other_catalogue, slug="hodepineskolen").offering
    target = tmp_path / "liste.csv"
    with pytest.raises(CommandError) as error:
        run(offering="hodepineskolen", output=str(target))
    message = str(error.value)
    assert setup.offering.url_path in message and other.url_path in message
    assert str(other.pk) in message
    assert not target.exists()
    run(offering=str(other.pk), output=str(target))
    assert target.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"offering": "finnes-ikke"}, "finnes-ikke"),
        ({"offering": "hodepineskolen", "format": "pdf"}, "pdf"),
        ({"offering": "hodepineskolen", "output": "{tmp}/mangler/liste.csv"}, "mangler"),
        ({"offering": "hodepineskolen", "output": "{tmp}"}, "folder"),
    ],
)
def test_the_command_fails_and_writes_nothing(setup, registrations, tmp_path, options, message):
    options = {key: value.replace("{tmp}", str(tmp_path)) for key, value in options.items()}
    options.setdefault("output", str(tmp_path / "liste.csv"))
    with translation.override("en"), pytest.raises(CommandError, match=message):
        run(language="en", **options)
    assert list(tmp_path.iterdir()) == []


def test_xlsx_needs_an_output_file(setup, registrations):
    with pytest.raises(CommandError, match="--output"):
        run(offering="hodepineskolen", format="xlsx")


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    setup, registrations, tmp_path, monkeypatch
):
    target = tmp_path / "liste.csv"
    target.write_text("forrige eksport")

    def fail(queryset, export_format, stream, **kwargs):
        stream.write(b"halvveis")
        raise RuntimeError("disk full")

    monkeypatch.setattr("lms_forms.management.commands.export_participants.write_export", fail)
    with pytest.raises(RuntimeError):
        run(offering="hodepineskolen", output=str(target))
    assert [path.name for path in tmp_path.iterdir()] == ["liste.csv"]
    assert target.read_text() == "forrige eksport"


def test_from_the_command_line_an_error_exits_non_zero(setup, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(
            ["manage.py", "export_participants", "--offering", "finnes-ikke", "-o", str(tmp_path / "x.csv")]
        )
    assert exit_.value.code == 1
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "export_participants", "--offering", "x", "--format", "pdf"])
    assert exit_.value.code == 2
    assert "pdf" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
