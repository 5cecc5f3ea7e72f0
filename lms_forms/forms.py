"""The registration form: the fields every form has, the editor's own questions, and spam checks."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from lms_pages.translations import content_language, in_locale

from .choices import AgeCheck
from .validators import (
    EMAIL_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    age_on,
    is_possible_birth_date,
    normalise_phone,
    reject_control_characters,
)

SPAM = "spam"
STARTED_SALT = "lms_forms.started"
HONEYPOT = "website"
# What ends a sentence: a label that ends with one takes no colon before its error ("Allergies? ...").
SENTENCE_ENDS = ".?!"

# Dates as they are written in Norway (17.05.1990), in every language of the form, and in ISO 8601
# (1990-05-17), as a browser's date picker or autofill may send them. Django's own input formats
# depend on the language (English takes 05/17/1990 and refuses 17.05.1990), so the form names its own.
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
# ...with a time, written 14:30 or the Norwegian way, 14.30.
DATETIME_INPUT_FORMATS = [
    f"{date}{between}{time}"
    for date in DATE_INPUT_FORMATS
    for between in (" ", ", ", " kl. ", "T")
    for time in ("%H:%M", "%H.%M", "%H:%M:%S")
]
DATE_HELP = _("Write the date as dd.mm.yyyy, for example 17.05.1990.")
DATE_INVALID = _("Enter a real date as dd.mm.yyyy, for example 17.05.1990.")
DATETIME_HELP = _("Write the date and time as dd.mm.yyyy hh:mm, for example 17.05.2030 14:30.")
DATETIME_INVALID = _("Enter a real date and time as dd.mm.yyyy hh:mm, for example 17.05.2030 14:30.")


def _with_format_help(help_text, format_help):
    """The editor's help text, if any, followed by the format the field takes."""
    return format_lazy("{} {}", help_text, format_help) if str(help_text).strip() else format_help


def date_field(**options):
    """A date typed as dd.mm.yyyy (or ISO 8601) in every language, shown back the same way."""
    attrs = options.pop("attrs", {})
    options["help_text"] = _with_format_help(options.get("help_text", ""), DATE_HELP)
    return forms.DateField(
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs=attrs, format=DATE_INPUT_FORMATS[0]),
        error_messages={"invalid": DATE_INVALID},
        **options,
    )


def datetime_field(**options):
    """A date and time typed as dd.mm.yyyy hh:mm (or ISO 8601) in every language."""
    options["help_text"] = _with_format_help(options.get("help_text", ""), DATETIME_HELP)
    return forms.DateTimeField(
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(format=f"{DATE_INPUT_FORMATS[0]} %H:%M"),
        error_messages={"invalid": DATETIME_INVALID},
        **options,
    )


def honeypot_field():
    """A field people never see nor hear and bots fill in: moved off screen by the template (class
    `lms-hp`, with `aria-hidden` on its wrapper), left out of the tab order and of autofill."""
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def _sentence(text):
    """`text` with its white space collapsed, ending with one full stop (or its own ? or !)."""
    text = " ".join(str(text).split()).rstrip(" .")
    return text if text.endswith(("?", "!")) else f"{text}."


def summary_line(label, message):
    """One line of an error summary: "Email: Enter a valid email address." Without a doubled colon
    when the label ends with one, nor a colon after a label that is a sentence or a question."""
    label = " ".join(strip_tags(str(label)).split()).rstrip(" :")
    if not label:
        return _sentence(message)
    if label.endswith(tuple(SENTENCE_ENDS)):
        return f"{label} {_sentence(message)}"
    return f"{label}: {_sentence(message)}"


class ErrorSummaryMixin:
    """The lines of the error summary at the top of a public form, each with the id it links to."""

    def error_summary(self):
        lines = [{"id": None, "text": _sentence(error)} for error in self.non_field_errors()]
        for field in self:
            for error in field.errors:
                lines.append({"id": field.auto_id, "text": summary_line(field.label, error)})
        return lines


class RegistrationFormBuilder(FormBuilder):
    """Wagtail's form builder, with a length limit on long answers, dates in the Norwegian way in every
    language, and our base form."""

    def create_multiline_field(self, field, options):
        options.setdefault("max_length", LONG_TEXT_MAX_LENGTH)
        return super().create_multiline_field(field, options)

    def create_date_field(self, field, options):
        return date_field(**options)

    def create_datetime_field(self, field, options):
        return datetime_field(**options)

    def get_form_class(self):
        return type("RegistrationForm", (RegistrationForm,), self.formfields)


SCALE_POINTS = range(11)


