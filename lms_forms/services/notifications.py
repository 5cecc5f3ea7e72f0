"""Emails to registrants and organisers, sent by django-tasks after the change they tell of is committed.

A task sends the emails of one event: a new registration's confirmation and the organiser's notice
together (the registration is read once for both), an offered place, an offer that ran out, or a
confirmation sent again. A failure in one email neither stops the other nor touches the registration,
which is already stored. A failed email to the registrant is tried again later, a bounded number of
times with growing pauses, on a backend that can run tasks later; after the last attempt the
registration shows "could not be sent" in the participant list, where it can be sent again.

Every email to a registrant is written in the language of the form they sent (`Registration.language`,
see lms_forms.languages), whoever sends it and whenever: subject, text, status lines, the offering's and
group's names as that language's page gives them, dates, numbers and links. The organiser's notice is
in the site's default language.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Left, Length
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from lms_pages.formats import local_format, local_number
from lms_pages.models import GroupSession, OfferingGroup

from ..choices import EmailState, RegistrationStatus
from ..languages import email_language, in_language
from ..models import Registration, RegistrationFormPage
from ..tokens import CANCEL_SALT, OFFER_SALT, make_token

logger = logging.getLogger(__name__)

CONFIRMATION = "confirmation"
PLACE_OFFERED = "offered"
OFFER_EXPIRED = "expired"

# Attempts at an email to the registrant, and the pause before each retry (seconds).
MAX_ATTEMPTS = 4
RETRY_DELAYS = (60, 5 * 60, 30 * 60)

# What the emails use, so the task reads one narrow row instead of three whole pages.
EMAIL_COLUMNS = (
    "name",
    "email",
    "status",
    "language",
    "group_id",
    "group_name",
    "submit_time",
    "offer_expires_at",
    "offering__title",
    "page__path",
    "page__translation_key",
    "page__locale__language_code",
    *(
        f"page__registrationformpage__{name}"
        for name in ("confirmation_subject", "confirmation_text", "from_address", "to_address", "subject")
    ),
)


# Links, made when the email is queued: they point at the form page the registrant used, on its own
# site, which is served in the language of its text (the registrant's).


def page_link(base, page, route, registration, salt):
    token = make_token(registration, salt)
    return base + page.reverse_subpage(route, kwargs={"token": token})


def admin_link(page):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    # The offering's list in the Participants area, which only course administrators can open.
    query = urlencode({"offering__page_ptr__exact": page.offering.pk})
    return f"{base}{reverse('participants_modeladmin_index')}?{query}"


def links_for(kind, page, registration):
    base = page.get_full_url()
    links = {"cancel": page_link(base, page, "cancel", registration, CANCEL_SALT)}
    if kind == PLACE_OFFERED:
        links["offer"] = page_link(base, page, "offer", registration, OFFER_SALT)
    return links


# Queueing: called inside the service's transaction, run once it has committed.


def queue_confirmation(registration, page):
    """The registrant's confirmation and, when the form names one, the organiser's notice."""
    links = links_for(CONFIRMATION, page, registration)
    organiser = admin_link(page) if page.to_address else ""
    _enqueue_after_commit(registration.pk, CONFIRMATION, links, organiser)


def queue_resend(registration, page):
    """The email that fits the registration's status now, sent again at an administrator's request."""
    kind = PLACE_OFFERED if registration.status == RegistrationStatus.OFFERED else CONFIRMATION
    Registration.objects.filter(pk=registration.pk).update(email_state=EmailState.QUEUED, email_attempts=0)
    _enqueue_after_commit(registration.pk, kind, links_for(kind, page, registration), "")


def queue_offer_emails(offered, expired, pages):
    """Tell those offered a freed place (with the link to answer) and those whose offer ran out."""
    Registration.objects.filter(pk__in=[registration.pk for registration in [*offered, *expired]]).update(
        email_state=EmailState.QUEUED, email_attempts=0
    )
    for kind, registrations in ((PLACE_OFFERED, offered), (OFFER_EXPIRED, expired)):
        for registration in registrations:
            links = links_for(kind, pages[registration.page_id], registration)
            _enqueue_after_commit(registration.pk, kind, links, "")


def _enqueue_after_commit(registration_id, kind, links, organiser_link):
    # A failing task queue is logged and loses nothing: the registration is already stored.
    transaction.on_commit(
        lambda: send_registration_email.enqueue(registration_id, kind, links, organiser_link), robust=True
    )


# The task.


def _written_in(field):
    """The language the form page's `field` was written in: the original's (the default language's
    version), when it is still the original's text (an alias, or a translation nobody has translated
    yet), else the page's own."""
    original = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    copied_from = (
        RegistrationFormPage.objects.filter(
            translation_key=OuterRef("page__translation_key"),
            locale__language_code=original,
            alias_of__isnull=True,
            **{field: OuterRef(f"page__registrationformpage__{field}")},
        )
        .exclude(locale_id=OuterRef("page__locale_id"))
        .values("locale__language_code")[:1]
    )
    return Coalesce(Subquery(copied_from), F("page__locale__language_code"))


