"""Dates and times as each language writes them, for the pages and the emails.

Bokmål and nynorsk: "tirsdag 15. januar 2030, 18.00"; English: "Tuesday 15 January 2030, 18:00" (the
24-hour clock, as in Norway). Django's own formats for English are American, and it has no name for a
weekday with a date, so the site names its own.

    {{ session.start|lms_format:"weekday_datetime" }}     in a template ({% load lms_tags %})
    local_format(value, "date")                           in Python, in the active language
"""

from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

NORWEGIAN = {
    "date": "j. F Y",
    "weekday_date": "l j. F Y",
    "datetime": "j. F Y, H.i",
    "weekday_datetime": "l j. F Y, H.i",
    "time": "H.i",
}
FORMATS = {
    "nb": NORWEGIAN,
    "nn": NORWEGIAN,
    "en": {
        "date": "j F Y",
        "weekday_date": "l j F Y",
        "datetime": "j F Y, H:i",
        "weekday_datetime": "l j F Y, H:i",
        "time": "H:i",
    },
}


def format_for(name, language=None):
    """The format string called `name` in `language` (default: the active one; bokmål when unknown)."""
    language = (language or get_language() or "nb").split("-")[0]
    return FORMATS.get(language, NORWEGIAN)[name]


def local_format(value, name):
    """`value` (a date, or a datetime shown in Norwegian time) in the active language's `name` format."""
    if value in (None, ""):
        return ""
    return date_format(template_localtime(value), format_for(name))
