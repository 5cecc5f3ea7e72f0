"""Importing participant lists into one offering, in two steps so that an administrator sees what will
happen before anything is stored:

    dataset = read_participant_file(uploaded_file)                 # transfer.files
    report = import_participants(offering, dataset, dry_run=True)  # the preview: counts and errors
    report = import_participants(offering, dataset)                # the commit: all rows, or none

People are matched by email (case and surrounding spaces do not matter) within the offering: a match is
updated, never duplicated. Headings may be in bokmål, nynorsk or English, or the field keys of
`ParticipantResource`; the editor's questions are matched by their label. A column that matches nothing
is ignored with a warning; a file without a name or an email column is refused. Any error in any row
stores nothing. Imported people hold places: the groups are locked for the import, their places counted
again before it commits, and places it frees offered to the waiting list. A list that would give more
people a place than a group has is refused unless `allow_over_capacity`.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from openpyxl.utils import get_column_letter

from lms_pages.models import OfferingGroup

from .. import audit
from ..models import RegistrationFormField, RegistrationFormPage
from ..services.locking import lock_groups, recount
from ..services.waiting_list import offer_freed_places
from .files import ImportFileError
from .import_resource import ParticipantImportResource


@dataclass
class ImportProblem:
    """An error or a warning: where in the file (row, column heading), the value there, and what is wrong."""

    message: str
    row: int | None = None
    column: str | None = None
    value: str = ""

    def __str__(self):
        place = []
        if self.row is not None:
            place.append(gettext("row %(row)d") % {"row": self.row})
        if self.column:
            place.append(gettext("column “%(column)s”") % {"column": self.column})
        if self.value:
            place.append(f"“{self.value}”")
        if not place:
            return self.message
        where = ", ".join(place)
        return f"{where[0].upper()}{where[1:]}: {self.message}"


@dataclass
class ImportReport:
    """What an import did, or (`dry_run`) would do. With errors, nothing was stored."""

    dry_run: bool
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    # The statuses the new registrations get (e.g. {"place": 8, "waiting": 2}).
    new_statuses: Counter = field(default_factory=Counter)
    committed: bool = False
    # Some group would hold more people than its places (the warnings say which).
    over_capacity: bool = False

    @property
    def has_errors(self):
        return bool(self.errors)


def registration_form_of(offering):
    """The offering's registration form page, or None."""
    return RegistrationFormPage.objects.child_of(offering).order_by("path").first()


