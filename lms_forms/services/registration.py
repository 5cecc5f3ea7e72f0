"""Taking a registration: the server decides, in one transaction, with the group locked.

Opening time, closing time, places, the waiting list and duplicates are checked here when the form is
sent, not only by hiding the form. The emails are queued only after the registration is committed.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lms_pages.models import RegistrationState

from ..choices import ENDED, EmailState, RegistrationSource, RegistrationStatus
from ..models import Registration
from . import notifications
from .locking import count_places, has_room, lock_groups, lock_offering, store_places


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


NOT_ON_SITE_MESSAGE = _("Registration for this offering is not done through this site.")


def refusal_message(state):
    return {
        RegistrationState.RECRUITED: _(
            "Participants in this offering are recruited through a coordinator or employer."
        ),
        RegistrationState.NOT_REQUIRED: _("This offering needs no registration."),
        RegistrationState.NOT_YET_OPEN: _("Registration has not opened yet."),
        RegistrationState.CANCELLED: _("This offering is cancelled, so registration is closed."),
        RegistrationState.POSTPONED: _("This offering is postponed, so registration is closed for now."),
        RegistrationState.FULL: _("All places are taken."),
    }.get(state, _("Registration is closed."))


def register(page, form, *, now=None):
    """Create the registration the form describes (and its companion's), with places or on the waiting
    list; queue the confirmation once committed. Raises RegistrationRefused."""
    offering = page.offering
    data = form.cleaned_data
    companion = form.companion
    people = 2 if companion else 1
    now = now or timezone.now()
    answers, labels = form.own_answers()
    try:
        with transaction.atomic():
            group, current = _lock_chosen_group(offering, data.get("group"))
            # `current` is the offering's settings read with the lock: an editor may have closed
            # registration since the form was shown.
            closed = current.closed_state(now)
            if closed is not None:
                raise RegistrationRefused(refusal_message(closed))
            if not current.registers_on_site:
                raise RegistrationRefused(NOT_ON_SITE_MESSAGE)
            places = count_places([group])[group.pk] if group is not None else None
            # A second registration with the same email is refused by the database's unique constraint
            # (below); a refusal for want of places checks for it first, so the person hears the reason.
            # Someone already waiting while there is room is a pair waiting for two places: a newcomer
            # joins the list behind them rather than pass them.
            if group is None or (
                has_room(group, places, people) and not (places.waiting and current.waiting_list)
            ):
                status = RegistrationStatus.PLACE
            elif current.waiting_list:
                status = RegistrationStatus.WAITING
            elif _already_registered(offering, data["email"]):
                raise RegistrationRefused(DUPLICATE_MESSAGE, field="email")
            elif people > 1 and has_room(group, places):
                raise RegistrationRefused(
                    _("The group has one place left, not two. Register alone, or choose another group."),
                    field="group",
                )
            else:
                raise RegistrationRefused(
                    _("The group you chose is full. Choose another group if there is one."), field="group"
                )
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
                email_state=EmailState.QUEUED,
            )
            registration.set_answers(answers, page.sensitive_field_names())
            registration.save(force_insert=True)
            if companion:
                registration.companion = _companion_of(registration, *companion)
            if places is not None:
                places.add(status, people)
                store_places({group.pk: places})
            notifications.queue_confirmation(registration, page)
    except IntegrityError:
        # The unique constraint caught a second registration sent at the same moment.
        raise RegistrationRefused(DUPLICATE_MESSAGE, field="email") from None
    return registration


def _lock_chosen_group(offering, chosen):
    """The chosen group, locked with its offering's settings; for an offering without groups, the
    offering itself, locked."""
    if chosen is None:
        return None, lock_offering(offering.pk)
    group = next((group for group in lock_groups([chosen.pk], with_offering=True)), None)
    if group is None or group.offering_id != offering.pk:  # removed by an editor since the form was read
        raise RegistrationRefused(
            _("The group you chose is no longer offered. Choose another."), field="group"
        )
    return group, group.offering


def _companion_of(registration, name, email):
    """The companion's own registration: same group and status, their name, and their email or the
    registrant's (they are reached through the registrant)."""
    companion = Registration(
        page_id=registration.page_id,
        offering_id=registration.offering_id,
        group=registration.group,
        group_name=registration.group_name,
        name=name,
        email=email or registration.email,
        status=registration.status,
        companion_of=registration,
        source=registration.source,
        language=registration.language,
        notice_version=registration.notice_version,
        notice_accepted_at=registration.notice_accepted_at,
        form_data={},
        sensitive_answers={},
        field_labels={},
    )
    companion.save(force_insert=True)
    return companion


def _already_registered(offering, email):
    return (
        Registration.objects.filter(offering=offering, email=email, companion_of__isnull=True)
        .exclude(status__in=ENDED)
        .exists()
    )
