"""Everything the site holds about one email address, across offerings: its record, and its erasure.

For a person's requests under the GDPR: access (article 15: every registration with its answers) and
erasure (article 17: the registrations are cancelled and their personal data deleted; the rows stay,
anonymised, so the groups' counts stay right, and freed places go to the waiting list; any request to
be told when a registration opens is deleted). Both are in
the audit log, with counts, never the address.
"""

from django.db import transaction
from django.utils import timezone

from .. import audit
from ..choices import ACTIVE, RegistrationStatus
from ..models import EVERYWHERE, OpeningNotice, Registration
from .locking import lock_groups, lock_registrations, recount
from .retention import anonymise
from .waiting_list import offer_freed_places, with_companions


def registrations_of(email, scope=EVERYWHERE):
    """The registrations made with `email` (in any letter case) on the sites of `scope`, not yet
    anonymised, oldest first."""
    return (
        scope.restrict(Registration.objects.all(), through="offering")
        .filter(email__iexact=email, anonymised_at__isnull=True)
        .select_related("offering")
        .order_by("submit_time", "pk")
    )


def person_record(registration):
    """One registration as the person's own copy: every field that says something about them."""
    labels = registration.field_labels or {}
    return {
        "offering": registration.offering.title,
        "group": registration.group_name,
        "status": str(registration.get_status_display()),
        "registered": registration.submit_time,
        "source": str(registration.get_source_display()),
        "name": registration.name,
        "email": registration.email,
        "phone": registration.phone,
        "birth_date": registration.birth_date,
        "language": registration.language,
        "confidentiality_notice_version": registration.notice_version,
        "confidentiality_notice_accepted": registration.notice_accepted_at,
        "health_information_consent": registration.health_consent_at,
        "answers": {labels.get(name, name): value for name, value in registration.answers.items()},
        "note": registration.note,
        "updated": registration.updated_at,
    }


def log_export(registrations, *, user):
    audit.log_for_offerings(audit.SUBJECT_EXPORTED, user, audit.count_per_offering(registrations))


def erase_person(email, *, user, scope=EVERYWHERE):
    """Cancel everything registered with `email` on the sites of `scope` (and the companions brought
    along), delete the personal data for good, and offer the freed places; returns how many registrations
    were erased."""
    registrations = registrations_of(email, scope)
    with transaction.atomic():
        groups = lock_groups(set(with_companions(registrations).values_list("group_id", flat=True)))
        erased = lock_registrations(registrations)
        ids = [registration.pk for registration in erased]
        Registration.objects.filter(
            pk__in=with_companions(Registration.objects.filter(pk__in=ids)).values("pk"), status__in=ACTIVE
        ).update(status=RegistrationStatus.CANCELLED, offer_expires_at=None, updated_at=timezone.now())
        count = anonymise(Registration.objects.filter(pk__in=ids))
        offer_freed_places(groups, recount(groups))
        # A request to be told when registration opens holds the address too.
        scope.restrict(OpeningNotice.objects.all(), through="page").filter(email__iexact=email).delete()
    audit.log_for_offerings(audit.ERASED, user, audit.count_per_offering(erased))
    return count
