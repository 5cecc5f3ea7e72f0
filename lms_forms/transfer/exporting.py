"""Participant lists written out as CSV, CSV for Norwegian Excel, XLSX or JSON, a row at a time.

The columns are those of `ParticipantResource` (headings in the active language, one column per
question on the registration forms) and every value has passed its `neutralise()`. Registrations are
read from the database in chunks (`QuerySet.iterator`), so neither the list nor the file is ever held
in memory whole, and an export costs the same few queries for one registration or fifty thousand.

    write_export(queryset, "xlsx", stream)                  # into an open binary file
    export_response(queryset, "csv", export_filename(offering, "csv"))   # an HTTP download
"""

import csv
import io
import json
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ..services.attendance import with_attendance
from .columns import neutralise
from .resources import ParticipantResource, questions_of

# Registrations fetched from the database at a time.
CHUNK_SIZE = 2000
# Rows gathered into one piece of a streamed response (a few hundred kilobytes at most).
ROWS_PER_PIECE = 500
# Bytes per piece when a finished XLSX file is streamed.
FILE_BLOCK_SIZE = 64 * 1024
# The start of every exported file's name: "deltakere-<offering>-<date>.<extension>".
FILENAME_PREFIX = "deltakere"
# Characters Excel refuses in a sheet's name, and its longest name.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
SHEET_TITLE_LENGTH = 31
UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    extension: str
    content_type: str
    # A zip archive (XLSX) is no use on a terminal: it is only written to a file.
    binary: bool = False

    def __str__(self):
        return str(self.label)


