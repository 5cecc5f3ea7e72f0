"""How long registrations keep their personal data, and deleting it when that time has run out.

An offering's registrations keep names, contact details and answers for its registration form's
`retention_days` (or `settings.LMS_RETENTION_DAYS`, 90 by default) after the offering's last session;
for an offering without sessions, that many days after each registration. Then they are anonymised:
the row stays, with its status, group, source and dates, so the offering's counts and statistics stay
right, but nothing in it says who the person was. The audit log records how many rows, never whose.

    purge_personal_data()                # what `manage.py purge_participant_data` and the daily task do
    deletion_dates([offering.pk])        # {offering id: when its list is deleted, or None}
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Max, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django_tasks import task

from lms_pages.models import GroupSession

from .. import audit
from ..models import Registration

DEFAULT_RETENTION_DAYS = 90
# The daily purge runs at this hour, Norwegian time.
PURGE_HOUR = 3

logger = logging.getLogger(__name__)


def default_retention_days():
    return getattr(settings, "LMS_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


@dataclass(frozen=True)
class Retention:
    """An offering's retention: its days, and its last session's end (None without sessions)."""

    offering_id: int
    days: int
    last_session: datetime.datetime | None

    @property
    def deletes_at(self):
        """When the whole list is anonymised; None when each registration goes on its own date."""
        if self.last_session is None:
            return None
        # Counted in Norwegian days: 18.00 in January is 18.00 in April, summer time or not.
        return timezone.localtime(self.last_session) + datetime.timedelta(days=self.days)

    def expired(self, now):
        """The offering's registrations whose personal data should be gone at `now`."""
        registrations = Registration.objects.filter(offering_id=self.offering_id, anonymised_at__isnull=True)
        if self.last_session is None:
            return registrations.filter(submit_time__lt=now - datetime.timedelta(days=self.days))
        return registrations if self.deletes_at <= now else registrations.none()


def retentions(offering_ids=None):
    """{offering id: Retention} for the offerings that have registrations not yet anonymised.

    Two queries whatever the number of offerings: the forms' retention days, and the last sessions.
    """
    registrations = Registration.objects.filter(anonymised_at__isnull=True)
    if offering_ids is not None:
        registrations = registrations.filter(offering_id__in=offering_ids)
    days = {}
    for offering_id, form_days in (
        registrations.order_by()
        .values_list("offering", "page__registrationformpage__retention_days")
        .distinct()
    ):
        chosen = default_retention_days() if form_days is None else form_days
        # An offering whose registrations came through two forms keeps them for the shorter time.
        days[offering_id] = min(days.get(offering_id, chosen), chosen)
    last_sessions = dict(
        GroupSession.objects.filter(group__offering__in=list(days))
        .order_by()
        .values("group__offering")
        .annotate(last=Max(Coalesce("end", "start")))
        .values_list("group__offering", "last")
    )
    return {
        offering_id: Retention(offering_id, offering_days, last_sessions.get(offering_id))
        for offering_id, offering_days in days.items()
    }


def deletion_dates(offering_ids):
    """{offering id: the Norwegian date its list is deleted, or None (each registration on its own)}."""
    return {
        offering_id: timezone.localdate(retention.deletes_at) if retention.deletes_at else None
        for offering_id, retention in retentions(offering_ids).items()
    }


def anonymise(registrations):
    """Delete the personal data of `registrations` in one UPDATE; return how many rows changed.

    The email becomes a unique address that cannot receive mail (the .invalid domain is reserved), so
    the rule of one active registration per email and offering still holds.
    """
    return registrations.update(
        name="",
        email=Concat(Value("slettet-"), Cast("reference", CharField()), Value("@deleted.invalid")),
        phone="",
        birth_date=None,
        form_data={},
        sensitive_answers={},
        note="",
        anonymised_at=timezone.now(),
    )


def purge_personal_data(now=None, dry_run=False):
    """Anonymise every registration past its retention; {offering id: rows}, logged per offering.

    With `dry_run`, counts what would be anonymised and changes nothing (and logs nothing).
    """
    now = now or timezone.now()
    counts = {}
    for offering_id, retention in retentions().items():
        expired = retention.expired(now)
        if dry_run:
            rows = expired.count()
        else:
            with transaction.atomic():
                rows = anonymise(expired)
        if rows:
            counts[offering_id] = rows
    if not dry_run:
        audit.log_for_offerings(audit.PURGED, None, counts)
    return counts


# The daily purge: each run schedules the next, at PURGE_HOUR Norwegian time, on a backend that can
# run tasks later (the database queue in production); `manage.py purge_participant_data --schedule`
# starts it once.


def next_purge_time(now=None):
    """The next PURGE_HOUR o'clock in Norwegian time after `now`, as an aware datetime."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=PURGE_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run = timezone.make_aware(
            datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(PURGE_HOUR))
        )
    return run


def schedule_purge(now=None):
    """Queue the next daily purge; returns its time, or None when the backend cannot run tasks later."""
    if not purge_personal_data_daily.get_backend().supports_defer:
        return None
    run_after = next_purge_time(now)
    purge_personal_data_daily.using(run_after=run_after).enqueue()
    return run_after


@task()
def purge_personal_data_daily():
    """Anonymise what is past its retention, then queue tomorrow's run."""
    try:
        counts = purge_personal_data()
        logger.info("Personal data deleted past retention: %d registrations", sum(counts.values()))
    finally:
        schedule_purge()
