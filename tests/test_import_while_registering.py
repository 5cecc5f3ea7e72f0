"""A large import while people register: nobody gets a server error, nothing is half-written.

The import locks the offering's groups for as long as it runs. A registration for one of them waits a
bounded time (SQLite's busy timeout, PostgreSQL's lock_timeout) and is then told, in the visitor's
language, to try again in a moment, with the answers still in the form; nothing of it is stored. The
import is held in the middle of its rows (its progress callback waits) so that both run at once.
"""

import threading

import pytest
from bs4 import BeautifulSoup
from django.db import connection, connections
from django.utils import translation
from django.utils.translation import gettext

from lms_forms.models import Registration
from lms_forms.transfer.files import read_participant_file
from lms_forms.transfer.importing import import_participants
from tests.test_participant_import import csv_upload
from tests.test_registration import form_data, make_offering

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROWS = 200
BUSY = (
    "Many are registering right now, and your registration could not be taken. Nothing was stored: wait "
    "a moment and send the form again."
)
with translation.override("nb"):
    BUSY_NB = gettext(BUSY)


@pytest.fixture(autouse=True)
def _registration_settings(settings):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "100000/m"


def short_lock_wait():
    """Let the registration wait half a second rather than the site's ten."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
    else:
        connection.ensure_connection()
        connection.connection.execute("PRAGMA busy_timeout = 500")


class HeldImport(threading.Thread):
    """An import of ROWS people that stops after its first row until `release()`."""

    def __init__(self, setup):
        super().__init__(daemon=True)
        rows = [[f"Person {n}", f"person{n}@example.org", "", "", "Oslo", "", ""] for n in range(ROWS)]
        self.dataset = read_participant_file(csv_upload(rows))
        self.setup = setup
        self.started = threading.Event()
        self.proceed = threading.Event()
        self.report = None
        self.error = None

    def progress(self, _rows):
        if not self.started.is_set():
            self.started.set()
            self.proceed.wait(timeout=60)

    def run(self):
        try:
            self.report = import_participants(self.setup.offering, self.dataset, progress=self.progress)
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            connections.close_all()

    def release(self):
        self.proceed.set()
        self.join(timeout=120)


def test_a_registration_during_an_import_is_asked_to_try_again_and_stores_nothing(catalogue, client):
    setup = make_offering(catalogue, places=ROWS + 10, groups=("Oslo",))
    assert client.get(setup.page.url).status_code == 200  # the site's settings row exists from here on
    importing = HeldImport(setup)
    importing.start()
    assert importing.started.wait(timeout=60), importing.error
    try:
        short_lock_wait()
        response = client.post(setup.page.url, form_data(setup, email="kari@example.org"))
    finally:
        importing.release()
    assert importing.error is None, importing.error
    assert response.status_code == 503
    soup = BeautifulSoup(response.content, "html.parser")
    alert = soup.find(attrs={"role": "alert"})
    assert BUSY_NB != BUSY and BUSY_NB in alert.get_text()  # said in the visitor's language, bokmål
    # The answers are still in the form, to be sent again.
    assert soup.find("input", attrs={"name": "email"})["value"] == "kari@example.org"
    assert not Registration.objects.filter(email="kari@example.org").exists()

    # The import went through whole, and the next try registers.
    assert importing.report.committed
    assert Registration.objects.filter(offering=setup.offering).count() == ROWS
    assert client.post(setup.page.url, form_data(setup, email="kari@example.org")).status_code == 302
    assert setup.group.occupancy.__class__.objects.get(group=setup.group).places_taken == ROWS + 1
