"""Every user-facing string has its bokmål and nynorsk translation, and the catalogues hold every string.

English needs no translation: the strings are written in English, and an empty English entry shows the
string itself.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PROJECT_DIR = Path(__file__).resolve().parent.parent
TRANSLATED = ("nb", "nn")
# Each catalogue, and the source folders whose strings it holds (as `make messages` extracts them).
CATALOGUES = {
    "lms_pages": ["lms_pages"],
    "lms_forms": ["lms_forms"],
    "locale": ["templates", "site"],
}


def catalogue_path(catalogue, language):
    folder = PROJECT_DIR / catalogue if catalogue == "locale" else PROJECT_DIR / catalogue / "locale"
    return folder / language / "LC_MESSAGES" / "django.po"


def read_catalogue(path):
    with path.open("rb") as file:
        return read_po(file)


def entry_ids(catalog):
    return {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id
    }


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("catalogue", list(CATALOGUES))
def test_every_string_is_translated(catalogue, language):
    catalog = read_catalogue(catalogue_path(catalogue, language))
    missing = []
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{catalogue} ({language}): {len(missing)} untranslated or fuzzy: {missing}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext (Debian: gettext)")
@pytest.mark.parametrize("catalogue", list(CATALOGUES))
def test_the_catalogue_holds_every_string_in_the_code(catalogue, tmp_path):
    """Extract the strings again, as `make messages` does, into a copy, and compare."""
    for folder in CATALOGUES[catalogue]:
        shutil.copytree(
            PROJECT_DIR / folder,
            tmp_path / folder,
            ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo"),
        )
    (tmp_path / "locale").mkdir()
    subprocess.run(  # noqa: S603 - the command is this file's own
        [sys.executable, str(PROJECT_DIR / "manage.py"), "makemessages", "-l", "nb", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
    )
    extracted = entry_ids(read_catalogue(tmp_path / "locale" / "nb" / "LC_MESSAGES" / "django.po"))
    committed = entry_ids(read_catalogue(catalogue_path(catalogue, "nb")))
    new = sorted(message_id for _context, message_id in extracted - committed)
    assert new == [], f"{catalogue}: not in the catalogue (run `make messages`, then translate): {new}"
