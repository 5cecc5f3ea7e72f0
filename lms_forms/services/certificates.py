"""Course certificates of attendance (PDF): who has one, and what it says.

    holders(offering_id)            # the offering's registrations that have one, by group and name
    certificates(registrations)     # what each one says, read in the same few queries for 1 or 500
    certificate_of(registration)    # one registration's, or None when it has none
    render(certificates)            # one PDF, a page per certificate
    certificate_link(registration)  # the participant's own signed link to theirs

A registration has a certificate when its form grants them (`RegistrationFormPage.certificate`), it met
the form's attendance rule (status "attended", which services.attendance settles) and its personal
data are still kept: once the retention period has run out, the name it would be made out to is gone.

A certificate is written in its holder's language (the one they registered in, lms_forms.languages),
in the words of the form page they registered through and of the offering page above it: a translation
for someone who registered in English. It gives the first and last date of the group's sessions and,
where attendance was marked (not for a status set by hand), the dates of those the participant was at.
"""

import dataclasses
import datetime
from collections import Counter
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from lms_pages.formats import local_number

from ..choices import RegistrationStatus
from ..languages import email_language, in_language
from ..models import Attendance, Registration, RegistrationFormPage
from ..pdf import render_pdf
from ..tokens import CERTIFICATE_SALT, make_token

TEMPLATE = "lms_forms/certificates/certificate_pdf.html"


@dataclasses.dataclass(frozen=True)
class Certificate:
    registration: Registration
    language: str
    name: str
    offering_title: str
    group_name: str
    # The group's first and last session (the same day for a one-day course); None without sessions.
    first_date: datetime.date | None
    last_date: datetime.date | None
    dates_attended: tuple[datetime.date, ...]
    sessions: int
    hours: Decimal | None
    organiser: str
    signed_by: str
    text: str
    issued: datetime.date  # the day it is made: nothing is stored, it is made again on each download

    @property
    def hours_shown(self):
        """ "18" or "7,5" ("7.5" in English): tenths only where there are any."""
        if self.hours is None:
            return ""
        return local_number(
            self.hours, 0 if self.hours == self.hours.to_integral_value() else 1, self.language
        )

    @property
    def hours_count(self):
        """The number that chooses "hour" or "hours": 1 only for exactly one hour."""
        return 1 if self.hours == 1 else 2


def holding(registrations):
    """The registrations of the queryset that have a certificate: the one rule for who has one."""
    return registrations.filter(
        status=RegistrationStatus.ATTENDED,
        anonymised_at__isnull=True,
        page__in=RegistrationFormPage.objects.filter(certificate=True),
    )


def holders(offering_id):
    return holding(Registration.objects.filter(offering_id=offering_id)).order_by(
        "group__sort_order", "group_name", "name", "pk"
    )


def has_certificate(registration):
    return holding(Registration.objects.filter(pk=registration.pk)).exists()


def grants_certificates(offering_id):
    """Whether a registration form of the offering (the original's or a translation's) grants them."""
    return RegistrationFormPage.objects.filter(
        certificate=True, pk__in=Registration.objects.filter(offering_id=offering_id).values("page")
    ).exists()


def certificate_of(registration, *, today=None):
    """The registration's certificate, or None when it has none."""
    found = certificates(holding(Registration.objects.filter(pk=registration.pk)), today=today)
    return found[0] if found else None


def certificates(registrations, *, today=None):
    """A Certificate for each registration of the queryset, in its order; call it with `holding(...)`."""
    today = today or timezone.localdate()
    registrations = list(
        registrations.select_related("group", "offering__organiser").prefetch_related("group__sessions")
    )
    forms = RegistrationFormPage.objects.in_bulk({registration.page_id for registration in registrations})
    attended = {}
    # Only the sessions of the group they are in now, as the attendance rule counts them.
    for registration_id, start in Attendance.objects.filter(
        registration__in=registrations, present=True, session__group=F("registration__group")
    ).values_list("registration_id", "session__start"):
        attended.setdefault(registration_id, []).append(timezone.localdate(start))
    return [
        _certificate(registration, forms[registration.page_id], attended.get(registration.pk, []), today)
        for registration in registrations
    ]


def _certificate(registration, form, dates_attended, today):
    offering = registration.offering
    # The offering page the form sits under is the one the participant read (a translation, perhaps);
    # its group with the same key has the group's name in that language.
    shown = form.offering_page or offering
    group = registration.group
    shown_group = next((g for g in shown.groups.all() if group and g.key == group.key), group)
    days = sorted({timezone.localdate(session.start) for session in group.sessions.all()}) if group else []
    return Certificate(
        registration=registration,
        language=email_language(registration.language),
        name=registration.name,
        offering_title=shown.title,
        group_name=shown_group.name if shown_group else registration.group_name,
        first_date=days[0] if days else None,
        last_date=days[-1] if days else None,
        dates_attended=tuple(sorted(set(dates_attended))),
        sessions=len(group.sessions.all()) if group else 0,
        hours=form.certificate_hours,
        organiser=str(offering.organiser or ""),
        signed_by=form.certificate_signed_by,
        text=form.certificate_text,
        issued=today,
    )


def render(shown):
    """One PDF with a page for each of the certificates (at least one), each in its holder's language.
    The document's title and language (the one PDF readers announce; WeasyPrint tags no other) are
    those most of them share."""
    language = Counter(certificate.language for certificate in shown).most_common(1)[0][0]
    with in_language(language):
        return render_pdf(TEMPLATE, {"certificates": shown, "language": language})


def filename(*shown):
    """ "kursbevis-hodepineskolen.pdf": the offering's slug, never a name (files are saved and sent on)."""
    slugs = {certificate.registration.offering.slug for certificate in shown}
    return f"{slugify('-'.join(['kursbevis', *sorted(slugs)]))}.pdf"


def certificate_link(registration):
    """The full address of the participant's own certificate, on the form page they registered on."""
    page = RegistrationFormPage.objects.get(pk=registration.page_id)
    token = make_token(registration, CERTIFICATE_SALT)
    return page.get_full_url() + page.reverse_subpage("certificate", kwargs={"token": token})
