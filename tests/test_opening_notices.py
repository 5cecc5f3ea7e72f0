""" "Tell me when registration opens": ask, confirm by email, one email when it opens, and nothing kept.

The visitor leaves an address on the form page while registration is yet to open; an email with a signed
link asks them to confirm it; the run (`send_opening_notices`, queued for the opening or run by the
command) sends each confirmed address one email once the form takes registrations, and deletes it.
Unconfirmed addresses are deleted after a week; an unsubscribe link deletes one at any time before.
"""

import datetime
import re
import time
import types
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import default_task_backend

from lms_forms.models import OpeningNotice
from lms_forms.models.opening_notice import UNCONFIRMED_DAYS
from lms_forms.services import opening_notices
from lms_forms.services.opening_notices import send_opening_notices
from lms_forms.services.person import erase_person
from lms_pages.models import OfferingPage, Status
from tests.test_registration import make_offering

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _notice_settings(settings):
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"


@pytest.fixture
def opens():
    return timezone.now() + datetime.timedelta(days=2)


@pytest.fixture
def setup(catalogue, opens):
    """An offering whose registration opens in two days, with its form."""
    return make_offering(catalogue, registration_opens=opens)


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """POST an address to the notice form, running the on-commit callbacks (the email) as a commit would."""

    def post(setup, email, client=client, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(notice_url(setup), {"email": email, "website": "", **extra})

    return post


def notice_url(setup):
    return setup.page.url + setup.page.reverse_subpage("opening_notice")


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def words(response):
    return words_of(soup_of(response))


def words_of(element):
    return " ".join(element.get_text(" ").split())


def links_in(message):
    return LINK.findall(message.body)


def path_of(url):
    return urlsplit(url).path


def confirm_link(message):
    return path_of(next(link for link in links_in(message) if "/varsle/bekreft/" in link))


def unsubscribe_link(message):
    return path_of(next(link for link in links_in(message) if "/varsle/stopp/" in link))


def confirmed_notice(setup, ask, client, email="kari@example.org"):
    ask(setup, email)
    message = mail.outbox[-1]
    assert client.post(confirm_link(message)).status_code == 200
    return OpeningNotice.objects.get(email=email)


@pytest.mark.django_db
class TestAsking:
    def test_asking_sends_a_confirmation_email_with_a_link(self, setup, ask):
        response = ask(setup, " Kari@Example.org ")
        assert response.status_code == 302
        assert response["Location"] == setup.page.url + "varsle/sendt/"
        notice = OpeningNotice.objects.get()
        assert (notice.email, notice.confirmed_at, notice.language) == ("kari@example.org", None, "nb")
        (message,) = mail.outbox
        assert message.to == ["kari@example.org"]
        assert setup.offering.title in message.subject
        assert confirm_link(message).startswith(setup.page.url + "varsle/bekreft/")
        # The address is not in the link.
        assert "kari" not in confirm_link(message).lower()

    def test_the_visitor_is_told_to_check_their_email(self, setup, ask, client):
        response = client.get(ask(setup, "kari@example.org")["Location"])
        assert gettext("Check your email") in words(response)

    @pytest.mark.parametrize(
        "email", ["", "kari", "kari@", "kari@example", "a b@example.org", "x" * 250 + "@e.no"]
    )
    def test_a_bad_address_is_told_plainly_and_stores_nothing(self, setup, ask, email):
        response = ask(setup, email)
        assert response.status_code == 400
        summary = soup_of(response).select_one(".lms-opening-notice .lms-error-summary")
        assert summary is not None
        assert summary.select_one("a[href='#notice_email']") is not None
        assert not OpeningNotice.objects.exists()
        assert mail.outbox == []

    def test_the_message_is_in_the_visitors_language(self, setup, ask):
        summary = soup_of(ask(setup, "kari")).select_one(".lms-error-summary")
        assert (
            "E-post: Skriv inn en e-postadresse i riktig format, for eksempel navn@example.no."
            in words_of(summary)
        )

    def test_a_filled_honeypot_stores_nothing(self, setup, ask):
        response = ask(setup, "bot@example.org", website="http://spam.example")
        assert response.status_code == 400
        assert not OpeningNotice.objects.exists()
        assert mail.outbox == []

    def test_asking_again_tells_the_same_and_reveals_nothing(self, setup, ask, client):
        first = ask(setup, "kari@example.org")
        confirmed_notice(setup, ask, client, "ola@example.org")
        mail.outbox.clear()
        again_unconfirmed = ask(setup, "kari@example.org")
        again_confirmed = ask(setup, "ola@example.org")
        new = ask(setup, "per@example.org")
        for response in (first, again_unconfirmed, again_confirmed, new):
            assert (response.status_code, response["Location"]) == (302, first["Location"])
        # The unconfirmed address gets its confirmation again, the confirmed one no email at all.
        assert sorted(message.to[0] for message in mail.outbox) == ["kari@example.org", "per@example.org"]
        assert OpeningNotice.objects.count() == 3

    def test_no_notice_is_taken_once_registration_is_open(self, catalogue, ask):
        setup = make_offering(catalogue)
        response = ask(setup, "kari@example.org")
        assert response.status_code == 302
        assert response["Location"] == setup.page.url
        assert not OpeningNotice.objects.exists()

    def test_rate_limited_like_the_registration_form(self, setup, ask, settings, monkeypatch):
        settings.LMS_FORMS_RATE_LIMIT = "2/m"
        frozen = time.time()
        monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: frozen))
        statuses = [ask(setup, f"person{n}@example.org").status_code for n in range(3)]
        assert statuses == [302, 302, 429]
        assert OpeningNotice.objects.count() == 2

    def test_the_form_refuses_a_post_without_csrf_token(self, setup):
        client = Client(enforce_csrf_checks=True)
        assert client.post(notice_url(setup), {"email": "kari@example.org"}).status_code == 403
        assert not OpeningNotice.objects.exists()

    def test_confirming_and_unsubscribing_refuse_a_post_without_csrf_token(self, setup, ask):
        ask(setup, "kari@example.org")
        client = Client(enforce_csrf_checks=True)
        assert client.post(confirm_link(mail.outbox[0])).status_code == 403
        assert OpeningNotice.objects.get().confirmed_at is None
        assert client.post(unsubscribe_link(mail.outbox[0])).status_code == 403
        assert OpeningNotice.objects.exists()


