"""The course administrator's changes: statuses, moves between groups, corrections, people added by
hand, deletions and emails sent again. Each locks the groups it touches, counts their places again,
offers freed places to the waiting list, and writes its audit entry (counts and field names, never the
personal values)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..choices import ENDED, HOLDS_PLACE, RegistrationSource, RegistrationStatus
from ..models import Registration, RegistrationFormPage
from . import notifications
from .locking import count_places, has_room, lock_groups, lock_registrations, recount
from .waiting_list import offer_freed_places

# The statuses a companion shares with the person who brought them: both have a place, both wait, or
# neither comes. Attendance is marked person by person.
SHARED_STATUSES = (RegistrationStatus.PLACE, RegistrationStatus.WAITING, RegistrationStatus.OFFERED)


class OverCapacity(Exception):
    """More people would hold a place than a group has; `groups` holds (group, would_hold) pairs."""

    def __init__(self, groups):
        super().__init__(", ".join(f"{group.name}: {holding}/{group.places}" for group, holding in groups))
        self.groups = groups


class ChangeRefused(Exception):
    """A change that cannot be made; `message` says why, `field` where (or None)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def _pairs(ids, status):
    """The registrations `ids` and those who share their fate for `status`: for a place, a wait or a
    cancellation, the companions they brought; for a place or a wait, also the registrant a companion
    came with. Attendance is each person's own."""
    pairs = Q(pk__in=ids)
    if status in (*SHARED_STATUSES, RegistrationStatus.CANCELLED):
        pairs |= Q(companion_of__in=ids)
    if status in SHARED_STATUSES:
        pairs |= Q(companion__in=ids)
    return Registration.objects.filter(pairs)


def _check_room(groups, counts, people, status):
    """Refuse with OverCapacity when giving `people` `status` would overfill a group."""
    if status not in HOLDS_PLACE:
        return
    over = []
    for group in groups:
        joining = sum(
            1 for person in people if person.group_id == group.pk and person.status not in HOLDS_PLACE
        )
        if joining and not has_room(group, counts[group.pk], joining):
            over.append((group, counts[group.pk].taken + joining))
    if over:
        raise OverCapacity(over)


def _change_status(ids, status, *, allow_over_capacity, now):
    """Inside a transaction: give the registrations (and their pairs) `status`; return those changed."""
    people = list(_pairs(ids, status).exclude(status=status).values_list("pk", "group_id"))
    groups = lock_groups(group_id for _pk, group_id in people)
    changing = lock_registrations(Registration.objects.filter(pk__in=[pk for pk, _group in people]))
    changing = [person for person in changing if person.status != status]
    if not allow_over_capacity:
        _check_room(groups, count_places(groups), changing, status)
    Registration.objects.filter(pk__in=[person.pk for person in changing]).update(
        status=status, offer_expires_at=None, updated_at=now
    )
    # Those just moved are not offered the place they left.
    offer_freed_places(groups, recount(groups), now=now, passed_over={person.pk for person in changing})
    return changing


def set_status(registrations, status, *, user=None, allow_over_capacity=False, now=None):
    """Give registrations a new status and keep the places right; returns the number of rows changed.

    Refuses with OverCapacity when more people would hold a place in a group than it has, unless
    `allow_over_capacity` (the administrator has confirmed).
    """
    ids = [registration.pk for registration in registrations]
    with transaction.atomic():
        changed = _change_status(
            ids, status, allow_over_capacity=allow_over_capacity, now=now or timezone.now()
        )
    audit.log_for_offerings(audit.STATUS_CHANGED, user, audit.count_per_offering(changed), status=status)
    return len(changed)


def edit_participant(registration, *, user, status=None, note=None, allow_over_capacity=False, **contact):
    """The administrator's form: status, note, and corrections of name, email and phone.

    Raises OverCapacity, or ChangeRefused when the email is already another active registration's.
    What changed is judged against the stored row: a model form has already set its values on
    `registration`.
    """
    now = timezone.now()
    changed_fields = []
    try:
        with transaction.atomic():
            current = Registration.objects.get(pk=registration.pk)
            if status is not None and status != current.status:
                _change_status([registration.pk], status, allow_over_capacity=allow_over_capacity, now=now)
                changed_fields.append("status")
            updates = {
                name: value
                for name, value in {"note": note, **contact}.items()
                if value is not None and value != getattr(current, name)
            }
            if updates:
                Registration.objects.filter(pk=registration.pk).update(**updates, updated_at=now)
                changed_fields.extend(updates)
    except IntegrityError:
        raise ChangeRefused(
            _("Another active registration for this offering has this email address."), field="email"
        ) from None
    if changed_fields:
        audit.log_for_offerings(
            audit.EDITED, user, {registration.offering_id: 1}, fields=sorted(changed_fields)
        )
    return changed_fields


