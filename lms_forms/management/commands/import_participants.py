"""Import a participant list into one offering: `manage.py import_participants FILE --offering SLUG`.

The file is a CSV file or an Excel workbook (.xlsx), read as in the admin's import. `--dry-run` shows what
would happen and stores nothing. Any error in any row stores nothing and ends with a non-zero exit
status; the errors are listed with their row, column and value.
"""

import math
from pathlib import Path

from django.core.files import File
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from lms_forms.management.participant_command import ParticipantCommand
from lms_forms.transfer.files import (
    ImportFileError,
    max_bytes_setting,
    max_rows_setting,
    read_participant_file,
)
from lms_forms.transfer.importing import import_participants


class Command(ParticipantCommand):
    help = (
        "Import a participant list (CSV or XLSX) into one offering. People are matched by email: updated, "
        "never duplicated. All rows are stored, or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (.csv) or Excel (.xlsx) file.")
        parser.add_argument(
            "--offering",
            required=True,
            help="The offering page's slug, or its page id when several offerings share a slug.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; store nothing.")
        parser.add_argument(
            "--allow-over-capacity",
            action="store_true",
            help="Import even when the list gives more people a place than a group has (stops otherwise).",
        )
        parser.add_argument(
            "--max-rows",
            type=int,
            default=None,
            help=(
                "The most rows of participants to read (default: the setting LMS_IMPORT_MAX_ROWS). A larger "
                "number raises the file size limit (LMS_IMPORT_MAX_BYTES) in proportion."
            ),
        )
        self.add_language_and_progress_arguments(
            parser,
            language_help="The language of the messages (default: %(default)s). Headings may be in any of them.",
        )

    def handle(
        self,
        *args,
        file,
        offering,
        dry_run,
        allow_over_capacity,
        max_rows,
        language,
        progress,
        site,
        **options,
    ):
        with translation.override(language):
            offering = self.find_offering(offering, self.site_scope(site))
            max_bytes = max_bytes_setting()
            if max_rows is None:
                max_rows = max_rows_setting()
            elif max_rows < 1:
                raise CommandError(_("--max-rows must be at least 1."))
            elif max_rows > max_rows_setting():
                max_bytes = math.ceil(max_bytes * max_rows / max_rows_setting())
            path = Path(file).expanduser()
            if not path.is_file():
                raise CommandError(_("There is no file %(file)s.") % {"file": path})
            try:
                with path.open("rb") as stream:
                    dataset = read_participant_file(
                        File(stream, name=path.name), max_bytes=max_bytes, max_rows=max_rows
                    )
                bar = self.progress_bar(len(dataset), offering, progress)
                with bar:
                    report = import_participants(
                        offering,
                        dataset,
                        dry_run=dry_run,
                        progress=bar.update,
                        allow_over_capacity=allow_over_capacity,
                    )
            except ImportFileError as error:
                raise CommandError(error.message) from None
            except OSError as error:
                raise CommandError(
                    _("Could not read %(file)s: %(error)s") % {"file": path, "error": error}
                ) from None
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
            for error in report.errors:
                self.stderr.write(self.style.ERROR(str(error)))
            self.stdout.write(self.summary(report, offering))
            if report.has_errors:
                raise CommandError(
                    _("Nothing was imported: correct the errors above and run the import again.")
                )

    def summary(self, report, offering):
        counts = {
            "offering": offering.title,
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        }
        if report.dry_run:
            text = _(
                "Dry run for %(offering)s, nothing stored: %(new)d new, %(updated)d updated, "
                "%(unchanged)d unchanged, %(errors)d errors."
            )
        else:
            text = _(
                "Imported into %(offering)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(errors)d errors."
            )
        return text % counts