def import_participants(
    offering, dataset, *, dry_run=False, progress=None, allow_over_capacity=False, user=None
):
    """Import the dataset's rows into the offering's registrations; an ImportReport says what happened.

    With `dry_run` (the preview) nothing is stored. Otherwise the rows are stored in one transaction
    with the offering's groups locked, and only if no row has an error and no group would hold more
    people than its places (unless `allow_over_capacity`). Raises ImportFileError when the offering has
    no registration form, or the file lacks a name or an email column. `progress`, if given, is called
    with 1 after each row. A committed import is written to the audit log as `user`'s.
    """
    form_page = registration_form_of(offering)
    if form_page is None:
        raise ImportFileError(
            gettext(
                "%(offering)s has no registration form, so participants cannot be imported into it. Add a "
                "registration form under the offering first."
            )
            % {"offering": offering.title}
        )
    questions = list(
        RegistrationFormField.objects.filter(page=form_page)
        .order_by("sort_order", "pk")
        .values_list("clean_name", "label", "field_type")
    )
    report = ImportReport(dry_run=dry_run, total_rows=len(dataset))
    row_numbers = getattr(dataset, "row_numbers", None) or None
    with transaction.atomic():
        if dry_run:
            groups = list(OfferingGroup.objects.filter(offering=offering))
        else:
            # Locked before the registrations are read, so that no registration from the web takes a
            # place the import is counting on.
            groups = lock_groups(OfferingGroup.objects.filter(offering=offering).values_list("pk", flat=True))
        groups.sort(key=lambda group: (group.sort_order or 0, group.pk))
        resource = ParticipantImportResource(
            offering,
            form_page,
            groups,
            questions,
            now=timezone.now(),
            progress=progress,
            row_numbers=row_numbers,
        )
        match = resource.match_columns(dataset.headers or [])
        _check_columns(match, resource)
        report.warnings.extend(_column_warnings(match))
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            raise_errors=False,
            collect_failed_rows=False,
            rollback_on_validation_errors=True,
        )
        report.new = result.totals["new"]
        report.updated = result.totals["update"]
        report.unchanged = result.totals["skip"]
        report.new_statuses = resource.new_statuses
        report.errors = _errors(result, dataset, resource, row_numbers)
        report.warnings.extend(ImportProblem(message) for message in resource.warnings)
        report.over_capacity = bool(resource.overfilled)
        if resource.overfilled and not dry_run and not allow_over_capacity:
            report.errors.append(
                ImportProblem(
                    gettext(
                        "The list gives more people a place than a group has (see the warnings), so "
                        "nothing was imported. Confirm that the group may be overfilled, or change the list."
                    )
                )
            )
        if dry_run or report.errors:
            transaction.set_rollback(True)
        else:
            # Places the list freed (someone with a place now cancelled or waiting) go to the waiting
            # list; a list that puts people on the waiting list beside free places is the administrator's.
            counts = recount(groups)
            freed = [group for group in groups if counts[group.pk].taken < resource.holding_before[group.pk]]
            offer_freed_places(freed, counts)
            report.committed = True
    if report.committed:
        audit.log_for_offerings(
            audit.IMPORTED,
            user,
            {offering.pk: report.new + report.updated + report.unchanged},
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    return report


def _check_columns(match, resource):
    problems = []
    if match.missing:
        names = ", ".join(f"“{resource.declared_headings[key]}”" for key in match.missing)
        problems.append(
            ngettext(
                "The file has no column %(columns)s. The first row must hold the headings, e.g. as in an export.",
                "The file has no columns %(columns)s. The first row must hold the headings, e.g. as in an export.",
                len(match.missing),
            )
            % {"columns": names}
        )
    for _key, headings in match.repeated:
        problems.append(
            gettext("The columns %(columns)s hold the same thing; keep one of them.")
            % {"columns": ", ".join(f"“{heading}”" for heading in headings)}
        )
    if problems:
        raise ImportFileError(" ".join(problems))


def _column_warnings(match):
    warnings_ = [
        ImportProblem(gettext("This column is not known, so it was not imported."), column=heading)
        for heading in match.unknown
    ]
    warnings_.extend(
        ImportProblem(
            gettext("Column %(column)s has no heading, so it was not imported.")
            % {"column": get_column_letter(position)}
        )
        for position in match.blank
    )
    return warnings_


def _display(value):
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else str(value)


def _errors(result, dataset, resource, row_numbers):
    """The result's errors, each with its row in the file, its column heading and the value there."""
    position = {heading: index for index, heading in reversed(list(enumerate(dataset.headers or [])))}

    def file_row(index):
        return row_numbers[index - 1] if row_numbers else index + 1

    errors = []
    for invalid in result.invalid_rows:
        values = dataset[invalid.number - 1]
        for attribute, messages in invalid.error_dict.items():
            column = None if attribute == NON_FIELD_ERRORS else resource.attribute_columns.get(attribute)
            value = _display(values[position[column]]) if column in position else ""
            for message in messages:
                errors.append(ImportProblem(str(message), file_row(invalid.number), column, value))
    for error_row in result.error_rows:
        for error in error_row.errors:
            errors.append(
                ImportProblem(
                    gettext("This row could not be imported: %(error)s") % {"error": error.error},
                    file_row(error_row.number),
                )
            )
    for error in result.base_errors:
        errors.append(
            ImportProblem(gettext("The list could not be stored: %(error)s") % {"error": error.error})
        )
    errors.sort(key=lambda problem: (problem.row is None, problem.row or 0))
    return errors
