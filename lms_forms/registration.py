"""Taking and cancelling registrations: the server decides, in one transaction, with the group locked.

Every change to a group's places locks its row first (`select_for_update`, a row lock on PostgreSQL;
on SQLite the whole write is serialised by `transaction_mode = "IMMEDIATE"`), so two people can never
take the last place. Emails are queued only after the transaction has committed.
"""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lms_pages.models import GroupOccupancy, OfferingGroup, OfferingPage, RegistrationState

from .models import HOLDS_PLACE, Registration, RegistrationSource, RegistrationStatus

# The offering's fields that decide whether a registration is taken, read again under the group's lock.
REGISTRATION_SETTINGS = OfferingPage.registration_fields

CANCEL_SALT = "lms_forms.cancel"
CONFIRMATION_SALT = "lms_forms.confirmation"


class RegistrationRefused(Exception):
    """The registration cannot be taken; `message` tells the person why, `field` where (or None)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


DUPLICATE_MESSAGE = _(
    "This email address is already registered for this offering. Check your inbox for the confirmation, "
    "or use the link in it to cancel."
)


def register(page, form, *, now=None):
    """Create the registration the form describes, with a place or on the waiting list."""
    offering = page.offering
    data = form.cleaned_data
    now = now or timezone.now()
    answers, labels = form.own_answers()
    try:
        with transaction.atomic():
            # `current` is the offering's settings read with the lock: an editor may have closed
            # registration since the form was shown.
            group, occupancy, current = _lock_group(offering, data.get("group"))
            closed = current.closed_state(now)
            if closed is not None:
                raise RegistrationRefused(refusal_message(closed))
            # A second registration with the same email is refused by the database's unique constraint
            # (below); a refusal for want of places checks for it first, so the person hears the reason.
            if group is None:
                status = RegistrationStatus.PLACE  # an offering without groups has no limit on places
            elif group.places is None or occupancy.places_taken < group.places:
                status = RegistrationStatus.PLACE
                occupancy.places_taken += 1
            elif current.waiting_list:
                status = RegistrationStatus.WAITING
                occupancy.waiting += 1
            elif _already_registered(offering, data["email"]):
                raise RegistrationRefused(DUPLICATE_MESSAGE, field="email")
            else:
                raise RegistrationRefused(
                    _("The group you chose is full. Choose another group if there is one."), field="group"
                )
            if occupancy is not None:
                occupancy.save()
            notice = form.notice
            registration = Registration(
                page=page,
                offering=offering,
                group=group,
                group_name=group.name if group else "",
                name=data["name"],
                email=data["email"],
                phone=data.get("phone", ""),
                birth_date=data.get("birth_date"),
                status=status,
                notice_version=notice.version if notice else None,
                notice_accepted_at=now if notice else None,
                health_consent_at=now if data.get("health_consent") else None,
                source=RegistrationSource.WEB,
                language=get_language() or "",
                field_labels=labels,
            )
            registration.set_answers(answers, page.sensitive_field_names())
            registration.save(force_insert=True)
    except IntegrityError:
        # The unique constraint caught a second registration sent at the same moment.
        raise RegistrationRefused(DUPLICATE_MESSAGE, field="email") from None
    return registration


def _lock_group(offering, chosen):
    """Lock the chosen group's row (or, for an offering without groups, the offering's) for the rest
    of the transaction; return the group, its occupancy and the offering's registration settings."""
    if chosen is None:
        current = OfferingPage.objects.select_for_update().only(*REGISTRATION_SETTINGS).get(pk=offering.pk)
        return None, None, current
    group = (
        OfferingGroup.objects.select_for_update(of=("self",))
        .select_related("offering")
        .only("name", "places", "offering_id", *(f"offering__{name}" for name in REGISTRATION_SETTINGS))
        .filter(pk=chosen.pk, offering=offering)
        .first()
    )
    if group is None:  # removed by an editor since the form was read
        raise RegistrationRefused(
            _("The group you chose is no longer offered. Choose another."), field="group"
        )
    # A query of its own, after the lock is held: joined into the locking query, PostgreSQL would
    # return the occupancy as it was before the wait, and places would be counted twice.
    occupancy, _created = GroupOccupancy.objects.get_or_create(group=group)
    return group, occupancy, group.offering


def _already_registered(offering, email):
    return (
        Registration.objects.filter(offering=offering, email=email)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    )


class OverCapacity(Exception):
    """More people would hold a place than a group has; `groups` holds (group, would_hold) pairs."""

    def __init__(self, groups):
        super().__init__(", ".join(f"{group.name}: {holding}/{group.places}" for group, holding in groups))
        self.groups = groups


def lock_groups(group_ids):
    """Lock groups' rows for the rest of the transaction, in id order so that two writers never deadlock."""
    return list(OfferingGroup.objects.select_for_update().filter(pk__in=set(group_ids)).order_by("pk"))


