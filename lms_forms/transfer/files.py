"""Reading a participant file (CSV or an Excel workbook) within limits, before anything is imported.

    dataset = read_participant_file(uploaded_file)   # ImportFileError if it cannot be read

Limits (settings): LMS_IMPORT_MAX_BYTES (default 5 MB) and LMS_IMPORT_MAX_ROWS (default 20,000). A
workbook is checked for its unpacked size and its rows before openpyxl reads it, so a small zip that
unpacks to gigabytes, or a sheet of a million empty rows, is refused at once.
"""

import csv
import datetime
import io
import re
import warnings
import zipfile
import zlib
from pathlib import Path

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, ngettext

from ..validators import C0_CONTROLS
from .columns import cell_text

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# Empty rows a file may have besides its participants (they are skipped, but still have to be read).
BLANK_ROWS_ALLOWED = 1000
MAX_COLUMNS = 500
# A workbook unpacks to many times its size; beyond this (per row allowed, or in all) it is refused.
UNPACKED_BYTES_PER_ROW = 4096
UNPACKED_BYTES_MIN = 64 * 1024 * 1024
READ_BLOCK = 1024 * 1024
CSV_DELIMITERS = (",", ";", "\t")
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
# The first bytes of files that are certainly not CSV text.
BINARY_SIGNATURES = (
    b"PK\x03\x04",  # zip, e.g. an .xlsx or .docx
    b"\xd0\xcf\x11\xe0",  # old Office files (.xls, .doc)
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
)
SEPARATOR_HINT = re.compile(r"sep=(.)(?:\r\n|\n|\r|$)", re.IGNORECASE)
SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?\"")
ROW_START = re.compile(rb"<(?:\w{1,16}:)?row[\s/>]")
ROW_START_LONGEST = 22
SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s/>]")


class ImportFileError(ValidationError):
    """The file or the offering cannot be imported at all; `message` says why, in the active language."""

    def __init__(self, message):
        super().__init__(str(message), code="import")


