"""The language an email to a person is written in, and the links in it.

A registration, or a request to be told when registration opens, keeps the language that was active
when its form was sent: the language of the page the person read. Everything that writes to them later
(a task, an administrator's resend, an offered place, the opening notice) writes in that language,
under `in_language(code)`: subject, text, status lines, dates and numbers.

A language in which this app has no catalogue of its own (Northern Sami, `se`, for now: no reviewed
translation exists) gets bokmål, the site's default, rather than a mixture: its interface falls back to
bokmål too.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Site

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def _has_catalogue(language):
    return (LOCALE_DIR / translation.to_locale(language) / "LC_MESSAGES").is_dir()


def _code(language):
    return (language or "").strip().lower()


def email_language(language):
    """The language to write to someone who used `language`: it, when this app speaks it, else the
    site's default (settings.LANGUAGE_CODE)."""
    code = _code(language)
    if code and (
        code == settings.LANGUAGE_CODE or _has_catalogue(code) or _has_catalogue(code.split("-")[0])
    ):
        return code
    return settings.LANGUAGE_CODE


def in_language(language):
    """`with in_language(registration.language):` renders an email in the registrant's language."""
    return translation.override(email_language(language))


def _tree_language(page):
    """The language of the page tree `page` is in (read from Wagtail's cached site root paths)."""
    for root in Site.get_site_root_paths():  # the deepest root first
        if page.url_path.startswith(root.root_path):
            return root.language_code
    return None


def full_url_in(page, language):
    """The page's full address, read in `language`: the page's own where its tree is in that language
    (a translation or an alias), else the same page with the interface in `language` (its language
    prefix), as the person read it on a site without a tree of its own for their language."""
    url = page.get_full_url()
    code = _code(language)
    tree_language = _tree_language(page)
    if not code or tree_language in (None, code) or code not in dict(settings.LANGUAGES):
        return url
    with translation.override(tree_language):  # translate_url reads the path in its own language
        return translate_url(url, code)
