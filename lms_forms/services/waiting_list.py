"""The waiting list: the one place that decides who gets a freed place, and what happens to an offer.

Whenever places may have been freed (a cancellation by link or in the admin, a deletion, a status
change, a move to another group, an erasure, an import, a declined or expired offer), the service that
freed them calls `offer_freed_places` with the groups still locked. The first on a group's waiting list
(with their companion, if they brought one) is offered the place, by email, with a link to accept or
decline by a deadline: the form's `offer_hours`, never later than the group's next session. An offer not
answered in time is ended by `expire_offers` (a task queued for its deadline, and
`manage.py expire_offers` for backends that cannot run tasks later), and the place passes on.

    cancel(registration)                 # by the registrant's link
    accept_offer(registration) / decline_offer(registration)
    expire_offers()                      # every offer past its deadline
"""

import datetime

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from lms_pages.models import GroupSession, OfferingGroup, Status

from .. import audit
from ..choices import ENDED, RegistrationStatus
from ..models import Registration, RegistrationFormPage
from . import notifications
from .locking import has_room, lock_groups, lock_registrations, recount, store_places

# An offering that is not going ahead offers no places.
NOT_GOING_AHEAD = (Status.CANCELLED, Status.POSTPONED)


class OfferNotOpen(Exception):
    """The offer can no longer be accepted: it was answered, withdrawn or ran out."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def with_companions(queryset):
    """The registrations and the companions they brought."""
    return Registration.objects.filter(
        Q(pk__in=queryset.values("pk")) | Q(companion_of__in=queryset.values("pk"))
    )


def offer_freed_places(groups, counts, *, now=None, passed_over=()):
    """Offer each locked group's free places to the first on its waiting list, in order; return the
    registrants offered a place. Call with the groups locked and `counts` read under that lock.
    `passed_over`: registrations not to offer a place now (an administrator has just moved them)."""
    now = now or timezone.now()
    groups = [group for group in groups if counts[group.pk].waiting]
    if not groups:
        return []
    going_ahead = _going_ahead(groups, now)
    pages = {}
    offered = []
    for group in groups:
        if group.pk not in going_ahead:
            continue
        places = counts[group.pk]
        queue = lock_registrations(
            Registration.objects.filter(group=group, status=RegistrationStatus.WAITING).select_related(
                "companion"
            )
        )
        waiting = sorted(
            (
                registration
                for registration in queue
                if registration.companion_of_id is None and registration.pk not in passed_over
            ),
            key=lambda registration: (registration.submit_time, registration.pk),
        )
        pages.update(_form_pages(waiting))
        for registration in waiting:
            companion = _waiting_companion(registration)
            people = 2 if companion else 1
            # First come, first served: a pair waits for two places rather than be passed by one.
            if not has_room(group, places, people):
                break
            expires = _offer_deadline(pages[registration.page_id], going_ahead[group.pk], now)
            for person in (registration, companion):
                if person is not None:
                    person.status = RegistrationStatus.OFFERED
                    person.offer_expires_at = expires
                    person.save(update_fields=["status", "offer_expires_at", "updated_at"])
            places.move(RegistrationStatus.WAITING, RegistrationStatus.OFFERED, people)
            offered.append(registration)
    if offered:
        store_places({group.pk: counts[group.pk] for group in groups})
        _queue_offers(offered, [], pages)
        audit.log_for_offerings(audit.PLACES_OFFERED, None, audit.count_per_offering(offered))
    return offered


def _waiting_companion(registration):
    try:
        companion = registration.companion
    except Registration.DoesNotExist:
        return None
    return companion if companion.status == RegistrationStatus.WAITING else None


def _going_ahead(groups, now):
    """{group id: its next session's start (None without sessions)} for the groups that still give
    places: the offering is going ahead, and the group has a session to come or none at all."""
    ids = [group.pk for group in groups]
    sessions = {
        row["group"]: row
        for row in GroupSession.objects.filter(group__in=ids)
        .values("group")
        .annotate(next=Min("start", filter=Q(start__gt=now)))
        .order_by()
    }
    statuses = dict(OfferingGroup.objects.filter(pk__in=ids).values_list("pk", "offering__status"))
    going_ahead = {}
    for pk in ids:
        row = sessions.get(pk)
        if statuses[pk] in NOT_GOING_AHEAD or (row is not None and row["next"] is None):
            continue
        going_ahead[pk] = row["next"] if row is not None else None
    return going_ahead


def _offer_deadline(page, next_session, now):
    deadline = now + datetime.timedelta(hours=page.offer_hours)
    return min(deadline, next_session) if next_session is not None else deadline


def _form_pages(registrations):
    return RegistrationFormPage.objects.in_bulk({registration.page_id for registration in registrations})


def _queue_offers(offered, expired, pages):
    """The emails, and for each offer the task that ends it at its deadline."""
    notifications.queue_offer_emails(offered, expired, pages)
    if not expire_offer.get_backend().supports_defer:
        return  # manage.py expire_offers ends them
    for registration in offered:
        deadline, pk = registration.offer_expires_at, registration.pk
        transaction.on_commit(
            lambda deadline=deadline, pk=pk: expire_offer.using(run_after=deadline).enqueue(pk), robust=True
        )


# What a registrant does with their links.


def cancel(registration, *, now=None):
    """Cancel a registration (and the companion it brought); a freed place is offered to the next.

    Returns the registrants who were offered a place.
    """
    with transaction.atomic():
        groups = lock_groups([registration.group_id])
        people = lock_registrations(with_companions(Registration.objects.filter(pk=registration.pk)))
        if not people or all(person.status in ENDED for person in people):
            return []
        Registration.objects.filter(pk__in=[person.pk for person in people]).update(
            status=RegistrationStatus.CANCELLED, offer_expires_at=None, updated_at=timezone.now()
        )
        return offer_freed_places(groups, recount(groups), now=now)


def accept_offer(registration, *, now=None):
    """Take the offered place (with the companion). Raises OfferNotOpen when it has run out or been
    answered; an offer found past its deadline is ended here and passed on."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_groups([registration.group_id])
        people = lock_registrations(with_companions(Registration.objects.filter(pk=registration.pk)))
        current = next((person for person in people if person.pk == registration.pk), None)
        if current is None or current.status != RegistrationStatus.OFFERED:
            raise OfferNotOpen(_("This offer has already been answered, or is no longer open."))
        if current.offer_expires_at is not None and current.offer_expires_at <= now:
            expired = True
        else:
            expired = False
            Registration.objects.filter(
                pk__in=[person.pk for person in people if person.status == RegistrationStatus.OFFERED]
            ).update(status=RegistrationStatus.PLACE, offer_expires_at=None, updated_at=now)
    if expired:
        expire_offers(now=now, registration_ids=[registration.pk])
        raise OfferNotOpen(_("The time to answer this offer has run out, so the place has gone to the next."))


def decline_offer(registration, *, now=None):
    """Say no to an offered place: the registration is cancelled and the place offered to the next."""
    with transaction.atomic():
        groups = lock_groups([registration.group_id])
        people = lock_registrations(with_companions(Registration.objects.filter(pk=registration.pk)))
        current = next((person for person in people if person.pk == registration.pk), None)
        if current is None or current.status != RegistrationStatus.OFFERED:
            raise OfferNotOpen(_("This offer has already been answered, or is no longer open."))
        Registration.objects.filter(pk__in=[person.pk for person in people]).update(
            status=RegistrationStatus.CANCELLED, offer_expires_at=None, updated_at=timezone.now()
        )
        return offer_freed_places(groups, recount(groups), now=now)


# Offers that ran out.


def expire_offers(*, now=None, registration_ids=None):
    """End every offer past its deadline (or those of `registration_ids` that are), tell the people,
    and offer the places to the next. Safe to run by several workers at once: each offer is ended
    under its group's lock, once. Returns the number of offers ended."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=RegistrationStatus.OFFERED, offer_expires_at__lte=now, companion_of__isnull=True
    )
    if registration_ids is not None:
        due = due.filter(pk__in=registration_ids)
    group_ids = set(due.values_list("group_id", flat=True))
    if not group_ids:
        return 0
    with transaction.atomic():
        groups = lock_groups(group_ids)
        # Read again under the lock: another worker, or the person, may have got there first.
        expired = [
            person
            for person in lock_registrations(with_companions(due))
            if person.status == RegistrationStatus.OFFERED and person.offer_expires_at <= now
        ]
        if not expired:
            return 0
        Registration.objects.filter(pk__in=[person.pk for person in expired]).update(
            status=RegistrationStatus.OFFER_EXPIRED, offer_expires_at=None, updated_at=now
        )
        registrants = [person for person in expired if person.companion_of_id is None]
        _queue_offers([], registrants, _form_pages(registrants))
        audit.log_for_offerings(audit.OFFERS_EXPIRED, None, audit.count_per_offering(registrants))
        offer_freed_places(groups, recount(groups), now=now)
    return len(registrants)


@task()
def expire_offer(registration_id):
    """Queued for an offer's deadline: end it if it is still open then, and pass the place on."""
    expire_offers(registration_ids=[registration_id])