class EvaluationFormBuilder(FormBuilder):
    """The evaluation's questions: scales from 0 to 10, choices and free text."""

    def create_scale_field(self, field, options):
        options.pop("initial", None)
        return forms.TypedChoiceField(
            choices=[(point, str(point)) for point in SCALE_POINTS],
            coerce=int,
            widget=forms.RadioSelect,
            **options,
        )

    def create_multiline_field(self, field, options):
        options.setdefault("max_length", LONG_TEXT_MAX_LENGTH)
        field = super().create_multiline_field(field, options)
        field.validators.append(reject_control_characters)
        return field

    def get_form_class(self):
        return type("EvaluationForm", (EvaluationForm,), self.formfields)


class EvaluationForm(ErrorSummaryMixin, BaseForm):
    """The editor's questions; nothing about the person."""


class RegistrationForm(ErrorSummaryMixin, BaseForm):
    """Built-in fields first, then the editor's questions, then the consents.

    The honeypot ("website") and the signed start time ("started") stop most automated submissions
    without asking anything of people: a filled honeypot, a forged or missing start time, or a form
    sent faster than a person can fill it in is refused and nothing is stored. They are done here,
    rather than with wagtail-honeypot, because that package trusts an unsigned time from the browser,
    leaves its field without a label, and does not declare support for Wagtail 8.
    """

    def __init__(self, *args, registration_page, **kwargs):
        super().__init__(*args, **kwargs)
        self.registration_page = registration_page
        self.offering = registration_page.offering
        self.own_field_names = list(self.fields)
        own_fields = {name: self.fields.pop(name) for name in self.own_field_names}

        self.fields["name"] = forms.CharField(
            label=_("Full name"),
            max_length=NAME_MAX_LENGTH,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        )
        self.fields["email"] = forms.EmailField(
            label=_("Email"),
            max_length=EMAIL_MAX_LENGTH,
            help_text=_("We send the confirmation and a link to cancel here."),
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        )
        if registration_page.ask_phone:
            self.fields["phone"] = forms.CharField(
                label=_("Mobile phone"),
                required=registration_page.phone_required,
                max_length=PHONE_INPUT_MAX_LENGTH,
                help_text=_("Norwegian number, or an international one starting with +."),
                widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            )
        min_age = self.offering.min_age if self.offering else None
        if registration_page.age_check == AgeCheck.BIRTH_DATE:
            self.fields["birth_date"] = date_field(label=_("Date of birth"), attrs={"autocomplete": "bday"})
        elif registration_page.age_check == AgeCheck.CONFIRMATION and min_age:
            self.fields["age_confirmed"] = forms.BooleanField(
                label=ngettext("I am %(age)d year old or older.", "I am %(age)d years old or older.", min_age)
                % {"age": min_age},
                error_messages={
                    "required": _("This offering is for people aged %(age)d or older.") % {"age": min_age}
                },
            )
        # The page the visitor reads: a translation names the original's groups, and links its notice,
        # in its own language.
        shown = registration_page.offering_page
        self.groups = list(self.offering.groups.all()) if self.offering else []
        self.group_names = {group.key: group.name for group in shown.groups.all()} if shown else {}
        if self.groups:
            self.fields["group"] = forms.TypedChoiceField(
                label=_("Group"),
                coerce=int,
                choices=[(group.pk, self.group_label(group)) for group in self.groups],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose the group you want to join.")},
            )
            if len(self.groups) == 1:
                self.fields["group"].initial = self.groups[0].pk

        if registration_page.takes_companions:
            companion = registration_page.companion_name
            self.fields["companion_name"] = forms.CharField(
                label=_("%(companion)s: full name") % {"companion": companion},
                required=False,
                max_length=NAME_MAX_LENGTH,
                help_text=_(
                    "Only if you bring someone. You get a place together in the same group, or wait together."
                ),
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            if registration_page.companion_asks_email:
                self.fields["companion_email"] = forms.EmailField(
                    label=_("%(companion)s: email (optional)") % {"companion": companion},
                    required=False,
                    max_length=EMAIL_MAX_LENGTH,
                    help_text=_("If they want their own confirmation."),
                    widget=forms.EmailInput(attrs={"autocomplete": "off"}),
                )

        self.fields.update(own_fields)

        notice = in_locale([shown.confidentiality_notice], registration_page.locale_id)[0] if shown else None
        if notice is not None:
            self.notice = notice
            self.fields["notice_accepted"] = forms.BooleanField(
                label=format_html(
                    '{} <a href="{}"{}>{}</a>.',
                    _("I have read the confidentiality notice:"),
                    notice.url,
                    _language_mark(notice, registration_page),
                    notice.title,
                ),
                error_messages={"required": _("Read and accept the confidentiality notice to register.")},
            )
        else:
            self.notice = None
        if registration_page.asks_about_health():
            self.fields["health_consent"] = forms.BooleanField(
                label=registration_page.health_consent_text,
                error_messages={
                    "required": _("We need your consent to process the health information you give.")
                },
            )

        self.fields[HONEYPOT] = honeypot_field()
        self.fields["started"] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=signing.dumps(time.time(), salt=STARTED_SALT)
        )
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_control_characters)

    def group_label(self, group):
        name = self.group_names.get(group.key, group.name)
        if group.places is None:
            return name
        if group.is_full:
            if self.offering.waiting_list:
                return _("%(group)s (full, waiting list)") % {"group": name}
            return _("%(group)s (full)") % {"group": name}
        left = group.places_left
        return ngettext("%(group)s (%(left)d place left)", "%(group)s (%(left)d places left)", left) % {
            "group": name,
            "left": left,
        }

    @property
    def built_in_fields(self):
        return [self[name] for name in self.fields if name not in self.own_field_names]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_companion_email(self):
        return self.cleaned_data["companion_email"].strip().lower()

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if not is_possible_birth_date(birth_date):
            raise ValidationError(_("Enter your real date of birth, e.g. 17.05.1990."), code="impossible")
        min_age = self.offering.min_age if self.offering else None
        if min_age and age_on(birth_date, today) < min_age:
            raise ValidationError(
                _("This offering is for people aged %(age)d or older.") % {"age": min_age}, code="too_young"
            )
        return birth_date

    def clean_group(self):
        group_id = self.cleaned_data["group"]
        group = next((group for group in self.groups if group.pk == group_id), None)
        if group is None:
            raise ValidationError(_("Choose one of the groups listed."), code="invalid_choice")
        return group

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("companion_email") and not cleaned_data.get("companion_name", "").strip():
            self.add_error("companion_name", _("Give your companion's name, or leave their email empty."))
        if cleaned_data.get("companion_email") and cleaned_data.get("companion_email") == cleaned_data.get(
            "email"
        ):
            self.add_error(
                "companion_email", _("Your companion's email must differ from yours, or be empty.")
            )
        if cleaned_data.get(HONEYPOT):
            raise ValidationError(_("Your registration could not be sent."), code=SPAM)
        try:
            started = signing.loads(self.data.get("started", ""), salt=STARTED_SALT)
            elapsed = time.time() - float(started)
        except (signing.BadSignature, TypeError, ValueError):
            raise ValidationError(_("Your registration could not be sent."), code=SPAM) from None
        # A person who sends the empty form at once hears what is missing, not that they were fast: the
        # time is judged only for a form that is otherwise complete.
        if not self.errors and elapsed < getattr(settings, "LMS_FORMS_MIN_FILL_SECONDS", 3):
            raise ValidationError(
                _("The form was sent too quickly. Check your answers and send it again."), code=SPAM
            )
        return cleaned_data

    def is_spam(self):
        return any(error.code == SPAM for error in self.non_field_errors().as_data())

    @property
    def companion(self):
        """(name, email) of the companion the registrant brings, or None."""
        name = (self.cleaned_data.get("companion_name") or "").strip()
        return (name, self.cleaned_data.get("companion_email") or "") if name else None

    def own_answers(self):
        """The answers to the editor's questions, and their labels as they read when the person answered."""
        answers = {name: self.cleaned_data.get(name) for name in self.own_field_names}
        labels = {name: str(self.fields[name].label) for name in self.own_field_names}
        return answers, labels


class OpeningNoticeForm(ErrorSummaryMixin, forms.Form):
    """ "Tell me when registration opens": an email address, and the honeypot."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("We send one email when registration opens, and then delete your address."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the right format, like name@example.no."),
            "max_length": _("The email address is too long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT] = honeypot_field()
        self.fields["email"].validators.append(reject_control_characters)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get(HONEYPOT):
            raise ValidationError(_("Your request could not be sent."), code=SPAM)
        return cleaned_data

    def is_spam(self):
        return any(error.code == SPAM for error in self.non_field_errors().as_data())


def _language_mark(notice, registration_page):
    """` lang="nb"` on the link to a notice not translated into the form's language (no query where both
    are pages of their own in one tree, as on a site of one language)."""
    if notice.locale_id == registration_page.locale_id and not (
        notice.alias_of_id or registration_page.alias_of_id
    ):
        return ""
    language = content_language(notice)
    return format_html(' lang="{}"', language) if language != content_language(registration_page) else ""
