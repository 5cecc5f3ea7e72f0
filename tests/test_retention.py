"""Retention: personal data deleted when the offering's retention period has run out, and only then."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import PageLogEntry

from lms_forms import audit
from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration
from lms_forms.services.retention import (
    deletion_dates,
    next_purge_time,
    purge_personal_data,
    purge_personal_data_daily,
    schedule_purge,
)
from lms_pages.models import GroupSession
from tests.factories import oslo
from tests.test_participant_admin import add_registration, counts, text
from tests.test_registration import make_offering

# make_offering's one session: 15 January 2030 at 18.00; with the default 90 days, the list is deleted
# on 15 April 2030 at 18.00.
LAST_SESSION = oslo(2030, 1, 15, 18)
BEFORE = oslo(2030, 4, 15, 17, 59)
AFTER = oslo(2030, 4, 15, 18, 0)


@pytest.fixture
def setup(catalogue):
    setup = make_offering(catalogue, places=1)
    setup.kari = add_registration(
        setup, setup.group, "Kari Nordmann", "kari@example.org", phone="+4791234567"
    )
    setup.ola = add_registration(
        setup,
        setup.group,
        "Ola Nordmann",
        "ola@example.org",
        RegistrationStatus.WAITING,
        birth_date=datetime.date(1980, 5, 17),
        note="Ringer etter klokka 16",
    )
    return setup


def fresh(registration):
    return Registration.objects.get(pk=registration.pk)


@pytest.mark.django_db
class TestPurge:
    def test_nothing_is_deleted_before_the_period_has_run_out(self, setup):
        assert purge_personal_data(now=BEFORE) == {}
        assert fresh(setup.kari).name == "Kari Nordmann"

    def test_after_it_the_personal_data_are_gone_and_the_counts_stay(self, setup):
        assert purge_personal_data(now=AFTER) == {setup.offering.pk: 2}
        kari, ola = fresh(setup.kari), fresh(setup.ola)
        for registration in (kari, ola):
            assert registration.name == ""
            assert registration.phone == ""
            assert registration.birth_date is None
            assert registration.form_data == {}
            assert registration.note == ""
            assert registration.email.endswith("@deleted.invalid")
            assert "kari" not in registration.email and "ola" not in registration.email
            assert registration.anonymised_at is not None
        assert kari.email != ola.email
        # What the statistics need stays: status, group, source, when.
        assert (kari.status, ola.status) == (RegistrationStatus.PLACE, RegistrationStatus.WAITING)
        assert kari.group == setup.group and kari.submit_time == setup.kari.submit_time
        assert counts(setup.group) == (1, 1)

    def test_the_audit_log_has_the_count_and_nothing_personal(self, setup):
        purge_personal_data(now=AFTER)
        entry = PageLogEntry.objects.get(action=audit.PURGED)
        assert entry.page_id == setup.offering.pk
        assert entry.data == {"rows": 2}
        assert entry.user is None
        assert "2" in entry.message

    def test_a_second_run_finds_nothing_more(self, setup):
        purge_personal_data(now=AFTER)
        assert purge_personal_data(now=AFTER + datetime.timedelta(days=1)) == {}
        assert PageLogEntry.objects.filter(action=audit.PURGED).count() == 1

    def test_the_form_sets_a_shorter_period(self, setup):
        setup.page.retention_days = 30
        setup.page.save()
        assert purge_personal_data(now=oslo(2030, 2, 14, 17)) == {}
        assert purge_personal_data(now=oslo(2030, 2, 14, 18)) == {setup.offering.pk: 2}

    def test_the_site_sets_the_default(self, setup, settings):
        settings.LMS_RETENTION_DAYS = 10
        assert purge_personal_data(now=oslo(2030, 1, 25, 18)) == {setup.offering.pk: 2}

    def test_a_session_that_ends_later_counts_from_its_end(self, setup):
        GroupSession.objects.filter(group=setup.group).update(end=oslo(2030, 1, 20, 12))
        assert purge_personal_data(now=AFTER) == {}
        assert purge_personal_data(now=oslo(2030, 4, 20, 12)) == {setup.offering.pk: 2}

    def test_without_sessions_each_registration_goes_on_its_own_date(self, setup):
        GroupSession.objects.filter(group__offering=setup.offering).delete()
        Registration.objects.filter(pk=setup.kari.pk).update(submit_time=oslo(2029, 1, 1))
        Registration.objects.filter(pk=setup.ola.pk).update(submit_time=oslo(2029, 3, 1))
        assert purge_personal_data(now=oslo(2029, 4, 15)) == {setup.offering.pk: 1}
        assert fresh(setup.kari).name == ""
        assert fresh(setup.ola).name == "Ola Nordmann"

    def test_other_offerings_keep_their_lists(self, setup, catalogue):
        later = make_offering(catalogue, title="Mestringstreff")
        GroupSession.objects.filter(group__offering=later.offering).update(start=oslo(2031, 1, 1))
        other = add_registration(later, later.group, "Siri Berg", "siri@example.org")
        assert purge_personal_data(now=AFTER) == {setup.offering.pk: 2}
        assert fresh(other).name == "Siri Berg"

    def test_anonymised_people_may_register_again_with_their_email(self, setup):
        purge_personal_data(now=AFTER)
        again = add_registration(setup, setup.group, "Kari Nordmann", "kari@example.org")
        assert again.pk

    def test_a_dry_run_counts_and_changes_nothing(self, setup):
        assert purge_personal_data(now=AFTER, dry_run=True) == {setup.offering.pk: 2}
        assert fresh(setup.kari).name == "Kari Nordmann"
        assert not PageLogEntry.objects.filter(action=audit.PURGED).exists()


@pytest.mark.django_db
class TestDeletionDates:
    def test_the_date_the_list_is_deleted(self, setup):
        assert deletion_dates([setup.offering.pk]) == {setup.offering.pk: datetime.date(2030, 4, 15)}

    def test_none_when_each_registration_has_its_own(self, setup):
        GroupSession.objects.filter(group__offering=setup.offering).delete()
        assert deletion_dates([setup.offering.pk]) == {setup.offering.pk: None}

    def test_the_participant_list_shows_it(self, setup, client, course_admin):
        client.force_login(course_admin)
        response = client.get(reverse("participants_modeladmin_index"))
        assert "Personopplysninger slettes" in text(response)
        assert "15. april 2030" in text(response)

    def test_the_participant_list_shows_the_days_without_sessions(self, setup, client, course_admin):
        GroupSession.objects.filter(group__offering=setup.offering).delete()
        client.force_login(course_admin)
        response = client.get(reverse("participants_modeladmin_index"))
        assert "90 dager etter hver påmelding" in text(response)


@pytest.mark.django_db
class TestCommand:
    def test_purges_and_reports(self, setup, monkeypatch):
        monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER)
        out = io.StringIO()
        call_command("purge_participant_data", stdout=out)
        assert "Hodepineskolen: 2" in out.getvalue()
        assert fresh(setup.kari).name == ""

    def test_dry_run(self, setup, monkeypatch):
        monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER)
        out = io.StringIO()
        call_command("purge_participant_data", "--dry-run", stdout=out)
        assert "Hodepineskolen: 2" in out.getvalue()
        assert fresh(setup.kari).name == "Kari Nordmann"

    def test_schedule_needs_a_backend_that_runs_tasks_later(self, db):
        with pytest.raises(CommandError):
            call_command("purge_participant_data", "--schedule", stdout=io.StringIO())


@pytest.mark.django_db
class TestDailyTask:
    def test_runs_the_purge(self, setup, monkeypatch):
        monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER)
        purge_personal_data_daily.enqueue()
        assert fresh(setup.kari).name == ""

    def test_queues_the_next_run_at_three_at_night(self, db, settings):
        from django_tasks_db.models import DBTaskResult

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        run_after = schedule_purge(now=oslo(2030, 3, 1, 12))
        assert run_after == oslo(2030, 3, 2, 3)
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "lms_forms.services.retention.purge_personal_data_daily"
        assert queued.run_after == run_after

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            (oslo(2030, 3, 1, 2, 59), oslo(2030, 3, 1, 3)),
            (oslo(2030, 3, 1, 3), oslo(2030, 3, 2, 3)),
            (oslo(2030, 3, 30, 12), oslo(2030, 3, 31, 3)),  # summer time begins that night
        ],
    )
    def test_next_purge_time(self, now, expected):
        assert next_purge_time(now) == expected
        assert next_purge_time(now).utcoffset() == expected.utcoffset()