class ParticipantDataset(tablib.Dataset):
    """The rows of a participant file, with where each row is in the file (the headings are row 1)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_numbers = []


def max_bytes_setting():
    return int(getattr(settings, "LMS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows_setting():
    return int(getattr(settings, "LMS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


# Reading the file


def read_participant_file(uploaded_file, *, max_bytes=None, max_rows=None):
    """The rows of an uploaded CSV or XLSX file as a ParticipantDataset; ImportFileError if it cannot be.

    `uploaded_file`: a Django UploadedFile or File (anything with `name` and `read()`). The limits default
    to the settings LMS_IMPORT_MAX_BYTES and LMS_IMPORT_MAX_ROWS. Fully blank rows are skipped.
    """
    max_bytes = max_bytes_setting() if max_bytes is None else max_bytes
    max_rows = max_rows_setting() if max_rows is None else max_rows
    extension = Path(getattr(uploaded_file, "name", "") or "").suffix.lower()
    if extension == ".xls":
        raise ImportFileError(
            gettext(
                "Old Excel files (.xls) cannot be read. Save the list as an Excel workbook (.xlsx) or as CSV."
            )
        )
    if extension not in (".csv", ".xlsx"):
        raise ImportFileError(gettext("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(size, max_bytes)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise ImportFileError(gettext("The file is empty."))
    dataset = _read_xlsx(data, max_rows) if extension == ".xlsx" else _read_csv(data, max_rows)
    if not dataset.headers:
        raise ImportFileError(gettext("The file is empty."))
    if not len(dataset):
        raise ImportFileError(gettext("The file has headings but no rows of participants below them."))
    return dataset


def _too_big(size, max_bytes):
    return ImportFileError(
        gettext(
            "The file is %(size)s; at most %(max)s can be imported at once. Split the list into smaller files."
        )
        % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)}
    )


def _too_many_rows(max_rows):
    return ImportFileError(
        ngettext(
            "The file has more than %(max)d row of participants; split it into smaller files.",
            "The file has more than %(max)d rows of participants; split it into smaller files.",
            max_rows,
        )
        % {"max": max_rows}
    )


def _too_many_blank_rows(max_rows):
    return ImportFileError(
        gettext(
            "The sheet has more than %(max)d rows, counting empty ones. Delete the empty rows below the list, "
            "or split it into smaller files."
        )
        % {"max": max_rows + 1 + BLANK_ROWS_ALLOWED}
    )


def _not_csv():
    return ImportFileError(
        gettext(
            "This is not a CSV text file. Save the list as CSV (UTF-8) or as an Excel workbook (.xlsx), and "
            "give the file the right ending."
        )
    )


def _decode(data):
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        raise _not_csv()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if C0_CONTROLS.search(text):
            raise _not_csv()
        return text
    raise ImportFileError(gettext("The file's characters cannot be read. Save it as CSV in UTF-8."))


def _delimiter(line):
    """The separator that splits the heading row into the most columns (a comma when in doubt)."""
    best, most = ",", 1
    for delimiter in CSV_DELIMITERS:
        try:
            columns = len(next(csv.reader([line], delimiter=delimiter), []))
        except csv.Error:
            continue
        if columns > most:
            best, most = delimiter, columns
    return best


def _blank(values):
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _read_csv(data, max_rows):
    text = _decode(data)
    hint = SEPARATOR_HINT.match(text)  # Excel's "sep=;" line
    if hint:
        text = text[hint.end() :]
        delimiter = hint.group(1)
    else:
        first_line = next((line for line in io.StringIO(text) if line.strip()), "")
        delimiter = _delimiter(first_line)
    dataset = ParticipantDataset()
    rows, numbers, width = [], [], None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, values in enumerate(reader, 1):
            if _blank(values):
                if width is None and number > BLANK_ROWS_ALLOWED:
                    break
                continue
            if width is None:
                headers = [value.strip() for value in values]
                while headers and not headers[-1]:
                    headers.pop()
                _check_width(len(headers))
                width = len(headers)
                continue
            if len(rows) >= max_rows:
                raise _too_many_rows(max_rows)
            if len(values) < width:
                values = values + [""] * (width - len(values))
            rows.append(values[:width])
            numbers.append(number)
    except csv.Error as error:
        raise ImportFileError(
            gettext("The CSV file cannot be read at row %(row)d: %(error)s")
            % {"row": number + 1, "error": error}
        ) from None
    if width is None:
        return dataset
    dataset.headers = headers
    dataset.extend(rows)
    dataset.row_numbers = numbers
    return dataset


def _check_width(width):
    if width > MAX_COLUMNS:
        raise ImportFileError(
            gettext("The file has %(count)d columns; at most %(max)d can be read.")
            % {"count": width, "max": MAX_COLUMNS}
        )


def _read_xlsx(data, max_rows):
    most_rows = max_rows + 1 + BLANK_ROWS_ALLOWED  # headings, participants and some empty rows
    not_a_workbook = ImportFileError(
        gettext("This is not an Excel workbook (.xlsx) that can be read. Open it in Excel and save it again.")
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise not_a_workbook
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > max(UNPACKED_BYTES_MIN, UNPACKED_BYTES_PER_ROW * most_rows):
            raise ImportFileError(
                gettext(
                    "The workbook is too large when unpacked (%(size)s). Split the list into smaller files."
                )
                % {"size": filesizeformat(unpacked)}
            )
        # Before openpyxl reads the workbook (it would walk every row of a sheet without a size), make
        # sure no sheet says it has, or has, more rows than can be imported.
        for name in names:
            if SHEET_PART.fullmatch(name):
                _check_sheet_rows(archive, name, most_rows, max_rows)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise not_a_workbook from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl fails on, the file is not a workbook it can read
        raise not_a_workbook from None
    try:
        return _read_sheet(workbook, max_rows, most_rows)
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet: refuse it like any unreadable workbook
        raise not_a_workbook from None
    finally:
        workbook.close()


def _check_sheet_rows(archive, name, most_rows, max_rows):
    """Refuse a sheet whose stated size, or whose number of rows, is beyond the limit; stop early."""
    with archive.open(name) as sheet:
        block = sheet.read(READ_BLOCK)
        data_start = SHEET_DATA.search(block)
        dimension = DIMENSION.search(block, 0, data_start.start() if data_start else len(block))
        if dimension:
            last_row = dimension.group(4) or dimension.group(2)
            if last_row and int(last_row) > most_rows:
                raise _too_many_blank_rows(max_rows)
        # Count the row elements block by block; a match that may run into the next block is counted
        # with that block.
        count, text = 0, b""
        while block:
            text += block
            cut = max(len(text) - ROW_START_LONGEST, 0)
            count += sum(1 for match in ROW_START.finditer(text) if match.start() < cut)
            if count > most_rows:
                raise _too_many_blank_rows(max_rows)
            text = text[cut:]
            block = sheet.read(READ_BLOCK)
        if count + len(ROW_START.findall(text)) > most_rows:
            raise _too_many_blank_rows(max_rows)


def _sheet_value(value):
    """A workbook cell as the import reads it: dates stay dates, everything else becomes text as it
    reads in the cell (the resource trims it and removes an export's formula apostrophe)."""
    if value is None or isinstance(value, str | datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _read_sheet(workbook, max_rows, most_rows):
    sheet = workbook.active
    if sheet is None or not hasattr(sheet, "iter_rows"):
        sheet = next(iter(workbook.worksheets), None)
    dataset = ParticipantDataset()
    if sheet is None:
        return dataset
    # A sheet's stated size may be wrong (some programs write "A1"); read what is there instead.
    sheet.reset_dimensions()
    header_row, headers = None, []
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), 1):
        if number > most_rows:
            raise _too_many_blank_rows(max_rows)
        if not _blank(values):
            header_row = number
            headers = [cell_text(value) for value in values]
            break
    if header_row is None:
        return dataset
    while headers and not headers[-1]:
        headers.pop()
    _check_width(len(headers))
    width = len(headers)
    rows, numbers = [], []
    values_by_row = sheet.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)
    for number, values in enumerate(values_by_row, header_row + 1):
        if number > most_rows:
            raise _too_many_blank_rows(max_rows)
        if _blank(values):
            continue
        if len(rows) >= max_rows:
            raise _too_many_rows(max_rows)
        rows.append([_sheet_value(value) for value in values])
        numbers.append(number)
    dataset.headers = headers
    dataset.extend(rows)
    dataset.row_numbers = numbers
    return dataset


# Importing the rows
