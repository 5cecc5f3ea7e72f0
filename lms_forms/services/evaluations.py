"""Evaluation: inviting participants once their group's last session (or each session) is over,
taking one set of answers per invitation, and the results course administrators read.

    send_evaluation_invitations()             # the scheduled run (`manage.py send_evaluation_invitations`)
    answer(invitation, cleaned_data)          # raises AlreadyAnswered for a used invitation
    results(page, group=None, session=None)   # per question: counts, distribution, mean, median, texts

An invitation goes to everyone holding a place (attended, too) whose group's session ended within
`INVITE_WITHIN`; when attendance was taken at that session, only to those marked present. Each is sent
once, through lms_forms.services.once, with the link to the participant's course certificate when they
have one (lms_forms.services.certificates). The answer keeps the group, the session (when the form asks
after each one) and the day, not the person, unless the editor turned anonymity off.

Results of fewer than `settings.LMS_EVALUATION_MIN_ANSWERS` answers (5 by default) are not broken
down: with three answers from a group of four, each could be told apart.
"""

import datetime
import statistics

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.contrib.forms.forms import FormBuilder

from lms_pages.models import GroupSession

from ..choices import RegistrationStatus
from ..languages import in_language
from ..models import Attendance, EvaluationFormPage, EvaluationInvitation, EvaluationResponse, Registration
from ..models.evaluation import SCALE, InviteAfter
from ..tokens import EVALUATION_SALT, make_token
from . import certificates, once

# Invitations go out for sessions that ended this recently; older ones are left alone.
INVITE_WITHIN = datetime.timedelta(days=14)
# A session without an end time is taken to last this long.
SESSION_LENGTH = datetime.timedelta(hours=3)
INVITED = (RegistrationStatus.PLACE, RegistrationStatus.ATTENDED)
DEFAULT_MIN_ANSWERS = 5


class AlreadyAnswered(Exception):
    """The invitation has been used."""


def min_answers():
    return getattr(settings, "LMS_EVALUATION_MIN_ANSWERS", DEFAULT_MIN_ANSWERS)


def session_ended(session):
    return session.end or session.start + SESSION_LENGTH


# Inviting.


def send_evaluation_invitations(*, now=None):
    """Claim and send every invitation due at `now`. Returns {"sent": n, "failed": n}."""
    now = now or timezone.now()
    claim = once.new_claim()
    once.claim_rows(EvaluationInvitation, list(_due(claim, now)))
    once.take_over_stale(EvaluationInvitation, claim, now)
    rows = once.claimed(EvaluationInvitation, claim)
    if not rows:
        return {"sent": 0, "failed": 0}
    registrations = Registration.objects.in_bulk({row.registration_id for row in rows})
    with_certificate = set(
        certificates.holding(Registration.objects.filter(pk__in=registrations)).values_list("pk", flat=True)
    )
    pages = EvaluationFormPage.objects.in_bulk({row.page_id for row in rows})
    connection = get_connection()

    def send(invitation):
        registration = registrations[invitation.registration_id]
        certificate = (
            certificates.certificate_link(registration) if registration.pk in with_certificate else ""
        )
        _send_invitation(connection, invitation, registration, pages[invitation.page_id], certificate)

    return once.send_claimed(EvaluationInvitation, rows, send, still_due=Q(registration__status__in=INVITED))


@task()
def send_due_evaluation_invitations():
    send_evaluation_invitations()


def _due(claim, now):
    for page in EvaluationFormPage.objects.live():
        offering = page.offering_page
        if offering is None or offering.registration_original().pk != offering.pk:
            continue  # a translation's or alias's evaluation: its original invites
        sessions = list(
            GroupSession.objects.filter(
                group__offering=offering, start__lte=now, start__gte=now - INVITE_WITHIN - SESSION_LENGTH
            )
        )
        last = {}
        for session in GroupSession.objects.filter(group__offering=offering).order_by("start"):
            last[session.group_id] = session.pk
        for session in sessions:
            ended = session_ended(session)
            if not (now - INVITE_WITHIN <= ended <= now):
                continue
            if page.invite_after == InviteAfter.LAST_SESSION and last.get(session.group_id) != session.pk:
                continue
            invited = Registration.objects.filter(
                group_id=session.group_id, status__in=INVITED, anonymised_at__isnull=True
            )
            marks = Attendance.objects.filter(session=session)
            if marks.exists():
                invited = invited.filter(pk__in=marks.filter(present=True).values("registration_id"))
            for registration_id in invited.values_list("pk", flat=True):
                yield EvaluationInvitation(
                    page=page, registration_id=registration_id, session=session, claim=claim, claimed_at=now
                )


