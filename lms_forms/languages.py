"""The language an email to a person is written in.

A registration, or a request to be told when registration opens, keeps the language that was active
when its form was sent: the language of the text of the page the person read (the page is served in
it, lms_pages.translations). The links in the emails go to that same page, which is served in the
same language again. Everything that writes to them later
(a task, an administrator's resend, an offered place, the opening notice) writes in that language,
under `in_language(code)`: subject, text, status lines, dates and numbers.

A language without a reviewed translation of the interface (Northern Sami, `se`, for now) gets its
fallback, bokmål, rather than a mixture, as its pages' interface does (settings.LMS_INTERFACE_FALLBACK).
"""

from django.conf import settings
from django.utils import translation

from lms_pages.languages import interface_language


def email_language(language):
    """The language to write to someone who used `language`: its interface language (bokmål for a
    language without a reviewed interface, lms_pages.languages), or the site's default for a language
    the site does not offer."""
    code = (language or "").strip().lower().split("-")[0]
    if code not in dict(settings.LANGUAGES):
        return settings.LANGUAGE_CODE
    return interface_language(code)


def in_language(language):
    """`with in_language(registration.language):` renders an email in the registrant's language."""
    return translation.override(email_language(language))
