"""The columns of participant files: how values are written for spreadsheets and read back, and the
import's widgets and fields for each kind of column."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext, ngettext
from import_export import fields, widgets

from ..choices import RegistrationStatus
from ..validators import (
    CONTROL_CHARACTERS,
    EMAIL_MAX_LENGTH,
    is_possible_birth_date,
    normalise_phone,
)

# A spreadsheet runs a cell that begins with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Text that begins with these gets the apostrophe too, so that reading the file back gives the value
# exactly: leading whitespace survives the import's trimming, and a real leading apostrophe stays.
QUOTED_PREFIXES = (*FORMULA_PREFIXES, "'", " ", "\n", "\u00a0")
DATE_FORMAT = "%d.%m.%Y"
DATETIME_FORMAT = "%d.%m.%Y %H:%M"
QUESTION_PREFIX = "question:"
TYPED_COLUMNS = (
    "registered",
    "name",
    "email",
    "phone",
    "birth_date",
    "group",
    "status",
    "attended",
    "notice_version",
    "source",
    "note",
)
# The languages whose headings and status names an imported file may use, besides the field keys.
IMPORT_LANGUAGES = ("nb", "nn", "en")
# Editor questions whose answer is a list, written "a, b" in an export.
LIST_ANSWER_TYPES = ("checkboxes", "multiselect")
TRUE_WORDS = frozenset({"true", "yes", "ja", "1", "x"})


def neutralise(value):
    """Text that a spreadsheet would take for a formula (or that would not read back as it is), made
    plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(QUOTED_PREFIXES):
        return "'" + value
    return value


def restore_formula_text(value):
    """Undo `neutralise()`: the apostrophe an export put before such text."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(QUOTED_PREFIXES):
        return value[1:]
    return value


def cell_text(value):
    """A cell's value as trimmed text, without an export's apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Trimmed before the apostrophe comes off: what follows it (a space, a tab) is the value as it was.
    return restore_formula_text(str(value).strip())


def answer_text(registration, clean_name):
    """An answer as a cell shows it: a list (checkboxes) as "a, b"."""
    value = registration.answer(clean_name)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def heading_key(text):
    """How headings, group names and status names are compared: case and spacing do not matter."""
    return " ".join(str(text).split()).casefold()


def email_key(value):
    return cell_text(value).casefold()


class TextWidget(widgets.Widget):
    def __init__(self, max_length=None, required=False):
        super().__init__()
        self.max_length = max_length
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if self.required and not text:
            raise ValueError(gettext("This cell is empty; it must have a value."))
        if CONTROL_CHARACTERS.search(text):
            raise ValueError(gettext("Remove the invisible control characters from this cell."))
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(
                ngettext(
                    "Write at most %(max)d character.", "Write at most %(max)d characters.", self.max_length
                )
                % {"max": self.max_length}
            )
        return text


class EmailWidget(TextWidget):
    def __init__(self):
        super().__init__(max_length=EMAIL_MAX_LENGTH, required=True)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(gettext("Enter a valid email address, e.g. kari@example.org.")) from None
        return text


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return normalise_phone(cell_text(value))
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None


class BirthDateWidget(widgets.Widget):
    """dd.mm.yyyy (as exported) or yyyy-mm-dd, or a date cell of a workbook; empty for none."""

    PATTERNS = (
        (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), ("day", "month", "year")),
        (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("year", "month", "day")),
    )

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return self.check(value, value.strftime(DATE_FORMAT))
        text = cell_text(value)
        if not text:
            return None
        for pattern, order in self.PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                parts = dict(zip(order, map(int, match.groups()), strict=True))
                try:
                    date = datetime.date(parts["year"], parts["month"], parts["day"])
                except ValueError:
                    raise ValueError(
                        gettext("%(value)s is not a date that exists.") % {"value": text}
                    ) from None
                return self.check(date, text)
        raise ValueError(gettext("Write the date of birth as dd.mm.yyyy, e.g. 17.05.1990."))

    @staticmethod
    def check(date, text):
        if not is_possible_birth_date(date):
            raise ValueError(gettext("%(value)s cannot be a date of birth.") % {"value": text})
        return date


class GroupField(fields.Field):
    """The group, by its name among the offering's groups; an empty cell keeps the person's group."""

    def __init__(self, groups, **kwargs):
        super().__init__(attribute="group", **kwargs)
        self.groups = {}
        for group in groups:
            self.groups.setdefault(heading_key(group.name), group)

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = cell_text(row[self.column_name])
        if not text:
            return
        if instance.pk is not None and instance.group_id is None and text == instance.group_name:
            return  # the group has been removed from the offering since; the person keeps its name
        group = self.groups.get(heading_key(text))
        if group is None:
            names = ", ".join(dict.fromkeys(group.name for group in self.groups.values()))
            raise ValueError(
                gettext("This offering has no group called %(name)s. Its groups: %(groups)s.")
                % {"name": text, "groups": names or gettext("none")}
            )
        instance.group = group
        instance.group_name = group.name


class StatusField(fields.Field):
    """The status, by its code or its name in bokmål, nynorsk or English; an empty cell keeps it."""

    def __init__(self, **kwargs):
        super().__init__(attribute="status", **kwargs)
        self.codes = status_codes()

    def code_in(self, row):
        """The status a row asks for, or None (empty, unknown or no status column)."""
        if self.column_name not in row:
            return None
        return self.codes.get(heading_key(cell_text(row[self.column_name])))

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = cell_text(row[self.column_name])
        if not text:
            return
        code = self.codes.get(heading_key(text))
        if code is None:
            raise ValueError(
                gettext("Unknown status. Write one of: %(statuses)s.")
                % {"statuses": ", ".join(str(label) for label in RegistrationStatus.labels)}
            )
        instance.status = code


def status_codes():
    codes = {}
    for language in IMPORT_LANGUAGES:
        with translation.override(language):
            for code, label in RegistrationStatus.choices:
                codes.setdefault(heading_key(label), code)
    for code in RegistrationStatus.values:
        codes.setdefault(heading_key(code), code)
    return codes


class AnswerField(fields.Field):
    """The answer to one of the editor's questions: in the registration's form_data, or, for a question
    that asks about health (`sensitive`), in its encrypted sensitive_answers."""

    def __init__(self, clean_name, label, field_type, sensitive=False, **kwargs):
        super().__init__(attribute=QUESTION_PREFIX + clean_name, column_name=label, **kwargs)
        self.clean_name = clean_name
        self.label = label
        self.field_type = field_type
        self.sensitive = sensitive

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = cell_text(row[self.column_name])
        if instance.pk is None:
            if not text:
                return
        elif text == cell_text(answer_text(instance, self.clean_name)):
            return  # as exported: the stored answer (a list, a yes/no) is kept as it is
        if self.field_type in LIST_ANSWER_TYPES:
            value = [part.strip() for part in text.split(",") if part.strip()]
        elif self.field_type == "checkbox":
            value = heading_key(text) in TRUE_WORDS
        else:
            value = text
        # New dicts, so that the values read from the database stay as they were (see skip_row).
        if self.sensitive:
            instance.sensitive_answers = {**(instance.sensitive_answers or {}), self.clean_name: value}
        else:
            instance.form_data = {**(instance.form_data or {}), self.clean_name: value}
        instance.field_labels = {**(instance.field_labels or {}), self.clean_name: self.label}