def _registration(registration_id):
    """The registration with its form page (as a registration form), offering and group's next session
    (`first_session`, None without one) and companion's name, in one query; with the offering's title
    and the group's name as the form page's own offering (its parent, in its language) gives them, and
    the languages the confirmation's subject and text were written in."""
    upcoming = GroupSession.objects.filter(group=OuterRef("group"), start__gte=timezone.now()).order_by(
        "start"
    )
    companion = Registration.objects.filter(companion_of=OuterRef("pk")).exclude(
        status=RegistrationStatus.CANCELLED
    )
    parent_path = Left(OuterRef("page__path"), Length(OuterRef("page__path")) - Page.steplen)
    shown_title = Page.objects.filter(path=parent_path).values("title")[:1]
    shown_group = OfferingGroup.objects.filter(offering__path=parent_path, key=OuterRef("group__key"))
    registration = (
        Registration.objects.select_related("page__registrationformpage", "page__locale", "offering")
        .only(*EMAIL_COLUMNS)
        .annotate(
            first_session=Subquery(upcoming.values("start")[:1]),
            companion_name=Subquery(companion.values("name")[:1]),
            offering_title=Coalesce(Subquery(shown_title), F("offering__title")),
            shown_group_name=Coalesce(Subquery(shown_group.values("name")[:1]), F("group_name")),
            subject_language=_written_in("confirmation_subject"),
            text_language=_written_in("confirmation_text"),
        )
        .get(pk=registration_id)
    )
    registration.form_page = registration.page.registrationformpage
    return registration


@task()
def send_registration_email(registration_id, kind, links, organiser_link="", attempt=1):
    """One event's emails: to the registrant (tried again later when it fails) and, for a new
    registration, the organiser's notice (`organiser_link`, once)."""
    registration = _registration(registration_id)
    errors = []
    try:
        REGISTRANT_EMAILS[kind](registration, links)
    except Exception as error:  # noqa: BLE001 - recorded and retried; raised below
        logger.exception(
            "Registration %s: the %s email was not sent (attempt %d)", registration_id, kind, attempt
        )
        errors.append(error)
        _after_failure(registration_id, kind, links, attempt)
    else:
        Registration.objects.filter(pk=registration_id).update(
            email_state=EmailState.SENT, email_attempts=attempt
        )
    if organiser_link:
        try:
            _notify_organiser(registration, organiser_link)
        except Exception as error:  # noqa: BLE001 - the registrant's email is sent; raised below
            logger.exception("Registration %s: the organiser's notice was not sent", registration_id)
            errors.append(error)
    if errors:
        raise errors[0]


def _after_failure(registration_id, kind, links, attempt):
    retry = attempt < MAX_ATTEMPTS and send_registration_email.get_backend().supports_defer
    Registration.objects.filter(pk=registration_id).update(
        email_state=EmailState.QUEUED if retry else EmailState.FAILED, email_attempts=attempt
    )
    if retry:
        pause = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        send_registration_email.using(run_after=timezone.now() + datetime.timedelta(seconds=pause)).enqueue(
            registration_id, kind, links, "", attempt + 1
        )


