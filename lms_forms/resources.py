"""Participant lists as django-import-export resources: the columns of an export, and of an import.

Typed columns first (headings in the active language), then one column per question the editor added
to the offering's registration form.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, results, widgets

from .forms import normalise_phone
from .models import HOLDS_PLACE, Registration, RegistrationFormField, RegistrationSource, RegistrationStatus

# A spreadsheet runs a cell that begins with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
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
    "notice_version",
    "source",
    "note",
)


def neutralise(value):
    """Text that a spreadsheet would take for a formula, made plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def questions_of(offerings):
    """The editor's own questions on the offerings' registration forms, in form order."""
    return list(
        RegistrationFormField.objects.filter(page__registration__offering__in=offerings)
        .distinct()
        .order_by("page_id", "sort_order", "pk")
        .values_list("clean_name", "label")
    )


class ParticipantResource(resources.ModelResource):
    registered = fields.Field(attribute="submit_time", column_name=_("Registered"), readonly=True)
    name = fields.Field(attribute="name", column_name=_("Name"))
    email = fields.Field(attribute="email", column_name=_("Email"))
    phone = fields.Field(attribute="phone", column_name=_("Phone"))
    birth_date = fields.Field(attribute="birth_date", column_name=_("Date of birth"))
    group = fields.Field(attribute="group_name", column_name=_("Group"))
    status = fields.Field(attribute="status", column_name=_("Status"))
    notice_version = fields.Field(
        attribute="notice_version", column_name=_("Notice version accepted"), readonly=True
    )
    source = fields.Field(attribute="source", column_name=_("Source"), readonly=True)
    note = fields.Field(attribute="note", column_name=_("Note"))

    class Meta:
        model = Registration
        fields = TYPED_COLUMNS
        export_order = TYPED_COLUMNS

    def __init__(self, questions=(), **kwargs):
        """`questions`: (clean_name, label) pairs, one column each, e.g. from questions_of()."""
        super().__init__(**kwargs)
        self.questions = list(questions)
        for clean_name, label in self.questions:
            key = QUESTION_PREFIX + clean_name
            self.fields[key] = fields.Field(
                column_name=label, dehydrate_method=self._answer_of(clean_name), readonly=True
            )

    def get_export_order(self):
        return (*self._meta.export_order, *(QUESTION_PREFIX + name for name, _label in self.questions))

    @staticmethod
    def _answer_of(clean_name):
        def answer(registration):
            value = registration.answer(clean_name)
            if isinstance(value, list):  # checkboxes
                return ", ".join(str(item) for item in value)
            return value

        return answer

    # Values as people read them, in the active language.

    def dehydrate_registered(self, registration):
        return timezone.localtime(registration.submit_time).strftime(DATETIME_FORMAT)

    def dehydrate_birth_date(self, registration):
        return registration.birth_date.strftime(DATE_FORMAT) if registration.birth_date else ""

    def dehydrate_status(self, registration):
        return str(RegistrationStatus(registration.status).label)

    def dehydrate_source(self, registration):
        return str(RegistrationSource(registration.source).label)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return neutralise("" if value is None else value)

    @cached_property
    def _column_readers(self):
        """How each exported column reads a registration, found once per export rather than per cell."""
        readers = []
        for field in self.get_export_fields():
            method = field.get_dehydrate_method(self.get_field_name(field))
            readers.append(method if callable(method) else getattr(self, method, None) or field.export)
        return readers

    def export_resource(self, instance, selected_fields=None, **kwargs):
        if selected_fields:
            return super().export_resource(instance, selected_fields, **kwargs)
        return [
            neutralise("" if (value := read(instance)) is None else value) for read in self._column_readers
        ]


# Import: a participant list kept elsewhere (a referral list, an earlier spreadsheet, an export edited in
# Excel) read into one offering's registrations. People are matched by email; the whole file is stored
# in one transaction or not at all (see imports.py).

# The languages whose headings and status names an imported file may use, besides the field keys.
IMPORT_LANGUAGES = ("nb", "nn", "en")
# The typed columns an import reads; "registered", "notice_version" and "source" belong to the export
# and are recognised but left alone.
IMPORTED_COLUMNS = ("name", "email", "phone", "birth_date", "group", "status", "note")
REQUIRED_COLUMNS = ("name", "email")
# Editor questions whose answer is a list, written "a, b" in an export.
LIST_ANSWER_TYPES = ("checkboxes", "multiselect")
TRUE_WORDS = frozenset({"true", "yes", "ja", "1", "x"})
# The model fields an import may change on an existing registration (for bulk_update).
UPDATED_FIELDS = (
    "name",
    "email",
    "phone",
    "birth_date",
    "group",
    "group_name",
    "status",
    "note",
    "form_data",
    "sensitive_answers",
    "field_labels",
    "updated_at",
)
# The fields of existing registrations an import reads: what it compares, updates or counts.
LOADED_FIELDS = ("pk", "offering_id", "submit_time", "group_id", *UPDATED_FIELDS[:-1])
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
EARLIEST_BIRTH_YEAR = 1900


