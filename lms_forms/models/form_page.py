"""The registration form page and its editor-defined questions, on Wagtail's form builder.

The page follows Wagtail's form flow (`FormMixin.serve`): `form_builder` builds the form,
`process_form_submission` hands a valid form to the registration service (places, waiting list, the
server's checks), and `render_landing_page` redirects to the confirmation. Its routes hand over to
`lms_forms.views`, which add what a public form needs around that flow (rate limit, refusals), and
carry the notice of when registration opens.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import prefetch_related_objects
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField

from lms_pages.blocks import RICH_TEXT_FEATURES
from lms_pages.models import OfferingPage
from lms_pages.models.base import LmsPageMixin

from ..choices import AgeCheck, CompanionChoice
from ..forms import RegistrationFormBuilder
from ..panels import OfferingRegistrationPanel
from ..tokens import CONFIRMATION_SALT, make_token
from ..validators import parse_reminder_days, validate_email_template, validate_reminder_days
from .registration import Registration

DEFAULT_OFFER_HOURS = 48


class RendersTemplates:
    """Routes of a form page answer with one of its templates, the page's context and their own."""

    def render(self, request, template=None, status=200, **context):
        full_context = self.get_context(request)
        full_context.update(context)
        return TemplateResponse(request, template or self.get_template(request), full_context, status=status)


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


DEFAULT_CONFIRMATION_TEXT = _(
    "Hello {name},\n\n"
    "Thank you for registering for {offering} ({group}).\n"
    "Status: {status}\n"
    "First session: {first_session}\n\n"
    "If you cannot come, please cancel so someone else can have your place:\n"
    "{cancel_link}\n"
)

DEFAULT_CONFIRMATION_SUBJECT = _("Your registration")


def _words(text):
    return " ".join(str(text).split())


def is_built_in(value, default):
    """Whether `value` is the built-in `default` (lazy) as stored in any of the site's languages: a page
    made in bokmål keeps the bokmål default, which an English email must not use."""
    words = _words(value)
    for code in {"en", *(code for code, _name in settings.LANGUAGES)}:
        with translation.override(code):
            if words == _words(default):
                return True
    return False


DEFAULT_HEALTH_CONSENT = _(
    "I agree that the organiser may process the health information I give in this form, to plan the "
    "offering. I can withdraw my consent at any time by cancelling my registration."
)