# The emails.


def status_text(registration):
    companion = getattr(registration, "companion_name", None)
    if registration.status == RegistrationStatus.WAITING:
        position = registration.waiting_position()
        if companion:
            return _("You and %(companion)s are number %(position)s on the waiting list.") % {
                "companion": companion,
                "position": local_number(position),
            }
        return _("You are number %(position)s on the waiting list.") % {"position": local_number(position)}
    if registration.status == RegistrationStatus.OFFERED:
        return _("A place has become free, and it is offered to you.")
    if registration.status == RegistrationStatus.PLACE:
        if companion:
            return _("You and %(companion)s have a place each.") % {"companion": companion}
        return _("You have a place.")
    return registration.get_status_display()


def first_session_text(registration):
    if registration.first_session is None:
        return "-"
    return local_format(registration.first_session, "weekday_datetime")


def _send(registration, subject, body, to=None):
    EmailMessage(
        subject=subject,
        body=body,
        from_email=registration.form_page.from_address or settings.DEFAULT_FROM_EMAIL,
        to=to or [registration.email],
    ).send()


def _in_language(registration):
    return in_language(registration.language)


def _send_confirmation(registration, links):
    page = registration.form_page
    with _in_language(registration):
        subject, text = page.confirmation_email(
            email_language(registration.language),
            subject_language=registration.subject_language,
            text_language=registration.text_language,
        )
        body = text.format(
            name=registration.name,
            offering=registration.offering_title,
            group=registration.shown_group_name,
            status=status_text(registration),
            first_session=first_session_text(registration),
            cancel_link=links["cancel"],
        )
        _send(registration, subject, body)


def _send_place_offered(registration, links):
    with _in_language(registration):
        subject = _("A place has become free: %(offering)s") % {"offering": registration.offering_title}
        body = _(
            "Hello %(name)s,\n\n"
            "A place has become free in %(offering)s (%(group)s), and it is offered to you.\n"
            "First session: %(first_session)s\n\n"
            "Answer by %(deadline)s, or the place goes to the next on the waiting list:\n"
            "%(offer_link)s\n\n"
            "If you no longer want a place, you can also cancel here:\n"
            "%(cancel_link)s\n"
        ) % {
            "name": registration.name,
            "offering": registration.offering_title,
            "group": registration.shown_group_name,
            "first_session": first_session_text(registration),
            "deadline": local_format(registration.offer_expires_at, "weekday_datetime")
            if registration.offer_expires_at
            else "-",
            "offer_link": links["offer"],
            "cancel_link": links["cancel"],
        }
        _send(registration, subject, body)


def _send_offer_expired(registration, links):
    with _in_language(registration):
        subject = _("The offered place has gone to the next: %(offering)s") % {
            "offering": registration.offering_title
        }
        body = _(
            "Hello %(name)s,\n\n"
            "We offered you a freed place in %(offering)s (%(group)s), but did not hear from you in time, "
            "so it has gone to the next on the waiting list.\n\n"
            "You are welcome to register again if the offering still takes registrations.\n"
        ) % {
            "name": registration.name,
            "offering": registration.offering_title,
            "group": registration.shown_group_name,
        }
        _send(registration, subject, body)


REGISTRANT_EMAILS = {
    CONFIRMATION: _send_confirmation,
    PLACE_OFFERED: _send_place_offered,
    OFFER_EXPIRED: _send_offer_expired,
}


def _notify_organiser(registration, link):
    """Tells the organiser that someone registered: no name, no answers, only where to look."""
    page = registration.form_page
    addresses = [address.strip() for address in page.to_address.split(",") if address.strip()]
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = page.subject or _("New registration: %(offering)s") % {
            "offering": registration.offering.title
        }
        body = _(
            "There is a new registration for %(offering)s (%(status)s).\n\n"
            "The registrations are in the admin, for those allowed to see them:\n%(link)s\n"
        ) % {
            "offering": registration.offering.title,
            "status": registration.get_status_display().lower(),
            "link": link,
        }
        _send(registration, subject, body, to=addresses)