def restore_formula_text(value):
    """Undo `neutralise()`: the apostrophe an export put before text that starts like a formula."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def cell_text(value):
    """A cell's value as trimmed text, without an export's formula apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Trimmed before the apostrophe comes off: what follows it (a tab, say) is the value as it was.
    return restore_formula_text(str(value).strip())


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
        if date > timezone.localdate() or date.year < EARLIEST_BIRTH_YEAR:
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
        elif text == cell_text(ParticipantResource._answer_of(self.clean_name)(instance)):
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


@dataclass
class ColumnMatch:
    """Which file heading holds which field; what is unknown, missing or given twice."""

    columns: dict  # field key -> heading in the file
    unknown: list  # headings that match nothing
    blank: list  # positions (1-based) of columns without a heading
    missing: list  # keys of required fields without a column
    repeated: list  # (key, [headings]) for a field given by more than one column


class _RowResult(results.RowResult):
    """A row's result without the registration's text (its name and status), which no one reads here."""

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id = instance.pk


class _Person:
    """An email address's registrations in the offering, and the file's rows that have claimed them."""

    __slots__ = ("active", "cancelled", "holder_row")

    def __init__(self):
        self.active = []  # not cancelled, in registration order
        self.cancelled = []  # newest first
        self.holder_row = None  # the row that holds the email's one active registration


