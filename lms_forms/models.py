"""The registration form page, its editor-defined fields, and the registrations it takes."""

import string
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, prefetch_related_objects
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField, AbstractFormSubmission
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField
from wagtail.signals import page_published

from lms_pages.blocks import RICH_TEXT_FEATURES
from lms_pages.models import OfferingGroup, OfferingPage
from lms_pages.models.base import LmsPageMixin

from .encryption import EncryptedJSONField, resplit_registrations, split_answers
from .panels import OfferingRegistrationPanel

# The placeholders an editor can use in the confirmation email.
EMAIL_PLACEHOLDERS = ("name", "offering", "group", "status", "first_session", "cancel_link")


class AgeCheck(models.TextChoices):
    NONE = "none", _("Do not ask")
    CONFIRMATION = "confirmation", _("Ask the registrant to confirm the minimum age")
    BIRTH_DATE = "birth_date", _("Ask for the date of birth")


class RegistrationStatus(models.TextChoices):
    PLACE = "place", _("Has a place")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("Offered a freed place")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not show up")


# The statuses that hold one of the group's places.
HOLDS_PLACE = (RegistrationStatus.PLACE, RegistrationStatus.OFFERED, RegistrationStatus.ATTENDED)


class RegistrationSource(models.TextChoices):
    WEB = "web", _("Registration form")
    IMPORT = "import", _("Import")


class RegistrationFormField(AbstractFormField):
    page = ParentalKey("RegistrationFormPage", on_delete=models.CASCADE, related_name="form_fields")
    asks_about_health = models.BooleanField(
        _("asks about health"),
        default=False,
        help_text=_(
            "Tick when the answer says something about the registrant's health (e.g. diagnosis or "
            "medication). The form then asks for explicit consent to process health information, and "
            "the answer is stored encrypted and shown only to course administrators."
        ),
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("field_type"), FieldPanel("required"), FieldPanel("asks_about_health")]),
        FieldPanel("choices"),
        FieldPanel("default_value"),
    ]