@pytest.mark.django_db
class TestConfirming:
    def test_the_link_shows_a_button_and_the_post_confirms(self, setup, ask, client):
        ask(setup, "kari@example.org")
        link = confirm_link(mail.outbox[0])
        page = client.get(link)
        assert page.status_code == 200
        assert soup_of(page).select_one("form[method=post] button") is not None
        assert OpeningNotice.objects.get().confirmed_at is None  # opening the link confirms nothing
        assert client.post(link).status_code == 200
        assert OpeningNotice.objects.get().confirmed_at is not None

    def test_a_forged_link_confirms_nothing(self, setup, ask, client):
        ask(setup, "kari@example.org")
        link = confirm_link(mail.outbox[0])
        assert client.post(link[:-3] + "xx/").status_code == 404
        unsubscribe = unsubscribe_link(mail.outbox[0])
        # The unsubscribe link, put in place of the confirmation, is not one.
        token = unsubscribe.rstrip("/").rsplit("/", 1)[-1]
        assert client.post(setup.page.url + f"varsle/bekreft/{token}/").status_code == 404
        assert OpeningNotice.objects.get().confirmed_at is None

    def test_confirming_queues_the_run_for_the_opening(
        self, setup, ask, client, opens, django_capture_on_commit_callbacks
    ):
        ask(setup, "kari@example.org")
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
            backend = default_task_backend
            backend.clear()
            with django_capture_on_commit_callbacks(execute=True):
                assert client.post(confirm_link(mail.outbox[0])).status_code == 200
            (run,) = backend.results
            assert run.task.func is opening_notices.send_due_opening_notices.func
            assert run.task.run_after == opens