class RegistrationFormPage(RendersTemplates, LmsPageMixin, RoutablePageMixin, AbstractEmailForm):
    """Interest registration for the offering it sits under, built on Wagtail's form builder.

    Name, email, group, the confidentiality notice and (when asked) phone, age and health consent are
    part of every form; editors add their own questions below them.
    """

    is_registration_form = True  # lets the offering find its form without importing this app
    # It carries a CSRF token and the visitor's own answers: never kept by a shared cache.
    shared_cache = False
    form_builder = RegistrationFormBuilder

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
    companion = models.CharField(
        _("companion"),
        max_length=16,
        choices=CompanionChoice.choices,
        default=CompanionChoice.NONE,
        help_text=_(
            "A companion (a next of kin, a parent with a child) gets a place of their own in the same "
            "group: both have a place, or both wait."
        ),
    )
    companion_label = models.CharField(
        _("what a companion is called"),
        max_length=60,
        blank=True,
        help_text=_("E.g. “Next of kin” or “Child”. Empty: “Companion”."),
    )
    companion_asks_email = models.BooleanField(
        _("ask for the companion's email (optional for them)"), default=False
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to answer an offered place"),
        default=DEFAULT_OFFER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_(
            "When a place becomes free, the first on the waiting list is offered it by email and has this "
            "long to accept; then it passes to the next. Never later than the group's next session."
        ),
    )
    confirmation_subject = models.CharField(
        _("subject of the confirmation email"), max_length=200, default=DEFAULT_CONFIRMATION_SUBJECT
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
    reminder_days = models.CharField(
        _("reminders before each session (days)"),
        max_length=40,
        blank=True,
        default="7, 1",
        validators=[validate_reminder_days],
        help_text=_(
            "Everyone with a place gets a reminder this many days before each session, at the session's "
            "time of day, e.g. 7, 1. Empty: no reminders."
        ),
    )
    reminder_text = models.TextField(
        _("in the reminder"),
        blank=True,
        help_text=_("E.g. what to bring, where to meet, or how the link to a digital session is sent."),
    )
    reminder_sms = models.BooleanField(
        _("also by text message"),
        default=False,
        help_text=_(
            "To those who gave a mobile number, when the site has a text message service set up. "
            "The message holds the time and place only."
        ),
    )
    sessions_to_attend = models.PositiveSmallIntegerField(
        _("sessions to attend"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many sessions a participant must attend to count as having attended (and to get a "
            "certificate). Empty: all of them. After the last session, those marked fewer times are "
            "“did not show up”."
        ),
    )
    certificate = models.BooleanField(
        _("course certificate"),
        default=False,
        help_text=_(
            "Those who attended as many sessions as asked above get a certificate of attendance (PDF): "
            "course administrators download them, and each participant through a link of their own."
        ),
    )
    certificate_hours = models.DecimalField(
        _("hours on the certificate"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The course's teaching hours, e.g. 18. Empty: the certificate gives the dates only."),
    )
    certificate_text = models.TextField(
        _("on the certificate"),
        blank=True,
        help_text=_("E.g. the topics the course covered, or its learning outcomes."),
    )
    certificate_signed_by = models.CharField(
        _("signed by"),
        max_length=200,
        blank=True,
        help_text=_("Name and title of the person the certificate names as issuing it."),
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
        MultiFieldPanel(
            [
                FieldPanel("companion"),
                FieldRowPanel([FieldPanel("companion_label"), FieldPanel("companion_asks_email")]),
            ],
            heading=_("Companion"),
        ),
        InlinePanel("form_fields", heading=_("Your own questions"), label=_("Question")),
        FieldPanel("next_steps"),
        FieldPanel("offer_hours"),
        MultiFieldPanel(
            [FieldPanel("reminder_days"), FieldPanel("reminder_text"), FieldPanel("reminder_sms")],
            heading=_("Reminders before each session"),
        ),
        FieldPanel("sessions_to_attend"),
        MultiFieldPanel(
            [
                FieldPanel("certificate"),
                FieldPanel("certificate_hours"),
                FieldPanel("certificate_text"),
                FieldPanel("certificate_signed_by"),
            ],
            heading=_("Course certificate"),
        ),
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

    @property
    def companion_name(self):
        return self.companion_label or _("Companion")

    @property
    def takes_companions(self):
        return self.companion != CompanionChoice.NONE

    @property
    def reminder_schedule(self):
        """The days before each session a reminder is due, largest first ([] for none)."""
        return parse_reminder_days(self.reminder_days)

    def get_form_fields(self):
        """The editor's questions, read once per request (the form, its labels and the health check)."""
        if not hasattr(self, "_form_fields"):
            self._form_fields = list(super().get_form_fields())
        return self._form_fields

    def confirmation_email(self, language, *, subject_language=None, text_language=None):
        """The confirmation's subject and text (with its placeholders) in `language`.

        The editor's own, where they are written in that language: on a page of that language, and not
        a copy of another language's version left untranslated (`subject_language` and `text_language`
        say in which language the texts were written; by default, the page's). Otherwise, and where
        the editor kept the built-in text (stored in the language the page was made in), the built-in
        text in `language`, so that nothing in the email is in another language.
        """
        own_language = self.locale.language_code if None in (subject_language, text_language) else None
        texts = []
        for value, default, written_in in (
            (self.confirmation_subject, DEFAULT_CONFIRMATION_SUBJECT, subject_language or own_language),
            (self.confirmation_text, DEFAULT_CONFIRMATION_TEXT, text_language or own_language),
        ):
            if written_in == language and value and not is_built_in(value, default):
                texts.append(value)
            else:
                with translation.override(language):
                    texts.append(str(default))
        return tuple(texts)

    def get_submission_class(self):
        return Registration

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

    # Wagtail's form flow (FormMixin.serve), run by lms_forms.views.serve_form.

    def process_form_submission(self, form):
        """Store the registration through the registration service; never Wagtail's email of the answers.

        A refusal (closed since the form was shown, full, a duplicate) is added to the form, and None
        returned, so that `render_landing_page` shows the form again with the reason.
        """
        # The page hands over to its service, as its routes hand over to their views (declared in the
        # import contracts).
        from ..services.registration import RegistrationRefused, register

        try:
            return register(self, form)
        except RegistrationRefused as refused:
            form.add_error(refused.field, refused.message)
            self._refused_form = form
            return None

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        """After a POST: the confirmation at an address of its own (reloading it sends nothing again);
        after a refusal, the form with the reason."""
        if form_submission is None:
            return self.render(request, status=409, form=self._refused_form)
        token = make_token(form_submission, CONFIRMATION_SALT)
        # The address on the visitor's own site, as they reached it (with several sites, `url` is absolute).
        confirmation = self.reverse_subpage("confirmation", kwargs={"token": token})
        return HttpResponseRedirect(self.get_url(request) + confirmation)

    def send_mail(self, form):
        """Wagtail's notification lists every answer; ours never does. The organiser's notice, without
        answers, is sent by lms_forms.services.notifications."""

    # Routes: the form itself, the confirmation after a POST, cancellation, the answer to an offer, the
    # participant's certificate of attendance, and the notice of when registration opens.

    @path("")
    def form_view(self, request):
        from ..views import serve_form

        return serve_form(self, request)

    @re_path(r"^bekreftelse/(?P<token>[\w-]+)/$", name="confirmation")
    def confirmation_view(self, request, token):
        from ..views import serve_confirmation

        return serve_confirmation(self, request, token)

    @re_path(r"^avmelding/(?P<token>[\w-]+)/$", name="cancel")
    def cancel_view(self, request, token):
        from ..views import serve_cancellation

        return serve_cancellation(self, request, token)

    @re_path(r"^tilbud/(?P<token>[\w-]+)/$", name="offer")
    def offer_view(self, request, token):
        from ..views import serve_offer

        return serve_offer(self, request, token)

    @re_path(r"^kursbevis/(?P<token>[\w-]+)/$", name="certificate")
    def certificate_view(self, request, token):
        from ..views import serve_certificate

        return serve_certificate(self, request, token)

    @path("varsle/", name="opening_notice")
    def opening_notice_view(self, request):
        from ..views import serve_opening_notice

        return serve_opening_notice(self, request)

    @path("varsle/sendt/", name="opening_notice_sent")
    def opening_notice_sent_view(self, request):
        from ..views import serve_opening_notice_sent

        return serve_opening_notice_sent(self, request)

    @re_path(r"^varsle/bekreft/(?P<token>[\w-]+)/$", name="opening_notice_confirm")
    def opening_notice_confirm_view(self, request, token):
        from ..views import serve_opening_notice_confirm

        return serve_opening_notice_confirm(self, request, token)

    @re_path(r"^varsle/stopp/(?P<token>[\w-]+)/$", name="opening_notice_unsubscribe")
    def opening_notice_unsubscribe_view(self, request, token):
        from ..views import serve_opening_notice_unsubscribe

        return serve_opening_notice_unsubscribe(self, request, token)
