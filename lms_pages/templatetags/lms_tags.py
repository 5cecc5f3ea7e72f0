"""Template helpers shared by the extension's templates and a host's frame."""

import os

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import translations
from ..formats import local_format
from ..models import PriceType
from ..structured_data import dump_json_ld

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The page in each of the site's languages, for the language switcher and hreflang links."""
    return translations.language_links(
        context.get("page"), context.get("request"), context.get("LANGUAGE_CODE", settings.LANGUAGE_CODE)
    )


@register.simple_tag(takes_context=True)
def in_page_language(context, target):
    """The target page's version in the language of the page being shown, where it has one."""
    page = context.get("page")
    if target is None or getattr(page, "locale_id", None) is None:
        return target
    return translations.in_locale([target], page.locale_id)[0]


@register.filter
def page_type(page):
    """The page's type in words (e.g. "course programme"), read from its content type, not its row."""
    model = page.specific_class
    return model._meta.verbose_name if model else ""


@register.filter
def json_ld(data):
    return mark_safe(dump_json_ld(data))  # noqa: S308 -- dump_json_ld escapes <, > and &


@register.filter
def file_description(document):
    """File type and size, so a visitor on a phone knows what a download costs, e.g. "PDF, 1.2 MB"."""
    if not document:
        return ""
    extension = os.path.splitext(document.file.name)[1].lstrip(".").upper()
    try:
        size = document.get_file_size()
    except OSError:
        size = None
    parts = [extension] if extension else []
    if size:
        parts.append(filesizeformat(size))
    return ", ".join(parts)


@register.simple_tag
def price_text(offering):
    """The price as a visitor reads it: "Free", "NOK 750" or "Co-payment NOK 200"."""
    if offering.price_type == PriceType.FREE:
        return _("Free")
    amount = offering.price_amount
    text = (
        _("NOK %(amount)s")
        % {"amount": number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)}
        if amount is not None
        else ""
    )
    if offering.price_type == PriceType.CO_PAYMENT:
        return (
            _("Co-payment (egenandel): %(amount)s") % {"amount": text}
            if text
            else _("Co-payment (egenandel)")
        )
    return text


@register.filter
def lms_format(value, name):
    """A date or time in the active language's format `name` (lms_pages.formats): date, weekday_date,
    datetime, weekday_datetime or time."""
    return local_format(value, name)