def move_to_group(registration, group, *, user=None, allow_over_capacity=False):
    """Move a registration (with its companion) to another group of the same offering.

    Someone with a place needs room in the new group (or the administrator's confirmation); someone
    waiting joins the new group's waiting list in the order they registered. The group left offers
    its freed place to its own waiting list.
    """
    if group.offering_id != registration.offering_id:
        raise ChangeRefused(_("Choose a group of the same offering."), field="group")
    now = timezone.now()
    with transaction.atomic():
        groups = lock_groups([registration.group_id, group.pk])
        people = lock_registrations(_pairs([registration.pk], RegistrationStatus.PLACE))
        moving = [person for person in people if person.group_id != group.pk and person.status not in ENDED]
        if not moving:
            raise ChangeRefused(_("The participant is already in this group."), field="group")
        if not allow_over_capacity:
            holding = sum(1 for person in moving if person.status in HOLDS_PLACE)
            counts = count_places(groups)
            target = next(locked for locked in groups if locked.pk == group.pk)
            if holding and not has_room(target, counts[target.pk], holding):
                raise OverCapacity([(target, counts[target.pk].taken + holding)])
        Registration.objects.filter(pk__in=[person.pk for person in moving]).update(
            group=group, group_name=group.name, updated_at=now
        )
        offer_freed_places(groups, recount(groups), now=now, passed_over={person.pk for person in moving})
    audit.log_for_offerings(audit.MOVED, user, {registration.offering_id: len(moving)})
    return moving


def add_participant(offering, group, *, user, name, email, phone="", status=None, allow_over_capacity=False):
    """Register someone by hand (a referral by phone, say): a place while the group has room, else the
    waiting list, unless `status` says otherwise. Raises ChangeRefused or OverCapacity."""
    form_page = RegistrationFormPage.objects.child_of(offering).order_by("path").first()
    if form_page is None:
        raise ChangeRefused(_("This offering has no registration form, so no one can be added to it."))
    if group is not None and group.offering_id != offering.pk:
        raise ChangeRefused(_("Choose a group of this offering."), field="group")
    if group is None and offering.groups.exists():
        raise ChangeRefused(_("Choose the group."), field="group")
    try:
        with transaction.atomic():
            groups = lock_groups([group.pk] if group else [])
            counts = count_places(groups)
            room = group is None or has_room(group, counts[group.pk])
            status = status or (RegistrationStatus.PLACE if room else RegistrationStatus.WAITING)
            if status in HOLDS_PLACE and not room and not allow_over_capacity:
                raise OverCapacity([(group, counts[group.pk].taken + 1)])
            registration = Registration.objects.create(
                page=form_page,
                offering=offering,
                group=group,
                group_name=group.name if group else "",
                name=name,
                email=email,
                phone=phone,
                status=status,
                source=RegistrationSource.ADMIN,
                form_data={},
                sensitive_answers={},
                field_labels={},
            )
            recount(groups)
    except IntegrityError:
        raise ChangeRefused(
            _("This email address is already registered for this offering."), field="email"
        ) from None
    audit.log_for_offerings(audit.ADDED, user, {offering.pk: 1})
    return registration


def delete_registration(registration, *, user=None):
    """Delete a registration (and its companion's); a freed place is offered to the next."""
    with transaction.atomic():
        groups = lock_groups([registration.group_id])
        people = lock_registrations(_pairs([registration.pk], RegistrationStatus.CANCELLED))
        Registration.objects.filter(pk__in=[person.pk for person in people]).delete()
        offer_freed_places(groups, recount(groups))
    audit.log_for_offerings(audit.DELETED, user, {registration.offering_id: 1})


def resend_email(registration, *, user=None):
    """Queue the registrant's email again (after a failure, or at their request)."""
    page = RegistrationFormPage.objects.get(pk=registration.page_id)
    with transaction.atomic():
        notifications.queue_resend(registration, page)
    audit.log_for_offerings(audit.EMAIL_RESENT, user, {registration.offering_id: 1})