def recount_groups(groups):
    """Set each group's places taken and waiting list from its registrations; call with the groups locked."""
    counts = {
        row["group"]: row
        for row in Registration.objects.filter(group__in=groups)
        .values("group")
        .annotate(
            taken=Count("pk", filter=Q(status__in=HOLDS_PLACE)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        )
    }
    occupancies = [
        GroupOccupancy(
            group=group,
            places_taken=counts.get(group.pk, {}).get("taken", 0),
            waiting=counts.get(group.pk, {}).get("waiting", 0),
        )
        for group in groups
    ]
    GroupOccupancy.objects.bulk_create(
        occupancies, update_conflicts=True, unique_fields=["group"], update_fields=["places_taken", "waiting"]
    )


def set_status(registrations, status, *, allow_over_capacity=False):
    """Give registrations a new status (the course administrator's workflow) and keep the counts right.

    Refuses with OverCapacity when more people would hold a place in a group than it has, unless
    `allow_over_capacity` (the administrator has confirmed). Returns the number of rows changed.
    """
    ids = [registration.pk for registration in registrations]
    with transaction.atomic():
        groups = lock_groups(
            Registration.objects.filter(pk__in=ids, group__isnull=False).values_list("group_id", flat=True)
        )
        changing = Registration.objects.select_for_update().filter(pk__in=ids).exclude(status=status)
        changing_ids = list(changing.values_list("pk", flat=True))
        if status in HOLDS_PLACE and not allow_over_capacity:
            over = []
            for group in groups:
                if group.places is None:
                    continue
                holding = Registration.objects.filter(group=group).filter(
                    Q(status__in=HOLDS_PLACE) | Q(pk__in=changing_ids)
                )
                would_hold = holding.count()
                if would_hold > group.places:
                    over.append((group, would_hold))
            if over:
                raise OverCapacity(over)
        changed = Registration.objects.filter(pk__in=changing_ids).update(
            status=status, updated_at=timezone.now()
        )
        recount_groups(groups)
    return changed


def refusal_message(state):
    return {
        RegistrationState.NOT_YET_OPEN: _("Registration has not opened yet."),
        RegistrationState.CANCELLED: _("This offering is cancelled, so registration is closed."),
        RegistrationState.POSTPONED: _("This offering is postponed, so registration is closed for now."),
        RegistrationState.FULL: _("All places are taken."),
    }.get(state, _("Registration is closed."))


def cancel(registration):
    """Cancel a registration; a freed place goes to the first on the group's waiting list.

    Returns the registration that was offered the place, or None.
    """
    offered = None
    with transaction.atomic():
        group = None
        if registration.group_id:
            # Lock order everywhere: the group first, then its registrations.
            group = OfferingGroup.objects.select_for_update().filter(pk=registration.group_id).first()
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return None
        previous = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        if group is None:
            return None
        occupancy, _created = GroupOccupancy.objects.get_or_create(group=group)
        if previous == RegistrationStatus.WAITING:
            occupancy.waiting = max(occupancy.waiting - 1, 0)
        elif previous in (RegistrationStatus.PLACE, RegistrationStatus.OFFERED):
            occupancy.places_taken = max(occupancy.places_taken - 1, 0)
            if group.places is None or occupancy.places_taken < group.places:
                offered = (
                    Registration.objects.select_for_update()
                    .filter(group=group, status=RegistrationStatus.WAITING)
                    .order_by("submit_time", "pk")
                    .first()
                )
                if offered is not None:
                    offered.status = RegistrationStatus.OFFERED
                    offered.save(update_fields=["status", "updated_at"])
                    occupancy.places_taken += 1
                    occupancy.waiting = max(occupancy.waiting - 1, 0)
        occupancy.save()
    return offered


# Signed links: they carry the registration's random reference, never its id or personal data. The
# signed value is base64-encoded again, because Wagtail's page URLs allow only letters, digits, _ and -.


def make_token(registration, salt):
    return urlsafe_base64_encode(signing.dumps(str(registration.reference), salt=salt).encode())


def registration_for_token(token, salt):
    try:
        reference = signing.loads(urlsafe_base64_decode(token).decode(), salt=salt)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    return Registration.objects.select_related("offering", "group").filter(reference=reference).first()


def cancel_url(page, registration, request):
    token = make_token(registration, CANCEL_SALT)
    return page.get_full_url(request) + page.reverse_subpage("cancel", kwargs={"token": token})


def admin_url(page):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    # The offering's list in the Participants area, which only course administrators can open.
    query = urlencode({"offering__page_ptr__exact": page.offering.pk})
    return f"{base}{reverse('participants_modeladmin_index')}?{query}"


def queue_confirmation(page, registration, request):
    """Queue the registrant's confirmation and the organiser's notice once the registration is committed.

    A failing mail server or task queue is logged and loses nothing: the registration is already stored.
    """
    from .tasks import send_registration_emails

    links = (cancel_url(page, registration, request), admin_url(page) if page.to_address else "")
    transaction.on_commit(lambda: send_registration_emails.enqueue(registration.pk, *links), robust=True)


def queue_place_offered(page, registration, request):
    """Tell the first on the waiting list that a freed place is theirs, once the change is committed."""
    from .tasks import send_place_offered

    link = cancel_url(page, registration, request)
    transaction.on_commit(lambda: send_place_offered.enqueue(registration.pk, link), robust=True)