def validate_email_template(value):
    """Refuse unknown placeholders and stray braces, so the email never fails to render later."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        raise ValidationError(
            _("Write placeholders as {name}; use {{ and }} for a brace on its own.")
        ) from error
    unknown = sorted(names - set(EMAIL_PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. You can use: %(allowed)s."),
            params={
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "allowed": ", ".join(f"{{{name}}}" for name in EMAIL_PLACEHOLDERS),
            },
        )


DEFAULT_CONFIRMATION_TEXT = _(
    "Hello {name},\n\n"
    "Thank you for registering for {offering} ({group}).\n"
    "Status: {status}\n"
    "First session: {first_session}\n\n"
    "If you cannot come, please cancel so someone else can have your place:\n"
    "{cancel_link}\n"
)

DEFAULT_HEALTH_CONSENT = _(
    "I agree that the organiser may process the health information I give in this form, to plan the "
    "offering. I can withdraw my consent at any time by cancelling my registration."
)


class RegistrationFormPage(LmsPageMixin, RoutablePageMixin, AbstractEmailForm):
    """Interest registration for the offering it sits under, built on Wagtail's form builder.

    Name, email, group, the confidentiality notice and (when asked) phone, age and health consent are
    part of every form; editors add their own questions below them.
    """

    is_registration_form = True  # lets the offering find its form without importing this app

    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    ask_phone = models.BooleanField(_("ask for a phone number"), default=True)
    phone_required = models.BooleanField(_("phone number required"), default=False)
    age_check = models.CharField(
        _("age check"),
        max_length=16,
        choices=AgeCheck.choices,
        default=AgeCheck.NONE,
        help_text=_("Checked against the offering's minimum age."),
    )
    health_consent_text = models.TextField(
        _("consent to process health information"),
        default=DEFAULT_HEALTH_CONSENT,
        help_text=_("Shown as a required checkbox when a field asks about health."),
    )
    confirmation_subject = models.CharField(
        _("subject of the confirmation email"), max_length=200, default=_("Your registration")
    )
    confirmation_text = models.TextField(
        _("confirmation email"),
        default=DEFAULT_CONFIRMATION_TEXT,
        validators=[validate_email_template],
        help_text=_(
            "Placeholders: {name}, {offering}, {group}, {status}, {first_session}, {cancel_link}. "
            "The email never repeats the answers to the form."
        ),
    )
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after the offering's last session (or, without sessions, after each registration) "
            "before names, contact details and answers are deleted. Empty: the site's default."
        ),
    )
    next_steps = RichTextField(
        _("what happens next"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("Shown on the confirmation page, e.g. when the organiser will get in touch."),
    )

    # Routes decide what to show (see below); a "landing page" mode has nothing of its own to preview.
    preview_modes = [("form", _("Form"))]

    parent_page_types = ["lms_pages.OfferingPage"]
    subpage_types = []
    max_count_per_parent = 1

    content_panels = AbstractEmailForm.content_panels + [
        OfferingRegistrationPanel(heading=_("Opening, closing, places and waiting list")),
        FormSubmissionsPanel(),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("ask_phone"), FieldPanel("phone_required")]),
                FieldPanel("age_check"),
                FieldPanel("health_consent_text"),
            ],
            heading=_("What the form asks"),
        ),
        InlinePanel("form_fields", heading=_("Your own questions"), label=_("Question")),
        FieldPanel("next_steps"),
        FieldPanel("retention_days"),
        MultiFieldPanel(
            [FieldPanel("confirmation_subject"), FieldPanel("confirmation_text")],
            heading=_("Confirmation email to the registrant"),
        ),
        MultiFieldPanel(
            [FieldPanel("to_address"), FieldPanel("from_address"), FieldPanel("subject")],
            heading=_("Notification to the organiser (holds no answers, only a link to the admin)"),
        ),
    ]

    class Meta:
        verbose_name = _("registration form")
        verbose_name_plural = _("registration forms")

    @property
    def offering_page(self):
        """The offering this form sits under (its parent), as visitors read it."""
        if not hasattr(self, "_offering_page"):
            # Routing through the catalogue has already loaded the parent; elsewhere, fetch it.
            offering = self.__dict__.get("_cached_parent_obj")
            if not isinstance(offering, OfferingPage):
                offering = (
                    OfferingPage.objects.filter(path=self.path[: -self.steplen])
                    .select_related("confidentiality_notice")
                    .first()
                )
            if offering is not None:
                # Only what the form and its pages need, not the offering page's whole content.
                prefetch_related_objects([offering], OfferingPage.registration_prefetch())
            self._offering_page = offering
        return self._offering_page

    def registration_offering(self, request=None):
        """The offering that holds the places this form gives: the parent, or on a translation or alias,
        the original it was made from (lms_pages.translations), with its groups and their occupancy."""
        offering = self.offering_page
        return offering.registration_original(request) if offering is not None else None

    @property
    def offering(self):
        """The offering registrations are stored against (see `registration_offering`)."""
        return self.registration_offering()

    def get_form_fields(self):
        """The editor's questions, read once per request (the form, its labels and the health check)."""
        if not hasattr(self, "_form_fields"):
            self._form_fields = list(super().get_form_fields())
        return self._form_fields

    def get_submission_class(self):
        return Registration

    def get_form_class(self):
        from .forms import RegistrationFormBuilder

        return RegistrationFormBuilder(self.get_form_fields()).get_form_class()

    def get_form_parameters(self):
        return {"registration_page": self}

    def get_data_fields(self):
        """The columns of the registrations list in the admin: typed columns first, then the questions."""
        return [
            ("submit_time", _("Registered")),
            ("name", _("Name")),
            ("email", _("Email")),
            ("phone", _("Phone")),
            ("group", _("Group")),
            ("status", _("Status")),
            ("notice_version", _("Notice version accepted")),
            *((field.clean_name, field.label) for field in self.get_form_fields()),
        ]

    def asks_about_health(self):
        return any(field.asks_about_health for field in self.get_form_fields())

    def sensitive_field_names(self):
        """The questions whose answers are stored encrypted: those that ask about health."""
        return {field.clean_name for field in self.get_form_fields() if field.asks_about_health}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        offering = self.registration_offering(request)
        context["offering"] = self.offering_page
        context["registration_state"] = offering.registration_state() if offering else None
        return context

    # Routes: the form itself, the confirmation after a POST, and cancellation from the emailed link.

    @path("")
    def form_view(self, request):
        from .views import serve_form

        return serve_form(self, request)

    @re_path(r"^bekreftelse/(?P<token>[\w-]+)/$", name="confirmation")
    def confirmation_view(self, request, token):
        from .views import serve_confirmation

        return serve_confirmation(self, request, token)

    @re_path(r"^avmelding/(?P<token>[\w-]+)/$", name="cancel")
    def cancel_view(self, request, token):
        from .views import serve_cancellation

        return serve_cancellation(self, request, token)


class Registration(AbstractFormSubmission):
    """One person's registration; typed columns for what administrators work with, JSON for the rest."""

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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when the retention period ran out and the personal data were deleted (lms_forms.retention).
    anonymised_at = models.DateTimeField(_("personal data deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        # Personal (health) data: seen, exported, imported and changed only by course administrators.
        permissions = [("manage_participants", _("Can see, export, import and change participants"))]
        ordering = ["submit_time", "pk"]
        constraints = [
            # One active registration per email and offering; a cancelled one may register again.
            models.UniqueConstraint(
                fields=["offering", "email"],
                condition=~Q(status="cancelled"),
                name="lms_one_active_registration_per_email",
            )
        ]
        indexes = [models.Index(fields=["group", "status", "submit_time"], name="lms_registration_queue")]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

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

    def waiting_position(self):
        """1 for the first on the group's waiting list; None when not waiting."""
        if self.status != RegistrationStatus.WAITING:
            return None
        ahead = Registration.objects.filter(group_id=self.group_id, status=RegistrationStatus.WAITING).filter(
            Q(submit_time__lt=self.submit_time) | Q(submit_time=self.submit_time, pk__lt=self.pk)
        )
        return ahead.count() + 1


PARTICIPANTS_PERMISSION = "lms_forms.manage_participants"


def can_manage_participants(user):
    """Whether `user` may see, export, import and change participants (the permission on Registration)."""
    return user.is_active and user.has_perm(PARTICIPANTS_PERMISSION)


@receiver(page_published, sender=RegistrationFormPage)
def keep_health_answers_encrypted(sender, instance, **kwargs):
    """An editor who marks a question as asking about health (or unmarks it) moves its stored answers."""
    resplit_registrations(Registration.objects.filter(page=instance), instance.sensitive_field_names())