class ParticipantImportResource(ParticipantResource):
    """ParticipantResource with the import side: one offering's participants, matched by email.

    Built for one import by `lms_forms.imports.import_participants`: `match_columns()` first, then
    `import_data()`. Rows are saved in bulk; nothing is queried per row. An empty status or group keeps
    what an existing registration has; a new registration gets the only group of an offering with one,
    and a place while its group has room (counting the rows above it), else the waiting list.
    """

    class Meta:
        model = Registration
        fields = TYPED_COLUMNS
        export_order = TYPED_COLUMNS
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        report_skipped = False
        clean_model_instances = False
        use_transactions = True

    def __init__(
        self, offering, form_page, groups, questions=(), *, now=None, progress=None, row_numbers=None
    ):
        """`questions`: (clean_name, label, field_type) of the form's questions; `groups`: the offering's
        groups, locked by the caller when the import is committed; `progress`: called with 1 per row."""
        super().__init__(questions=[(name, label) for name, label, _type in questions])
        self.offering = offering
        self.form_page = form_page
        self.groups = list(groups)
        self.now = now or timezone.now()
        self.progress = progress
        self.row_numbers = row_numbers
        self.row_number = None
        self.warnings = []
        self.new_statuses = Counter()
        self.fields["name"].widget = TextWidget(max_length=NAME_MAX_LENGTH, required=True)
        self.fields["email"].widget = EmailWidget()
        self.fields["phone"].widget = PhoneWidget()
        self.fields["birth_date"].widget = BirthDateWidget()
        self.fields["note"].widget = TextWidget()
        self.groups_by_id = {group.pk: group for group in self.groups}
        # The headings as declared (lazy, so they can be read in each language); match_columns() then
        # points each field at the heading the file uses.
        self.declared_headings = {key: self.fields[key].column_name for key in TYPED_COLUMNS}
        self.fields["group"] = GroupField(self.groups, column_name=self.fields["group"].column_name)
        self.fields["status"] = StatusField(column_name=self.fields["status"].column_name)
        sensitive = form_page.sensitive_field_names()
        for clean_name, label, field_type in questions:
            self.fields[QUESTION_PREFIX + clean_name] = AnswerField(
                clean_name, label, field_type, sensitive=clean_name in sensitive
            )
        self._import_fields = []

    # Columns

    def column_names(self):
        """{field key: [accepted headings]}: the key itself and the heading in each language."""
        names = {}
        for key, heading in self.declared_headings.items():
            accepted = [key]
            for language in IMPORT_LANGUAGES:
                with translation.override(language):
                    accepted.append(str(heading))
            names[key] = accepted
        for key, field in self.fields.items():
            if isinstance(field, AnswerField):
                names[key] = [field.label, field.clean_name, key]
        return names

    def match_columns(self, headers):
        """Point each import field at its column in the file (by heading) and say what did not match."""
        owners = {}
        for key, accepted in self.column_names().items():
            for heading in accepted:
                owners.setdefault(heading_key(heading), key)  # typed columns before questions
        found, unknown, blank = {}, [], []
        for position, heading in enumerate(headers, 1):
            text = str(heading or "").strip()
            if not text:
                blank.append(position)
                continue
            key = owners.get(heading_key(text))
            if key is None:
                unknown.append(text)
            else:
                found.setdefault(key, []).append(heading)
        columns = {key: headings[0] for key, headings in found.items()}
        repeated = [(key, headings) for key, headings in found.items() if len(headings) > 1]
        missing = [key for key in REQUIRED_COLUMNS if key not in columns]
        self._import_fields = []
        for key, field in self.fields.items():
            if (
                key in columns
                and not field.readonly
                and (key in IMPORTED_COLUMNS or isinstance(field, AnswerField))
            ):
                field.column_name = columns[key]
                self._import_fields.append(field)
        self.attribute_columns = {field.attribute: field.column_name for field in self._import_fields}
        return ColumnMatch(columns, unknown, blank, missing, repeated)

    def get_import_fields(self):
        return self._import_fields

    def get_row_result_class(self):
        return _RowResult

    def get_bulk_update_fields(self):
        return list(UPDATED_FIELDS)

    # Rows

    def before_import(self, dataset, **kwargs):
        """Read the offering's registrations once: who is on the list, and how many hold each group's places."""
        self.people = {}
        self.holding = Counter()
        registrations = (
            Registration.objects.filter(offering=self.offering)
            .only(*LOADED_FIELDS)
            .order_by("submit_time", "pk")
        )
        for registration in registrations:
            person = self.people.get(email_key(registration.email))
            if person is None:
                person = self.people[email_key(registration.email)] = _Person()
            if registration.status == RegistrationStatus.CANCELLED:
                person.cancelled.insert(0, registration)
            else:
                person.active.append(registration)
            if registration.group_id is not None and registration.status in HOLDS_PLACE:
                self.holding[registration.group_id] += 1
        self.holding_before = Counter(self.holding)
        self.email_column = self.fields["email"].column_name
        self.status_field = self.fields["status"] if self.fields["status"] in self._import_fields else None

    def before_import_row(self, row, **kwargs):
        index = kwargs["row_number"]
        self.row_number = self.row_numbers[index - 1] if self.row_numbers else index + 1

    def get_instance(self, instance_loader, row):
        """The registration this row updates, or None for a new one; never a second active one."""
        key = email_key(row[self.email_column])
        if not key:
            return None
        person = self.people.get(key)
        if person is None:
            person = self.people[key] = _Person()
        cancelling = (
            self.status_field is not None and self.status_field.code_in(row) == RegistrationStatus.CANCELLED
        )
        if cancelling:
            if person.cancelled:
                return person.cancelled.pop(0)
            if person.active:
                person.holder_row = person.holder_row or self.row_number
                return person.active.pop(0)
            return None
        if person.active:
            person.holder_row = person.holder_row or self.row_number
            return person.active.pop(0)
        if person.holder_row is not None:
            raise ValidationError(
                {
                    "email": gettext(
                        "This email address is already in row %(row)d. A person can be on the list only "
                        "once (besides cancelled registrations)."
                    )
                    % {"row": person.holder_row}
                }
            )
        person.holder_row = self.row_number
        if person.cancelled:
            return person.cancelled.pop(0)
        return None

    def init_instance(self, row=None):
        return Registration(
            page_id=self.form_page.pk,
            offering_id=self.offering.pk,
            submit_time=self.now,
            status="",
            source=RegistrationSource.IMPORT,
            language="",
            form_data={},
            sensitive_answers={},
            field_labels={},
        )

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            instance._imported_from = self.snapshot(instance)

    @staticmethod
    def snapshot(registration):
        return (
            registration.name,
            registration.email,
            registration.phone,
            registration.birth_date,
            registration.group_id,
            registration.group_name,
            registration.status,
            registration.note,
            registration.form_data,
            registration.sensitive_answers,
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.pk is None and instance.group_id is None and "group" not in errors and self.groups:
            if len(self.groups) == 1:
                instance.group = self.groups[0]
                instance.group_name = self.groups[0].name
            else:
                errors["group"] = [
                    gettext("Choose a group: %(groups)s.")
                    % {"groups": ", ".join(group.name for group in self.groups)}
                ]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing registration the row leaves as it was is counted as unchanged, and not written."""
        before = getattr(instance, "_imported_from", None)
        return not import_validation_errors and before is not None and before == self.snapshot(instance)

    def before_save_instance(self, instance, row, **kwargs):
        before = getattr(instance, "_imported_from", None)
        group = self.groups_by_id.get(instance.group_id)
        if not instance.status:
            has_room = group is None or group.places is None or self.holding[group.pk] < group.places
            instance.status = RegistrationStatus.PLACE if has_room else RegistrationStatus.WAITING
        if before is None:
            self.new_statuses[instance.status] += 1
        else:
            instance.updated_at = self.now
            _name, _email, _phone, _birth, group_id, _group_name, status, *_rest = before
            if group_id is not None and status in HOLDS_PLACE:
                self.holding[group_id] -= 1
        if group is not None and instance.status in HOLDS_PLACE:
            self.holding[group.pk] += 1

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.progress is not None:
            self.progress(1)
        return row_result

    def after_import(self, dataset, result, **kwargs):
        """Warn of groups the list fills beyond their places. (Imported rows never carry an id, so the
        id sequence needs no reset, unlike ModelResource.after_import.)"""
        for group in self.groups:
            holding = self.holding[group.pk]
            if (
                group.places is not None
                and holding > group.places
                and holding > self.holding_before[group.pk]
            ):
                self.warnings.append(
                    gettext(
                        "The group %(group)s would have %(holding)d people with a place, but it has "
                        "%(places)d places."
                    )
                    % {"group": group.name, "holding": holding, "places": group.places}
                )
