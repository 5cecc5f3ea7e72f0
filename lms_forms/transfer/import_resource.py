"""The import side of the participant resource: one offering's participants, matched by email.

Built for one import by `transfer.importing.import_participants`: `match_columns()` first, then
`import_data()`. Rows are saved in bulk; nothing is queried per row.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from import_export import results

from ..choices import HOLDS_PLACE, RegistrationSource, RegistrationStatus
from ..models import Registration
from ..services.locking import Places, has_room
from ..validators import NAME_MAX_LENGTH
from .columns import (
    IMPORT_LANGUAGES,
    QUESTION_PREFIX,
    TYPED_COLUMNS,
    AnswerField,
    BirthDateWidget,
    EmailWidget,
    GroupField,
    PhoneWidget,
    StatusField,
    TextWidget,
    email_key,
    heading_key,
)
from .resources import ParticipantResource

# The languages whose headings and status names an imported file may use, besides the field keys.
# and are recognised but left alone.
IMPORTED_COLUMNS = ("name", "email", "phone", "birth_date", "group", "status", "note")
REQUIRED_COLUMNS = ("name", "email")
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
        self.overfilled = []
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
            room = group is None or has_room(group, Places(taken=self.holding[group.pk]))
            instance.status = RegistrationStatus.PLACE if room else RegistrationStatus.WAITING
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
            if not has_room(group, Places(taken=holding), 0) and holding > self.holding_before[group.pk]:
                self.overfilled.append((group, holding))
                self.warnings.append(
                    gettext(
                        "The group %(group)s would have %(holding)d people with a place, but it has "
                        "%(places)d places."
                    )
                    % {"group": group.name, "holding": holding, "places": group.places}
                )
