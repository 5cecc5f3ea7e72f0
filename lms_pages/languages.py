"""The languages a text on the site can be written in, and what each is called in itself.

The site's own languages (settings.LANGUAGES) are those a page tree and the interface can be in; an
editor can also mark a part of a page as written in one of these (WCAG 3.1.2), and a brochure's file.
"""

from django.conf import settings
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
    ("se", _("Northern Sami")),
]

# The names as they stand inside a sentence ("finnes bare på norsk bokmål").
IN_A_SENTENCE = {
    "nb": pgettext_lazy("language name inside a sentence", "Norwegian Bokmål"),
    "nn": pgettext_lazy("language name inside a sentence", "Norwegian Nynorsk"),
    "en": pgettext_lazy("language name inside a sentence", "English"),
    "se": pgettext_lazy("language name inside a sentence", "Northern Sami"),
}

# Each language's own name for itself, as the language switcher shows it (Django knows no Sami).
LOCAL_NAMES = {"nb": "norsk bokmål", "nn": "norsk nynorsk", "en": "English", "se": "davvisámegiella"}


def local_name(code):
    return LOCAL_NAMES.get(code) or get_language_info(code)["name_local"]


def name(code):
    """The language's name in the active language ("Norwegian Bokmål", "norsk bokmål")."""
    return dict(LANGUAGE_CHOICES).get(code) or get_language_info(code)["name_translated"]


def name_in_sentence(code):
    return IN_A_SENTENCE.get(code) or name(code)


def interface_language(code):
    """The language the interface is shown in when `code` is asked for: the language itself where it has
    a reviewed translation of the interface, else the language it falls back to
    (settings.LMS_INTERFACE_FALLBACK, bokmål for Northern Sami)."""
    code = (code or settings.LANGUAGE_CODE).split("-")[0]
    return getattr(settings, "LMS_INTERFACE_FALLBACK", {}).get(code, code)
