"""Export one offering's participant list: `manage.py export_participants --offering SLUG --format xlsx -o FILE`.

The file is written next to its destination under a temporary name, readable by its owner only, and
renamed into place when it is complete: an export that fails leaves no file behind. CSV and JSON go to
standard output when no file is named.
"""

import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms_forms import audit
from lms_forms.management.participant_command import ParticipantCommand
from lms_forms.models import Registration
from lms_forms.transfer.exporting import EXPORT_FORMATS, write_export

STDOUT = "-"


class Command(ParticipantCommand):
    help = (
        "Export the participants of one offering as CSV, CSV for Norwegian Excel (semicolons), XLSX or "
        "JSON, to a file or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--offering",
            required=True,
            help="The offering page's slug, or its page id when several offerings share a slug.",
        )
        parser.add_argument(
            "--format",
            dest="export_format",
            default="csv",
            choices=list(EXPORT_FORMATS),
            help="The file format (default: csv).",
        )
        parser.add_argument(
            "--output",
            "-o",
            default=STDOUT,
            help="The file to write; standard output when left out or '-' (not for xlsx).",
        )
        self.add_language_and_progress_arguments(
            parser, language_help="The language of the headings and statuses (default: %(default)s)."
        )

    def handle(self, *args, offering, export_format, output, language, progress, site, **options):
        with translation.override(language):
            if export_format not in EXPORT_FORMATS:
                raise CommandError(
                    _("Unknown format %(format)s; choose one of: %(formats)s.")
                    % {"format": export_format, "formats": ", ".join(EXPORT_FORMATS)}
                )
            export_format = EXPORT_FORMATS[export_format]
            path = self.destination(output, export_format)
            offering = self.find_offering(offering, self.site_scope(site))
            queryset = Registration.objects.filter(offering=offering)
            bar = self.progress_bar(queryset.count(), offering, progress)
            with bar:
                if path is None:
                    rows = self.write_to_stdout(queryset, export_format, bar.update)
                else:
                    rows = self.write_to_file(path, queryset, export_format, bar.update)
            audit.log_for_offerings(audit.EXPORTED, None, {offering.pk: rows}, format=export_format.key)
            summary = ngettext(
                "Wrote %(rows)d participant to %(file)s.", "Wrote %(rows)d participants to %(file)s.", rows
            ) % {"rows": rows, "file": path if path is not None else _("standard output")}
            if options["verbosity"] > 0:
                # With the list on standard output, the summary must not end up in it.
                (self.stderr if path is None else self.stdout).write(summary)

    def destination(self, output, export_format):
        """The file to write, checked before anything is read; None for standard output."""
        if output in (None, "", STDOUT):
            if export_format.binary:
                raise CommandError(
                    _("%(format)s cannot be written to standard output; name a file with --output.")
                    % {"format": export_format.key}
                )
            return None
        path = Path(output).expanduser().absolute()
        if path.is_dir():
            raise CommandError(_("%(path)s is a folder; name a file.") % {"path": path})
        if not path.parent.is_dir():
            raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
        return path

    def write_to_stdout(self, queryset, export_format, progress):
        binary = getattr(self.stdout, "buffer", None)
        if binary is not None:
            self.stdout.flush()
            rows = write_export(queryset, export_format, binary, progress=progress)
            binary.flush()
            return rows
        # A text stream (e.g. io.StringIO): each piece is whole UTF-8, so it decodes on its own.
        stream = _TextStream(self.stdout)
        rows = write_export(queryset, export_format, stream, progress=progress)
        self.stdout.flush()
        return rows

    def write_to_file(self, path, queryset, export_format, progress):
        try:
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        except OSError as error:
            raise CommandError(
                _("Could not write to %(folder)s: %(error)s") % {"folder": path.parent, "error": error}
            ) from error
        try:
            with os.fdopen(descriptor, "wb") as stream:
                rows = write_export(queryset, export_format, stream, progress=progress)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise CommandError(
                    _("Could not write %(file)s: %(error)s") % {"file": path, "error": error}
                ) from error
            raise
        return rows


class _TextStream:
    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, piece):
        self.wrapper.write(piece.decode("utf-8"), ending="")
