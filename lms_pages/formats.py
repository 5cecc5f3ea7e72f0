"""Dates, times, numbers and prices as each language writes them, for the pages, the forms and the emails.

Bokmål and nynorsk: "tirsdag 15. januar 2030, 18.00"; English: "Tuesday 15 January 2030, 18:00" (the
24-hour clock, as in Norway). Django's own formats for English are American, and it has no name for a
weekday with a date, so the site names its own.

Numbers and prices. Bokmål and nynorsk group thousands with a no-break space and write the currency
after the amount: "1 500 kr", "1 500,50 kr". English writes the currency code before it, as
international English does: "NOK 1,500", "NOK 1,500.50". Every separator between the digits and the
currency is a no-break space (U+00A0), so a price never breaks across two lines. Whole amounts are
written without decimals, others with two. The grouping is applied to four-digit numbers too
("1 500"), as the tables of places and the prices line up better that way.

A language without formats of its own here (Northern Sami, `se`, for now) is written the bokmål way, as
its interface falls back to bokmål. Django's own number formats are not used: it has none for `se`, and
would write its numbers the American way.

    {{ session.start|lms_format:"weekday_datetime" }}     in a template ({% load lms_tags %})
    local_format(value, "date")                           in Python, in the active language
    local_number(1500)          -> "1 500" (nb, nn), "1,500" (en)
    local_price(Decimal("1500")) -> "1 500 kr" (nb, nn), "NOK 1,500" (en)
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import numberformat
from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

NBSP = "\xa0"

NORWEGIAN = {
    "date": "j. F Y",
    "weekday_date": "l j. F Y",
    "datetime": "j. F Y, H.i",
    "weekday_datetime": "l j. F Y, H.i",
    "time": "H.i",
    "decimal_separator": ",",
    "thousand_separator": NBSP,
    "price": "{amount}" + NBSP + "kr",
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
        "decimal_separator": ".",
        "thousand_separator": ",",
        "price": "NOK" + NBSP + "{amount}",
    },
}


def language_of(language=None):
    """The language whose formats are used for `language` (default: the active one): its own, when it
    has them here, else bokmål."""
    language = (language or get_language() or "nb").split("-")[0].lower()
    return language if language in FORMATS else "nb"


def format_for(name, language=None):
    """The format string called `name` in `language` (default: the active one; bokmål when unknown)."""
    return FORMATS[language_of(language)][name]


def local_format(value, name):
    """`value` (a date, or a datetime shown in Norwegian time) in the active language's `name` format."""
    if value in (None, ""):
        return ""
    return date_format(template_localtime(value), format_for(name))


def local_number(value, decimals=0, language=None):
    """`value` (an int, Decimal, float or numeric string) with the language's separators, thousands
    grouped: "1 500" / "1,500"; `decimals` places after the decimal separator. "" for None or ""."""
    if value in (None, ""):
        return ""
    formats = FORMATS[language_of(language)]
    # Django's formatting cuts extra decimals off; a reader expects 85.7 % to read "86 %".
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return numberformat.format(
        value,
        formats["decimal_separator"],
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=formats["thousand_separator"],
        force_grouping=True,
        use_l10n=True,
    )


def local_price(amount, language=None):
    """An amount in Norwegian kroner as the language writes it: "1 500 kr" / "NOK 1,500", with two
    decimals only when there are øre. "" for None or ""."""
    if amount in (None, ""):
        return ""
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    decimals = 0 if amount == amount.to_integral_value() else 2
    return format_for("price", language).format(amount=local_number(amount, decimals, language))