EXPORT_FORMATS = {
    export_format.key: export_format
    for export_format in (
        ExportFormat("csv", _("CSV (comma-separated)"), "csv", "text/csv; charset=utf-8"),
        ExportFormat(
            "csv-semicolon", _("CSV for Excel (semicolon-separated)"), "csv", "text/csv; charset=utf-8"
        ),
        ExportFormat(
            "xlsx",
            _("Excel workbook (XLSX)"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            binary=True,
        ),
        ExportFormat("json", _("JSON"), "json", "application/json"),
    )
}


def get_export_format(export_format):
    """The ExportFormat for a key of EXPORT_FORMATS (or the format itself); ValueError when unknown."""
    if isinstance(export_format, ExportFormat):
        return export_format
    try:
        return EXPORT_FORMATS[export_format]
    except KeyError:
        raise ValueError(
            _("Unknown export format %(format)s; choose one of: %(formats)s.")
            % {"format": export_format, "formats": ", ".join(EXPORT_FORMATS)}
        ) from None


def export_filename(offering=None, export_format="csv", date=None):
    """ "deltakere-<offering's slug>-<YYYY-MM-DD>.<extension>", dated today in Norwegian time.

    Without an offering (a list that spans several), the slug is left out.
    """
    export_format = get_export_format(export_format)
    date = date or timezone.localdate()
    parts = [FILENAME_PREFIX, offering.slug if offering is not None else None, date.isoformat()]
    return "-".join(part for part in parts if part) + "." + export_format.extension


def participant_resource(queryset, export_format):
    """A ParticipantResource with one column for each question asked of the registrations in `queryset`;
    its values neutralised for spreadsheets, or (JSON) as stored."""
    return ParticipantResource(
        questions=questions_of(queryset.order_by().values("offering").distinct()),
        for_spreadsheet=get_export_format(export_format).key != "json",
    )


class ParticipantRows:
    """The headings and rows of one export; the rows are read from the database as they are asked for.

    `count` is the number of rows handed out so far; `progress`, when given, is called with 1 for each.
    """

    def __init__(self, queryset, export_format, resource=None, progress=None):
        self.queryset = queryset
        self.resource = resource if resource is not None else participant_resource(queryset, export_format)
        self.progress = progress
        self.count = 0

    def headers(self):
        # An editor's question may be labelled like a formula, too.
        return [self.resource.written(heading) for heading in self.resource.get_export_headers()]

    def __iter__(self):
        for registration in self._registrations():
            row = self.resource.export_resource(registration)
            self.count += 1
            if self.progress is not None:
                self.progress(1)
            yield row

    def _registrations(self):
        queryset = self.queryset
        if not isinstance(queryset, QuerySet):
            return iter(queryset)
        # The resource reads only the registration's own columns (group_name, form_data) and the
        # attendance counted in the same query, so no join is needed; a queryset that prefetches is
        # still read in chunks (iterator honours chunk_size).
        if "sessions_attended" not in queryset.query.annotations:
            queryset = with_attendance(queryset)
        return queryset.iterator(chunk_size=CHUNK_SIZE)


# Text formats: pieces of bytes, each a whole number of rows encoded as UTF-8.


def _csv_pieces(rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    # The byte order mark tells Excel the file is UTF-8 (æ, ø and å are garbled without it).
    buffer.write(UTF8_BOM)
    writer.writerow(rows.headers())
    yield _take(buffer)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % ROWS_PER_PIECE == 0:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


def _json_keys(headers):
    """The headings as object keys; a heading that occurs twice gets " (2)", " (3)"... after it."""
    keys, seen = [], set()
    for heading in headers:
        key, number = heading, 1
        while key in seen:
            number += 1
            key = f"{heading} ({number})"
        seen.add(key)
        keys.append(key)
    return keys


def _json_pieces(rows):
    keys = _json_keys(rows.headers())
    parts = ["["]
    for count, row in enumerate(rows):
        record = json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False, cls=DjangoJSONEncoder)
        parts.append(("\n" if count == 0 else ",\n") + record)
        if len(parts) >= ROWS_PER_PIECE:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


# XLSX: openpyxl's write-only workbook keeps only the row being written in memory.


def _sheet_title():
    title = SHEET_TITLE_FORBIDDEN.sub("", str(_("Participants")))[:SHEET_TITLE_LENGTH]
    return title or "Sheet1"


def _xml_text(value):
    """Text as XML can hold it. The characters it cannot are dropped; when that leaves text that starts
    like a formula, it is neutralised (the resource has already neutralised what it was given)."""
    text = str(value)
    kept = ILLEGAL_CHARACTERS_RE.sub("", text)
    return neutralise(kept) if kept != text else kept


def _xlsx_cell(sheet, value, font=None):
    if value is None or isinstance(value, bool | int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = _xml_text(value)
        cell = WriteOnlyCell(sheet, value=text or None)  # no text: an empty cell
        if text:
            # Always a string: openpyxl would otherwise store text starting with "=" as a formula and
            # text such as "#N/A" as an error value.
            cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def write_xlsx(rows, stream):
    """Write the rows as one sheet with a bold, frozen heading row to a binary stream."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title())
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, heading, bold) for heading in rows.headers()])
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    workbook.save(stream)


def _xlsx_value(sheet, value):
    """A row's value as openpyxl should write it: plain where it cannot be misread, else a string cell.

    Building a cell for every value costs a third of a large export; after neutralise() no text starts
    with "=", so only text that reads as an error value (e.g. "#N/A") needs a cell of its own.
    """
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = _xml_text(value)
    if not text:
        return None
    return _xlsx_cell(sheet, text) if text in ERROR_CODES else text


def _xlsx_pieces(rows):
    with _xlsx_file(rows) as file:
        while block := file.read(FILE_BLOCK_SIZE):
            yield block


def _xlsx_file(rows):
    """The workbook in an open temporary file, read from its start; the caller closes it."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - a FileResponse sends and closes it
    try:
        write_xlsx(rows, file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file


def _pieces(rows, export_format):
    if export_format.key == "csv":
        return _csv_pieces(rows, ",")
    if export_format.key == "csv-semicolon":
        return _csv_pieces(rows, ";")
    if export_format.key == "json":
        return _json_pieces(rows)
    return _xlsx_pieces(rows)


def _in_language(pieces, language):
    """Make each piece with `language` active, but leave the thread's language alone in between."""
    pieces = iter(pieces)
    while True:
        with translation.override(language):
            piece = next(pieces, None)
        if piece is None:
            return
        yield piece


# Public entry points.


def iter_export(queryset, export_format, resource=None, progress=None):
    """The export file as an iterator of bytes, for a StreamingHttpResponse or a file.

    Headings and status labels are in the language active when this is called, whenever the iterator
    is read. `resource` defaults to participant_resource(queryset).
    """
    export_format = get_export_format(export_format)
    rows = ParticipantRows(queryset, export_format, resource, progress)
    return _in_language(_pieces(rows, export_format), translation.get_language())


def write_export(queryset, export_format, stream, resource=None, progress=None):
    """Write the export to a binary stream (an open file, sys.stdout.buffer); return the rows written.

    `progress`, when given, is called with 1 for each row (e.g. a tqdm bar's `update`).
    """
    export_format = get_export_format(export_format)
    rows = ParticipantRows(queryset, export_format, resource, progress)
    if export_format.binary:
        write_xlsx(rows, stream)
    else:
        for piece in _pieces(rows, export_format):
            stream.write(piece)
    return rows.count


def export_response(queryset, export_format, filename=None, resource=None):
    """An HTTP download of the export; rows are read from the database while the response is sent.

    CSV and JSON stream as they are written; an XLSX file is written to a temporary file first (a zip
    archive is finished only at its end) and sent from there. Caches are told not to keep it.
    """
    export_format = get_export_format(export_format)
    return rows_response(ParticipantRows(queryset, export_format, resource), export_format, filename)


def rows_response(rows, export_format, filename=None):
    """An HTTP download of any `rows`: an object with `headers()` and rows when iterated, their values
    already neutralised for spreadsheets (see ParticipantRows)."""
    export_format = get_export_format(export_format)
    filename = filename or export_filename(None, export_format)
    if export_format.binary:
        response = FileResponse(
            _xlsx_file(rows), as_attachment=True, filename=filename, content_type=export_format.content_type
        )
    else:
        response = StreamingHttpResponse(
            _in_language(_pieces(rows, export_format), translation.get_language()),
            content_type=export_format.content_type,
        )
        response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_store=True)
    return response
