"""The one way to lock places, and to count them.

Every change to who holds a group's places runs inside `transaction.atomic()` and locks the groups' rows
first, always in id order so that two writers never deadlock; then the registrations, if it needs them.
On PostgreSQL that is a row lock (`select_for_update`); on SQLite the whole write is serialised by
`transaction_mode = "IMMEDIATE"`. Under the lock the registrations are the truth: `count_places` reads
them, and `store_places` writes the counts that pages show (`GroupOccupancy`).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from lms_pages import front_cache
from lms_pages.models import GroupOccupancy, OfferingGroup, OfferingPage
from lms_pages.page_cache import bump_places_version
from lms_pages.places import has_room as places_have_room

from ..choices import HOLDS_PLACE, RegistrationStatus
from ..models import Registration

# The offering's fields that decide whether a registration is taken, read again under the group's lock.
REGISTRATION_SETTINGS = OfferingPage.registration_fields


class LockOutsideTransaction(RuntimeError):
    """A lock taken outside a transaction would be released at once, and protect nothing."""


def _require_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise LockOutsideTransaction("Places can only be locked inside transaction.atomic().")


def lock_groups(group_ids, *, with_offering=False):
    """Lock groups' rows for the rest of the transaction, in id order; return them in that order.

    `with_offering` reads each group's offering with its registration settings in the same query.
    """
    _require_transaction()
    groups = OfferingGroup.objects.select_for_update(of=("self",)).filter(
        pk__in={pk for pk in group_ids if pk is not None}
    )
    if with_offering:
        groups = groups.select_related("offering").only(
            "name", "places", "offering_id", *(f"offering__{name}" for name in REGISTRATION_SETTINGS)
        )
    return list(groups.order_by("pk"))


def lock_offering(offering_id):
    """Lock an offering without groups (its places are not limited) and read its registration settings."""
    _require_transaction()
    return OfferingPage.objects.select_for_update().only(*REGISTRATION_SETTINGS).get(pk=offering_id)


def lock_registrations(queryset):
    """Lock registrations, after their groups; return them in id order."""
    _require_transaction()
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


@dataclass
class Places:
    """A group's places held and its waiting list, as counted from its registrations."""

    taken: int = 0
    waiting: int = 0

    def add(self, status, people=1):
        if status in HOLDS_PLACE:
            self.taken += people
        elif status == RegistrationStatus.WAITING:
            self.waiting += people

    def move(self, before, after, people=1):
        self.add(before, -people)
        self.add(after, people)


def count_places(groups):
    """{group id: Places} from the registrations, in one query; call with the groups locked."""
    counts = {group.pk: Places() for group in groups}
    rows = (
        Registration.objects.filter(group__in=list(counts))
        .values("group")
        .annotate(
            taken=Count("pk", filter=Q(status__in=HOLDS_PLACE)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        )
        .order_by()
    )
    for row in rows:
        counts[row["group"]] = Places(row["taken"], row["waiting"])
    return counts


def store_places(counts):
    """Write the counts that the offering's pages show, in one query."""
    GroupOccupancy.objects.bulk_create(
        [
            GroupOccupancy(group_id=pk, places_taken=places.taken, waiting=places.waiting)
            for pk, places in counts.items()
        ],
        update_conflicts=True,
        unique_fields=["group"],
        update_fields=["places_taken", "waiting"],
    )
    # The pages that show the places left are rebuilt, and purged from a front cache, once the change is
    # committed.
    transaction.on_commit(bump_places_version, robust=True)
    if front_cache.enabled():
        group_ids = list(counts)
        transaction.on_commit(lambda: front_cache.purge_groups(group_ids), robust=True)


def recount(groups):
    """Count the locked groups' places again from their registrations, store and return the counts."""
    counts = count_places(groups)
    store_places(counts)
    return counts


def has_room(group, places, wanted=1):
    """Whether `wanted` more people can have a place in `group`, which holds `places` now.

    The one availability rule: registration, the waiting list, the import and the administrator's
    status changes ask it here, and the offering's pages through lms_pages.places.
    """
    return places_have_room(group.places, places.taken, wanted)


def recount_places(group_ids):
    """Lock the groups and count their places again (after registrations were written directly, as the
    demo content does)."""
    with transaction.atomic():
        return recount(lock_groups(group_ids))
