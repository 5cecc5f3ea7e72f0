"""What language a page's text is really in, against the language it is marked as.

The text of a page is split by the language it is marked with (the nearest `lang` attribute), and each
part long enough to tell is given to a language identifier (py3langid, trained on Wikipedia and other
corpora; it knows bokmål as "no", nynorsk as "nn" and Northern Sami as "se"). Its neighbours are among
the candidates, so that a Danish or Swedish-looking text is not forced into a Norwegian answer.
"""

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from py3langid.langid import MODEL_FILE, LanguageIdentifier

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The identifier's codes for the site's languages (bokmål is "no" to it), and the neighbours it weighs.
SITE_LANGUAGES = {"nb": "no", "nn": "nn", "en": "en", "se": "se"}
NEIGHBOURS = ["da", "sv", "fi", "de"]
# Fewer words than this say too little: a name, a date, a button.
MIN_WORDS = 25
SKIPPED_ELEMENTS = {"script", "style", "template", "noscript", "svg"}


@cache
def identifier():
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([*SITE_LANGUAGES.values(), *NEIGHBOURS])
    return identifier


def marked_language(node):
    """The language an element's text is marked as: its own or its nearest ancestor's `lang`."""
    for element in [node, *node.parents] if hasattr(node, "attrs") else node.parents:
        if getattr(element, "attrs", None) and element.get("lang"):
            return element["lang"].split("-")[0]
    return ""


def visible_strings(root):
    """(text, marked language) of each piece of text under `root` that a reader meets, by eye or by ear
    (visually hidden text included: a screen reader reads it)."""
    for string in root.find_all(string=True):
        if any(parent.name in SKIPPED_ELEMENTS or parent.has_attr("hidden") for parent in string.parents):
            continue
        if string.__class__.__name__ in ("Comment", "Doctype", "Declaration"):
            continue
        text = " ".join(string.split())
        if text:
            yield text, marked_language(string)


def text_by_language(root):
    """All text under `root`, joined per language it is marked as."""
    parts = {}
    for text, language in visible_strings(root):
        parts.setdefault(language, []).append(text)
    return {language: " ".join(texts) for language, texts in parts.items()}


def detect(text):
    """The site language the text is written in, by the identifier, or another code it found."""
    code, _probability = identifier().classify(text)
    return {value: key for key, value in SITE_LANGUAGES.items()}.get(code, code)


def words(text):
    # Words of letters only: numbers, dates, addresses and URLs tell nothing of the language.
    return re.findall(r"\b[^\W\d_]{2,}\b", re.sub(r"\S+@\S+|https?://\S+|www\.\S+", " ", text))


def mismatches(root):
    """[(marked, detected, sample)] for each language part under `root` long enough to tell, whose text
    is in another language than it is marked as."""
    found = []
    for language, text in text_by_language(root).items():
        text_words = words(text)
        if len(text_words) < MIN_WORDS:
            continue
        detected = detect(" ".join(text_words))
        if detected != language:
            found.append((language or "(none)", detected, " ".join(text_words[:30])))
    return found


@cache
def untranslated_interface_strings():
    """The interface's English source strings of two words or more whose bokmål and nynorsk differ from
    them: any of them on a Norwegian page is a string that was not translated."""
    strings = set()
    for catalogue in (
        PROJECT_DIR / "lms_pages" / "locale",
        PROJECT_DIR / "lms_forms" / "locale",
        PROJECT_DIR / "locale",
    ):
        for language in ("nb", "nn"):
            path = catalogue / language / "LC_MESSAGES" / "django.po"
            with path.open("rb") as file:
                for message in read_po(file):
                    source = message.id if isinstance(message.id, str) else message.id[0]
                    translated = message.string if isinstance(message.string, str) else message.string[0]
                    if not source or "%" in source or "{" in source or "<" in source:
                        continue
                    if len(source.split()) >= 2 and translated and translated != source:
                        strings.add(" ".join(source.split()))
    return frozenset(strings)


def english_strings_in(root):
    """The interface's English strings found in text under `root` marked as bokmål or nynorsk."""
    found = set()
    for text, marked in visible_strings(root):
        if marked in ("nb", "nn"):
            found.update(string for string in untranslated_interface_strings() if string in text)
    return found