@pytest.mark.django_db
class TestSending:
    def test_nothing_is_sent_before_registration_opens(self, setup, ask, client, opens):
        confirmed_notice(setup, ask, client)
        mail.outbox.clear()
        assert send_opening_notices(now=opens - datetime.timedelta(minutes=1))["sent"] == 0
        assert mail.outbox == []
        assert OpeningNotice.objects.count() == 1

    def test_sent_exactly_once_when_it_opens_and_then_deleted(self, setup, ask, client, opens):
        confirmed_notice(setup, ask, client)
        ask(setup, "unconfirmed@example.org")
        mail.outbox.clear()
        assert send_opening_notices(now=opens + datetime.timedelta(minutes=1))["sent"] == 1
        (message,) = mail.outbox
        assert message.to == ["kari@example.org"]
        assert setup.offering.title in message.subject
        assert [path_of(link) for link in links_in(message)] == [setup.page.url]
        assert not OpeningNotice.objects.filter(email="kari@example.org").exists()
        # Later runs send nothing more; the unconfirmed address was never written to.
        assert send_opening_notices(now=opens + datetime.timedelta(minutes=5))["sent"] == 0
        assert len(mail.outbox) == 1

    def test_the_command_sends_what_is_due(self, setup, ask, client):
        confirmed_notice(setup, ask, client)
        mail.outbox.clear()
        call_command("send_opening_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert mail.outbox == []  # not open yet
        OfferingPage.objects.filter(pk=setup.offering.pk).update(
            registration_opens=timezone.now() - datetime.timedelta(minutes=1)
        )
        call_command("send_opening_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert [message.to for message in mail.outbox] == [["kari@example.org"]]
        assert not OpeningNotice.objects.exists()

    def test_confirming_after_it_opened_sends_at_once(
        self, setup, ask, client, django_capture_on_commit_callbacks
    ):
        ask(setup, "kari@example.org")
        link = confirm_link(mail.outbox[0])
        OfferingPage.objects.filter(pk=setup.offering.pk).update(
            registration_opens=timezone.now() - datetime.timedelta(minutes=1)
        )
        mail.outbox.clear()
        # The form page now shows the registration form; the link in the email still confirms.
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(link).status_code == 200
        assert [message.to for message in mail.outbox] == [["kari@example.org"]]
        assert not OpeningNotice.objects.exists()

    def test_a_failed_email_is_kept_and_tried_again(self, setup, ask, client, opens, monkeypatch):
        confirmed_notice(setup, ask, client)
        mail.outbox.clear()

        def fail(*args, **kwargs):
            raise OSError("mail server down")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", fail)
        assert send_opening_notices(now=opens)["sent"] == 0
        notice = OpeningNotice.objects.get()
        assert notice.sending_since is None
        monkeypatch.undo()
        assert send_opening_notices(now=opens)["sent"] == 1
        assert len(mail.outbox) == 1

    def test_a_notice_another_worker_has_claimed_is_not_sent_again(self, setup, ask, client, opens):
        notice = confirmed_notice(setup, ask, client)
        mail.outbox.clear()
        OpeningNotice.objects.filter(pk=notice.pk).update(sending_since=opens)
        assert send_opening_notices(now=opens)["sent"] == 0
        assert mail.outbox == []
        # A claim never finished is dropped after a while, never sent twice.
        later = opens + opening_notices.CLAIM_TIMEOUT + datetime.timedelta(minutes=1)
        assert send_opening_notices(now=later) == {"sent": 0, "expired": 0, "dropped": 1}
        assert mail.outbox == []
        assert not OpeningNotice.objects.exists()

    def test_an_offering_cancelled_drops_its_notices_unsent(self, setup, ask, client):
        confirmed_notice(setup, ask, client)
        mail.outbox.clear()
        OfferingPage.objects.filter(pk=setup.offering.pk).update(status=Status.CANCELLED)
        assert send_opening_notices()["dropped"] == 1
        assert mail.outbox == []
        assert not OpeningNotice.objects.exists()


@pytest.mark.django_db
class TestUnsubscribing:
    def test_the_link_stops_the_notice_before_it_is_sent(self, setup, ask, client, opens):
        ask(setup, "kari@example.org")
        link = unsubscribe_link(mail.outbox[0])
        client.post(confirm_link(mail.outbox[0]))
        page = client.get(link)
        assert page.status_code == 200
        assert OpeningNotice.objects.exists()  # opening the link stops nothing
        assert client.post(link).status_code == 200
        assert not OpeningNotice.objects.exists()
        mail.outbox.clear()
        assert send_opening_notices(now=opens)["sent"] == 0
        assert mail.outbox == []
        # The link, used again, says it is done.
        assert client.get(link).status_code == 200

    def test_a_forged_link_stops_nothing(self, setup, ask, client):
        ask(setup, "kari@example.org")
        link = unsubscribe_link(mail.outbox[0])
        assert client.post(link[:-3] + "xx/").status_code == 404
        assert OpeningNotice.objects.exists()


@pytest.mark.django_db
class TestExpiry:
    def test_unconfirmed_notices_are_deleted_after_a_week(self, setup, ask):
        ask(setup, "kari@example.org")
        notice = OpeningNotice.objects.get()
        almost = notice.created_at + datetime.timedelta(days=UNCONFIRMED_DAYS) - datetime.timedelta(minutes=1)
        assert send_opening_notices(now=almost)["expired"] == 0
        assert OpeningNotice.objects.exists()
        after = notice.created_at + datetime.timedelta(days=UNCONFIRMED_DAYS, minutes=1)
        assert send_opening_notices(now=after)["expired"] == 1
        assert not OpeningNotice.objects.exists()

    def test_confirmed_notices_do_not_expire(self, setup, ask, client):
        notice = confirmed_notice(setup, ask, client)
        OfferingPage.objects.filter(pk=setup.offering.pk).update(
            registration_opens=timezone.now() + datetime.timedelta(days=60)
        )
        later = notice.created_at + datetime.timedelta(days=UNCONFIRMED_DAYS + 1)
        assert send_opening_notices(now=later) == {"sent": 0, "expired": 0, "dropped": 0}
        assert OpeningNotice.objects.exists()

    def test_an_expired_confirmation_link_says_so(self, setup, ask, client):
        ask(setup, "kari@example.org")
        link = confirm_link(mail.outbox[0])
        OpeningNotice.objects.all().delete()
        response = client.post(link)
        assert response.status_code == 410
        assert gettext("This link has expired") in words(response)


@pytest.mark.django_db
def test_erasing_a_person_deletes_their_notices(setup, ask, client):
    confirmed_notice(setup, ask, client, "kari@example.org")
    ask(setup, "ola@example.org")
    erase_person("KARI@example.org", user=None)
    assert list(OpeningNotice.objects.values_list("email", flat=True)) == ["ola@example.org"]
