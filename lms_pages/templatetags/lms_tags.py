"""Template helpers shared by the extension's templates and a host's frame."""

import os

from django import template
from django.conf import settings
from django.db.models import Manager
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from wagtail.models import Site

from .. import languages, translations
from ..content_cache import get_or_build
from ..formats import local_format, local_price
from ..models import CataloguePage, PriceType
from ..structured_data import dump_json_ld

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The page in each of the site's languages, for the language switcher and hreflang links."""
    return translations.language_links(context.get("page"), context.get("request"))


@register.filter
def localized(value):
    """A topic or venue, or a list of them, in the page's language where translated."""
    if value is None or value == "":
        return value
    if hasattr(value, "translation_key"):
        return translations.localized([value])[0]
    # A related manager is read through all(), which uses what was prefetched; a queryset as it is.
    return translations.localized(value.all() if isinstance(value, Manager) else value)


@register.simple_tag
def interface_language():
    """The language the interface is shown in, for <html lang>: bokmål where the language asked for
    has no reviewed translation of the interface (Northern Sami)."""
    return languages.interface_language(get_language())


@register.simple_tag(takes_context=True)
def content_lang(context):
    """` lang="se"` on an element holding the page's own text, where that language differs from the
    interface around it (a Sami page in a bokmål interface); nothing otherwise."""
    page, request = context.get("page"), context.get("request")
    if page is None or getattr(page, "translation_key", None) is None:
        return ""
    language = translations.content_language(page, request)
    if language == languages.interface_language(language):
        return ""
    return format_html(' lang="{}"', language)


@register.simple_tag(takes_context=True)
def lang_of(context, other):
    """` lang="en"` on a link or title of another page whose text is in another language than this
    page's (the English title of a translated offering above its untranslated form); nothing otherwise."""
    page, request = context.get("page"), context.get("request")
    if other is None or page is None or getattr(other, "translation_key", None) is None:
        return ""
    language = getattr(other, "title_lang", None)
    if language is None:
        language = translations.content_language(other, request)
        language = "" if language == translations.content_language(page, request) else language
    return format_html(' lang="{}"', language) if language else ""


@register.simple_tag(takes_context=True)
def canonical_url(context):
    page, request = context.get("page"), context.get("request")
    if page is None or request is None or getattr(page, "translation_key", None) is None:
        return ""
    return translations.canonical_url(page, request)


@register.simple_tag(takes_context=True)
def language_notice(context):
    """The notice, in the visitor's language, that the page they asked for in it is written in another:
    "This page is only available in Norwegian Bokmål", with a link to the site in their language where
    it has one. Empty on a page written in the language asked for. A host's base template puts it at
    the top of <main>."""
    page, request = context.get("page"), context.get("request")
    if page is None or request is None or getattr(page, "translation_key", None) is None:
        return ""
    notice = translations.untranslated_notice(page, request)
    if notice is None:
        return ""
    with override(notice["asked"]):
        return render_to_string(
            "lms_pages/includes/language_notice.html",
            {
                "lang": languages.interface_language(notice["asked"]),
                "language": languages.name_in_sentence(notice["language"]),
                "asked_language": languages.name_in_sentence(notice["asked"]),
                "home": notice["home"],
            },
        )


@register.simple_tag(takes_context=True)
def site_catalogue_url(context):
    """The address of the site's catalogue in the visitor's language, for the search in the header; empty
    when the site has none."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return ""
    language = get_language()

    def build():
        catalogue = (
            CataloguePage.objects.live().in_site(site).filter(locale__language_code=settings.LANGUAGE_CODE)
        ).order_by("depth", "path").first() or CataloguePage.objects.live().in_site(site).order_by(
            "depth", "path"
        ).first()
        return translations.url_in_language(catalogue, request, language) if catalogue else ""

    return get_or_build(f"site-catalogue-url:{site.pk}:{language}", build)


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
    text = local_price(amount) if amount is not None else ""
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
