"""Participant lists as django-import-export resources: the columns of an export, and of an import.

Typed columns first (headings in the active language), then one column per question the editor added
to the offering's registration form.
"""

from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from ..choices import RegistrationSource, RegistrationStatus
from ..models import Registration, RegistrationFormField
from .columns import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    QUESTION_PREFIX,
    TYPED_COLUMNS,
    answer_text,
    neutralise,
)


def questions_of(offerings):
    """The editor's own questions on the offerings' registration forms, in form order."""
    return list(
        RegistrationFormField.objects.filter(page__registration__offering__in=offerings)
        .distinct()
        .order_by("page_id", "sort_order", "pk")
        .values_list("clean_name", "label")
    )


def _as_stored(value):
    return value


class ParticipantResource(resources.ModelResource):
    registered = fields.Field(attribute="submit_time", column_name=_("Registered"), readonly=True)
    name = fields.Field(attribute="name", column_name=_("Name"))
    email = fields.Field(attribute="email", column_name=_("Email"))
    phone = fields.Field(attribute="phone", column_name=_("Phone"))
    birth_date = fields.Field(attribute="birth_date", column_name=_("Date of birth"))
    group = fields.Field(attribute="group_name", column_name=_("Group"))
    status = fields.Field(attribute="status", column_name=_("Status"))
    # Counted by lms_forms.services.attendance.with_attendance; empty until someone is marked.
    attended = fields.Field(column_name=_("Sessions attended"), readonly=True)
    notice_version = fields.Field(
        attribute="notice_version", column_name=_("Notice version accepted"), readonly=True
    )
    source = fields.Field(attribute="source", column_name=_("Source"), readonly=True)
    note = fields.Field(attribute="note", column_name=_("Note"))

    class Meta:
        model = Registration
        fields = TYPED_COLUMNS
        export_order = TYPED_COLUMNS

    def __init__(self, questions=(), *, for_spreadsheet=True, **kwargs):
        """`questions`: (clean_name, label) pairs, one column each, e.g. from questions_of().
        `for_spreadsheet`: neutralise values a spreadsheet would run as formulas (not for JSON, which
        carries the values as stored)."""
        super().__init__(**kwargs)
        self.written = neutralise if for_spreadsheet else _as_stored
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
        return lambda registration: answer_text(registration, clean_name)

    # Values as people read them, in the active language.

    def dehydrate_registered(self, registration):
        return timezone.localtime(registration.submit_time).strftime(DATETIME_FORMAT)

    def dehydrate_birth_date(self, registration):
        return registration.birth_date.strftime(DATE_FORMAT) if registration.birth_date else ""

    def dehydrate_status(self, registration):
        return str(RegistrationStatus(registration.status).label)

    def dehydrate_attended(self, registration):
        if not getattr(registration, "sessions_marked", 0):
            return ""
        return registration.sessions_attended

    def dehydrate_source(self, registration):
        return str(RegistrationSource(registration.source).label)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return self.written("" if value is None else value)

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
            self.written("" if (value := read(instance)) is None else value) for read in self._column_readers
        ]


# Import: a participant list kept elsewhere (a referral list, an earlier spreadsheet, an export edited in
# Excel) read into one offering's registrations. People are matched by email; the whole file is stored
# in one transaction or not at all (see imports.py).
