"""The language check the demo walk relies on (tests/language_check.py) tells the site's languages apart,
so that the walk fails where a page's marks are wrong."""

import pytest
from bs4 import BeautifulSoup

from tests.language_check import english_strings_in, mismatches

# From the seeds: the headache network (bokmål), the Nordhordland offering (nynorsk) and the Sami lines.
BOKMAL = (
    "«Når hodet blir en pine» er en ny type tilbud til personer som har hodepineplager. Det er et kurs som "
    "baserer seg på læringsnettverk: At man over tid sammen skal utveksle erfaringer, lære, og utvikle et "
    "kontaktnett av personer i samme situasjon som en selv."
)
NYNORSK = (
    "Utvikle eit interkommunalt tilbod for innbyggarar med, eller som står i fare for å utvikle ulike "
    "livsstilssjukdommar. Gje handlingskompetanse og hjelp til sjølvhjelp ved endring av levevanar. Styrke "
    "meistring for å førebygge og redusere sjukdom, og identifisere kompetanse og finne aktuelle personar "
    "frå kvar kommune som kan vera kurshaldarar."
)
ENGLISH = (
    "When your head becomes a torment is a new kind of offering for people who live with headaches. It is "
    "a course built on learning networks: over time, people in the same situation share experiences, "
    "learn and build a network of contacts."
)
SAMI = (
    "Sisdoalu lea almmuhan Nasjonal kompetansetjeneste for læring og mestring innen helse. Interneahtta. "
    "Oslo: Dearvvašvuođadirektoráhta; ođasmahtton 2023 guovvamánnu 15, gaskavahkku, vižžon 2024 "
    "suoidnemánnu 23, maŋŋebárga. Oažžumis dáppe. Maŋimusat ođastuvvon 2023 guovvamánnu 15, gaskavahkku. "
    "Sisdoalu lea almmuhan, maŋimusat ođastuvvon guovvamánnu."
)


def page(body, lang="nb"):
    return BeautifulSoup(f'<html lang="{lang}"><body>{body}</body></html>', "html.parser").body


@pytest.mark.parametrize(
    "text, language", [(BOKMAL, "nb"), (NYNORSK, "nn"), (ENGLISH, "en"), (SAMI, "se")], ids=str
)
def test_text_marked_as_its_own_language_passes(text, language):
    assert mismatches(page(f"<p>{text}</p>", lang=language)) == []


@pytest.mark.parametrize(
    "text, marked, detected",
    [
        (NYNORSK, "nb", "nn"),
        (BOKMAL, "nn", "nb"),
        (BOKMAL, "en", "nb"),
        (SAMI, "nb", "se"),
        (ENGLISH, "nb", "en"),
    ],
)
def test_text_marked_as_another_language_is_caught(text, marked, detected):
    (mismatch,) = mismatches(page(f"<p>{text}</p>", lang=marked))
    assert mismatch[:2] == (marked, detected)


def test_a_part_marked_with_its_own_language_is_read_as_that(text=SAMI):
    body = page(f'<p>{BOKMAL}</p><div lang="se"><p>{text}</p></div>')
    assert mismatches(body) == []


def test_an_english_interface_string_on_a_norwegian_page_is_caught():
    assert english_strings_in(page("<p>Skip to main content</p>")) == {"Skip to main content"}
    assert english_strings_in(page('<p lang="en">Skip to main content</p>')) == set()
