"""Participant lists as django-import-export resources: the columns of an export, and of an import.

Typed columns first (headings in the active language), then one column per question the editor added
to the offering's registration form.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import Registration, RegistrationFormField, RegistrationSource, RegistrationStatus

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
            value = (registration.form_data or {}).get(clean_name, "")
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
