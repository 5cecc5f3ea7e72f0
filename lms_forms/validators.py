"""The rules every answer obeys, wherever it comes from (the form, an import, the admin): lengths,
characters, phone numbers, dates of birth and the confirmation email's placeholders."""

import re
import string

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
PHONE_INPUT_MAX_LENGTH = 32
LONG_TEXT_MAX_LENGTH = 4000
OLDEST_BIRTH_YEAR = 1900

# Control characters that no text file holds; tabs and line breaks are allowed in longer texts.
C0_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# ...and, in an answer, also the C1 controls and the Unicode direction controls, which can make a name
# read differently from what is stored (e.g. "Trojan Source"). The zero-width joiner and non-joiner,
# which real names in several scripts need, stay allowed.
CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

# The placeholders an editor can use in the confirmation email.
EMAIL_PLACEHOLDERS = ("name", "offering", "group", "status", "first_session", "cancel_link")


def reject_control_characters(value):
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(_("Remove the invisible control characters from this answer."), code="control")


def normalise_phone(value):
    """A Norwegian or international phone number in E.164 (+4791234567); "" for none."""
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, e.g. 912 34 567, or +46 70 123 45 67 for a number abroad."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_possible_birth_date(date):
    return date <= timezone.localdate() and date.year >= OLDEST_BIRTH_YEAR


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validate_email_template(value):
    """Refuse unknown placeholders and stray braces, so the email never fails to render later."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        raise ValidationError(
            _("Write placeholders as {name}; use {{ and }} for a brace on its own.")
        ) from error
    unknown = sorted(names - set(EMAIL_PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. You can use: %(allowed)s."),
            params={
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "allowed": ", ".join(f"{{{name}}}" for name in EMAIL_PLACEHOLDERS),
            },
        )


# Reminders are sent at most this many days before a session.
REMINDER_MAX_DAYS = 60


def parse_reminder_days(value):
    """The days before each session a reminder goes out, largest first: "7, 1" -> [7, 1]; "" -> []."""
    days = set()
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 0 < int(part) <= REMINDER_MAX_DAYS:
            raise ValidationError(
                _("Write whole days between 1 and %(max)d, separated by commas, e.g. 7, 1."),
                params={"max": REMINDER_MAX_DAYS},
                code="reminder_days",
            )
        days.add(int(part))
    return sorted(days, reverse=True)


def validate_reminder_days(value):
    parse_reminder_days(value)