def evaluation_link(invitation, page):
    token = make_token(invitation, EVALUATION_SALT)
    return page.get_full_url() + page.reverse_subpage("evaluation", kwargs={"token": token})


def _send_invitation(connection, invitation, registration, page, certificate_link=""):
    with in_language(registration.language):
        offering = page.offering_page
        title = offering.title if offering is not None else page.title
        subject = _("How was it? %(offering)s") % {"offering": title}
        anonymity = (
            _(
                "Your answers are anonymous: they are stored without your name, and results are shown only "
                "when enough people have answered."
            )
            if page.anonymous
            else _("Your answers are stored with your name, so the organiser can follow up.")
        )
        body = _(
            "Hello %(name)s,\n\n"
            "Thank you for taking part in %(offering)s. We would like to know what you thought of it, so "
            "that we can make it better. It takes a few minutes.\n\n"
            "%(link)s\n\n"
            "%(anonymity)s The link is yours and can be used once.\n"
        ) % {
            "name": registration.name,
            "offering": title,
            "link": evaluation_link(invitation, page),
            "anonymity": anonymity,
        }
        if certificate_link:
            body += "\n" + _("Your certificate of attendance is here:\n%(link)s\n") % {
                "link": certificate_link
            }
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[registration.email],
            connection=connection,
        ).send()


# Answering.


def answer(invitation, cleaned_data, *, today=None):
    """Store one set of answers for the invitation, which is used up in the same transaction."""
    page = invitation.page
    answers = {
        field.clean_name: cleaned_data.get(field.clean_name)
        for field in page.get_form_fields()
        if cleaned_data.get(field.clean_name) not in (None, "", [])
    }
    with transaction.atomic():
        if not EvaluationInvitation.objects.filter(pk=invitation.pk, used=False).update(used=True):
            raise AlreadyAnswered
        return EvaluationResponse.objects.create(
            page=page,
            group_id=invitation.session.group_id,
            session=invitation.session if page.invite_after == InviteAfter.EACH_SESSION else None,
            registration_id=None if page.anonymous else invitation.registration_id,
            answers=answers,
            submitted_on=today or timezone.localdate(),
        )


# Results.


def results(page, *, group=None, session=None):
    """The answers to `page` (of one group, or after one session), question by question.

    {"answers": n, "invited": n, "rate": the share of invitations answered (or None), "shown": whether
    there are enough answers to break them down, "questions": [...]}; each question has "field",
    "kind", "count" and, when shown, "distribution" [(value, count)], "mean", "median" (scales), or
    "texts" (free text).
    """
    responses = EvaluationResponse.objects.filter(page=page)
    invitations = EvaluationInvitation.objects.filter(page=page, sent_at__isnull=False)
    if group is not None:
        responses = responses.filter(group=group)
        invitations = invitations.filter(session__group=group)
    if session is not None:
        responses = responses.filter(session=session)
        invitations = invitations.filter(session=session)
    all_answers = list(responses.values_list("answers", flat=True))
    invited = invitations.count()
    answered = invitations.filter(used=True).count()
    shown = len(all_answers) >= min_answers()
    questions = []
    for field in page.get_form_fields():
        values = [answers[field.clean_name] for answers in all_answers if field.clean_name in answers]
        question = {"field": field, "kind": field.field_type, "count": len(values)}
        if shown:
            question.update(_breakdown(field, values))
        questions.append(question)
    return {
        "answers": len(all_answers),
        "invited": invited,
        # The share of invitations sent that were answered; answers that came without one do not count.
        "rate": answered / invited if invited else None,
        "shown": shown,
        "min_answers": min_answers(),
        "questions": questions,
    }


def _breakdown(field, values):
    if field.field_type == SCALE:
        numbers = [int(value) for value in values]
        distribution = [(point, numbers.count(point)) for point in range(11)]
        return {
            "distribution": distribution,
            "mean": statistics.fmean(numbers) if numbers else None,
            "median": statistics.median(numbers) if numbers else None,
        }
    if field.field_type == "multiline":
        return {"texts": sorted(str(value) for value in values)}
    options = [value for value, _label in FormBuilder([]).get_formatted_field_choices(field)]
    chosen = [item for value in values for item in (value if isinstance(value, list) else [value])]
    return {"distribution": [(option, chosen.count(option)) for option in options]}
