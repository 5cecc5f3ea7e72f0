"""A registration: one person's interest in an offering, with a place, on the waiting list, or ended."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.models import AbstractFormSubmission

from lms_pages.models import OfferingGroup, OfferingPage

from ..choices import ENDED, HOLDS_PLACE, EmailState, RegistrationSource, RegistrationStatus
from ..encryption import EncryptedJSONField, split_answers
from ..tokens import reference_from_token


class Registration(AbstractFormSubmission):
    """One person's registration; typed columns for what administrators work with, JSON for the rest.

    Its status changes only through `lms_forms.services`, which lock the group and recount its places.
    """

    # Registering the participant admin would index every registration's links to pages; nothing
    # needs "where is this page used" to list registrations, and it would cost every POST 5 queries.
    wagtail_reference_index_ignore = True

    offering = models.ForeignKey(
        OfferingPage, verbose_name=_("offering"), on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        OfferingGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    group_name = models.CharField(_("group name"), max_length=100, blank=True)
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices)
    # Until when an offered place is kept for this person (status "offered"); then it passes on.
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True, editable=False)
    # The registrant who brought this person along (a next of kin, a child); they share one fate.
    companion_of = models.OneToOneField(
        "self",
        verbose_name=_("companion of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="companion",
        editable=False,
    )
    notice_version = models.PositiveIntegerField(_("confidentiality notice version accepted"), null=True)
    notice_accepted_at = models.DateTimeField(_("confidentiality notice accepted"), null=True, blank=True)
    health_consent_at = models.DateTimeField(
        _("consent to process health information"), null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=8, choices=RegistrationSource.choices, default=RegistrationSource.WEB
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    field_labels = models.JSONField(_("labels of the form's own questions"), default=dict, blank=True)
    # The answers to questions that ask about health, encrypted at rest (lms_forms.encryption).
    sensitive_answers = EncryptedJSONField(_("answers about health (encrypted)"))
    note = models.TextField(_("note"), blank=True)
    # The last email to the registrant: being sent, sent, or failed after its retries.
    email_state = models.CharField(
        _("email"), max_length=8, choices=EmailState.choices, blank=True, editable=False
    )
    email_attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when the retention period ran out and the personal data were deleted (services.retention).
    anonymised_at = models.DateTimeField(_("personal data deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        # Personal (health) data: seen, exported, imported and changed only by course administrators.
        permissions = [("manage_participants", _("Can see, export, import and change participants"))]
        ordering = ["submit_time", "pk"]
        constraints = [
            # One active registration per email and offering; an ended one may register again. A
            # companion without an email of their own shares the registrant's and is not counted.
            models.UniqueConstraint(
                fields=["offering", "email"],
                condition=~Q(status__in=ENDED) & Q(companion_of__isnull=True),
                name="lms_one_active_registration_per_email",
            )
        ]
        indexes = [models.Index(fields=["group", "status", "submit_time"], name="lms_registration_queue")]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

    @classmethod
    def from_token(cls, token, salt):
        """The registration a signed link points to, with its offering and group; None for a bad link."""
        reference = reference_from_token(token, salt)
        if reference is None:
            return None
        return cls.objects.select_related("offering", "group").filter(reference=reference).first()

    @property
    def answers(self):
        """Every answer to the editor's questions, the encrypted ones decrypted, in the form's order."""
        answers = {**(self.form_data or {}), **(self.sensitive_answers or {})}
        order = list(self.field_labels or {})
        return dict(
            sorted(answers.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
        )

    def answer(self, clean_name, default=""):
        """One answer, from wherever it is kept."""
        if clean_name in (self.sensitive_answers or {}):
            return self.sensitive_answers[clean_name]
        return (self.form_data or {}).get(clean_name, default)

    def set_answers(self, answers, sensitive_names):
        """Store `answers`, those to the questions named in `sensitive_names` encrypted."""
        self.form_data, self.sensitive_answers, _moved = split_answers(answers, None, sensitive_names)

    def get_data(self):
        return {
            **self.answers,
            "submit_time": self.submit_time,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "group": self.group_name,
            "status": self.get_status_display(),
            "notice_version": self.notice_version,
        }

    @property
    def holds_place(self):
        return self.status in HOLDS_PLACE

    @property
    def is_companion(self):
        return self.companion_of_id is not None

    def waiting_position(self):
        """1 for the first on the group's waiting list; None when not waiting. A companion waits with
        the person who brought them, so only registrants are counted."""
        if self.status != RegistrationStatus.WAITING:
            return None
        ahead = Registration.objects.filter(
            group_id=self.group_id, status=RegistrationStatus.WAITING, companion_of__isnull=True
        ).filter(Q(submit_time__lt=self.submit_time) | Q(submit_time=self.submit_time, pk__lt=self.pk))
        return ahead.count() + 1
