"""The language an email to a person is written in.

A registration, or a request to be told when registration opens, keeps the language that was active
when its form was sent: the language of the text of the page the person read (the page is served in
it, lms_pages.translations). The links in the emails go to that same page, which is served in the
same language again. Everything that writes to them later
(a task, an administrator's resend, an offered place, the opening notice) writes in that language,
under `in_language(code)`: subject, text, status lines, dates and numbers.

A language in which this app has no catalogue of its own (Northern Sami, `se`, for now: no reviewed
translation exists) gets bokmål, the site's default, rather than a mixture: its interface falls back to
bokmål too.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.utils import translation

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
