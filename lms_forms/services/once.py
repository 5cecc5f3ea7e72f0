"""Sending what a scheduled run owes each person exactly once, however many runs there are at a time.

The rows are `ClaimedSend` models (lms_forms.models.reminder): a reminder, an invitation to evaluate.

    claim = new_claim()
    claim_rows(Model, [Model(..., claim=claim, claimed_at=now), ...])   # a unique constraint decides
    take_over_stale(Model, claim, now, **still_to_come)                 # claims of a run that stopped
    send_claimed(Model, rows, send, still_due=Q(...))                   # each row: mark, send, record

A row is marked as being sent just before it is handed on, and as sent right after. A failure deletes
the row, so the next run claims and tries it again. A run that stopped between marking and recording
leaves a row "being sent": it may have gone, and nobody is to get two, so it is left as it is.
"""

import datetime
import logging
import uuid
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# A claim this old that was never being sent belongs to a run that stopped: another run takes it over.
CLAIM_TIMEOUT = datetime.timedelta(minutes=30)


def new_claim():
    return uuid.uuid4()


def claim_rows(model, rows):
    """Insert `rows`; those another run inserted first are passed over (the unique constraint)."""
    if rows:
        model.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def take_over_stale(model, claim, now, **filters):
    """Claims of a run that stopped before it began sending them; the condition makes one run win."""
    model.objects.filter(
        sent_at__isnull=True, sending_since__isnull=True, claimed_at__lt=now - CLAIM_TIMEOUT, **filters
    ).update(claim=claim, claimed_at=now)


def claimed(model, claim):
    """This run's rows, not yet sent."""
    return list(
        model.objects.filter(claim=claim, sending_since__isnull=True, sent_at__isnull=True).order_by("pk")
    )


@contextmanager
def _mark():
    """One mark, committed without waiting for the disk on PostgreSQL: a worker that stops right after
    still leaves it written (only the database server's own crash could lose the last moment's marks),
    and 10,000 marks do not wait for 10,000 flushes."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def send_claimed(model, rows, send, *, still_due=None):
    """Send each of `rows` with `send(row)`, once; a row that no longer matches `still_due` (a Q, e.g.
    the person still holds a place) is dropped unsent. Returns {"sent": n, "failed": n}."""
    result = {"sent": 0, "failed": 0}
    for row in rows:
        with _mark():
            marked = model.objects.filter(pk=row.pk, sending_since__isnull=True)
            if not marked.filter(still_due or Q()).update(sending_since=timezone.now()):
                marked.delete()
                continue
        try:
            send(row)
        except Exception:  # noqa: BLE001 - released, and tried again by the next run
            logger.exception("%s %s was not sent", model._meta.verbose_name, row.pk)
            model.objects.filter(pk=row.pk).delete()
            result["failed"] += 1
            continue
        with _mark():
            model.objects.filter(pk=row.pk).update(sent_at=timezone.now())
        result["sent"] += 1
    return result
