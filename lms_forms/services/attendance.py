"""Attendance: a course leader marks each participant present or absent at a session, and the
registration's status follows the form's rule.

    mark(registration, session, present, user=...)   # one tap; saved at once, audited
    session_roll(session)                             # who has a place, and what is marked
    with_attendance(registrations)                    # sessions attended, of how many

Each tap writes one row (participant, session), so leaders marking the same session on two phones never
undo each other's marks; the last tap on the same person wins. After every mark the group's
registrations are settled by the form's rule (`sessions_to_attend`, empty: every session):
- as many sessions attended as the rule asks: "attended";
- the group's last session has begun and the rule can no longer be met: "did not show up";
- otherwise: "has a place" (a mark corrected back).
Status changes go through the status service, which locks the group and recounts its places. A place
is never offered on after a group's last session, so a "did not show up" frees nothing to anyone.
"""

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms_pages.models import GroupSession

from .. import audit
from ..choices import RegistrationStatus
from ..models import Attendance, Registration, RegistrationFormPage
from .status import ChangeRefused, set_status

# Those whose attendance is kept: they hold (or held) a place.
ON_THE_ROLL = (RegistrationStatus.PLACE, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


def session_roll(session):
    """The registrations with a place in the session's group, by name, each with `.present` (True,
    False, or None when not marked yet) and `.marked_by_name`."""
    registrations = list(
        Registration.objects.filter(group_id=session.group_id, status__in=ON_THE_ROLL)
        .only("pk", "name", "status", "companion_of_id", "offering_id", "group_id", "anonymised_at")
        .order_by("name", "pk")
    )
    marks = {
        mark.registration_id: mark
        for mark in Attendance.objects.filter(session=session, registration__in=registrations).select_related(
            "marked_by"
        )
    }
    for registration in registrations:
        mark = marks.get(registration.pk)
        registration.present = mark.present if mark else None
        registration.marked_at = mark.marked_at if mark else None
        registration.marked_by_name = (
            (mark.marked_by.get_full_name() or mark.marked_by.get_username())
            if mark and mark.marked_by
            else ""
        )
    return registrations


def mark(registration, session, present, *, user, now=None):
    """Record whether `registration` was at `session`, and settle the group's statuses. Raises
    ChangeRefused for someone without a place in the session's group."""
    now = now or timezone.now()
    if registration.group_id != session.group_id:
        raise ChangeRefused(_("This participant is not in the session's group."))
    if registration.status not in ON_THE_ROLL:
        raise ChangeRefused(_("Only participants with a place can be marked present or absent."))
    with transaction.atomic():
        Attendance.objects.update_or_create(
            registration=registration,
            session=session,
            defaults={"present": present, "marked_by": user, "marked_at": now},
        )
        settle_group(session.group_id, user=user, now=now)
    audit.log_for_offerings(
        audit.ATTENDANCE_MARKED, user, {registration.offering_id: 1}, present=bool(present)
    )


def required_sessions(form_page, session_count):
    """How many sessions the form's rule asks for, never more than the group has."""
    rule = form_page.sessions_to_attend if form_page is not None else None
    return min(rule, session_count) if rule else session_count


def settle_group(group_id, *, user=None, now=None):
    """Give each registration on the group's roll the status its attendance earns."""
    now = now or timezone.now()
    starts = sorted(GroupSession.objects.filter(group_id=group_id).values_list("start", flat=True))
    if not starts:
        return
    roll = list(
        Registration.objects.filter(group_id=group_id, status__in=ON_THE_ROLL).only("pk", "status", "page_id")
    )
    forms = RegistrationFormPage.objects.in_bulk({registration.page_id for registration in roll})
    attended = {}
    for registration_id in Attendance.objects.filter(
        registration__in=roll, session__group_id=group_id, present=True
    ).values_list("registration_id", flat=True):
        attended[registration_id] = attended.get(registration_id, 0) + 1
    over = now >= starts[-1]
    earned = {}
    for registration in roll:
        required = required_sessions(forms.get(registration.page_id), len(starts))
        count = attended.get(registration.pk, 0)
        if count >= required:
            status = RegistrationStatus.ATTENDED
        elif over:
            status = RegistrationStatus.NO_SHOW
        else:
            status = RegistrationStatus.PLACE
        if status != registration.status:
            earned.setdefault(status, []).append(registration)
    for status, registrations in earned.items():
        # The person was in the group: a correction back to a place may exceed its places for a moment.
        set_status(registrations, status, user=user, allow_over_capacity=True, now=now)


def with_attendance(registrations):
    """The registrations with `sessions_attended`, `sessions_marked` and `group_sessions` (the number of
    sessions of their group), counted in the same query."""
    marks = Attendance.objects.filter(registration=OuterRef("pk"))
    sessions = GroupSession.objects.filter(group=OuterRef("group"))
    return registrations.annotate(
        sessions_attended=counted(marks.filter(present=True), "registration"),
        sessions_marked=counted(marks, "registration"),
        group_sessions=counted(sessions, "group"),
    )


def counted(queryset, by):
    return Coalesce(
        Subquery(queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )
