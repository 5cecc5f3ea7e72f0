"""Evaluation after a course: a form page of the editor's questions under an offering, the invitations
that open it once per participant, and the answers, kept apart from who gave them.

An answer holds the group (and the session, when the form asks after each one) it is about and the
day it was given, never the invitation or the person, unless the editor turned anonymity off. An
invitation only knows whether it has been used, not when, so the two cannot be matched by time.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField

from lms_pages.blocks import RICH_TEXT_FEATURES
from lms_pages.models import GroupSession, OfferingGroup, OfferingPage
from lms_pages.models.base import LmsPageMixin

from ..forms import EvaluationFormBuilder
from ..tokens import reference_from_token
from .form_page import RendersTemplates
from .registration import Registration
from .reminder import ClaimedSend

SCALE = "scale"


class EvaluationFieldType(models.TextChoices):
    SCALE = SCALE, _("Scale from 0 to 10")
    ONE_CHOICE = "radio", _("One of several choices")
    CHOICES = "checkboxes", _("Any of several choices")
    TEXT = "multiline", _("Free text")


class InviteAfter(models.TextChoices):
    LAST_SESSION = "last", _("The group's last session")
    EACH_SESSION = "each", _("Each session")


class EvaluationField(AbstractFormField):
    page = ParentalKey("EvaluationFormPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(
        _("kind of question"), max_length=16, choices=EvaluationFieldType.choices, default=SCALE
    )
    low_label = models.CharField(
        _("what 0 means"), max_length=100, blank=True, help_text=_("E.g. Not useful at all.")
    )
    high_label = models.CharField(
        _("what 10 means"), max_length=100, blank=True, help_text=_("E.g. Very useful.")
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("field_type"), FieldPanel("required")]),
        FieldRowPanel([FieldPanel("low_label"), FieldPanel("high_label")]),
        FieldPanel("choices"),
    ]

    @property
    def is_scale(self):
        return self.field_type == SCALE


class EvaluationFormPage(RendersTemplates, LmsPageMixin, RoutablePageMixin, AbstractForm):
    """The written evaluation of the offering it sits under; opened only through an invitation."""

    form_builder = EvaluationFormBuilder
    belongs_under_offering = True  # lets the offering take it as a child without importing this app
    # It carries a CSRF token and the visitor's own answers: never kept by a shared cache.
    shared_cache = False

    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    invite_after = models.CharField(
        _("invite after"),
        max_length=8,
        choices=InviteAfter.choices,
        default=InviteAfter.LAST_SESSION,
        help_text=_("Everyone with a place gets an email with a link of their own, usable once."),
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Answers are stored without who gave them. Results are shown only for selections with "
            "enough answers that no one can be recognised."
        ),
    )
    thank_you_text = RichTextField(
        _("thank you"), features=RICH_TEXT_FEATURES, blank=True, help_text=_("Shown after sending.")
    )

    parent_page_types = ["lms_pages.OfferingPage"]
    subpage_types = []
    max_count_per_parent = 1
    preview_modes = [("form", _("Form"))]

    content_panels = AbstractForm.content_panels + [
        FieldPanel("introduction"),
        MultiFieldPanel([FieldPanel("invite_after"), FieldPanel("anonymous")], heading=_("Who answers")),
        InlinePanel("form_fields", heading=_("Questions"), label=_("Question")),
        FieldPanel("thank_you_text"),
    ]

    class Meta:
        verbose_name = _("evaluation form")
        verbose_name_plural = _("evaluation forms")

    @property
    def offering_page(self):
        if not hasattr(self, "_offering_page"):
            self._offering_page = OfferingPage.objects.filter(path=self.path[: -self.steplen]).first()
        return self._offering_page

    def get_form_fields(self):
        if not hasattr(self, "_form_fields"):
            self._form_fields = list(super().get_form_fields())
        return self._form_fields

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["offering"] = self.offering_page
        return context

    def get_data_fields(self):
        return [(field.clean_name, field.label) for field in self.get_form_fields()]

    def serve_preview(self, request, mode_name):
        from ..views import serve_evaluation_preview

        return serve_evaluation_preview(self, request)

    # Routes: without an invitation the page says whom it is for; with one, the form.

    @path("")
    def about_view(self, request):
        from ..views import serve_evaluation_about

        return serve_evaluation_about(self, request)

    @re_path(r"^(?P<token>[\w-]+)/$", name="evaluation")
    def evaluation_view(self, request, token):
        from ..views import serve_evaluation

        return serve_evaluation(self, request, token)


class EvaluationInvitation(ClaimedSend):
    """One participant's invitation to evaluate, after one session (their group's last, or each)."""

    page = models.ForeignKey(
        EvaluationFormPage,
        verbose_name=_("evaluation form"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    used = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("evaluation invitation")
        verbose_name_plural = _("evaluation invitations")
        constraints = [
            models.UniqueConstraint(fields=["page", "registration", "session"], name="lms_one_invitation")
        ]

    def __str__(self):
        return str(self.reference)

    @classmethod
    def from_token(cls, token, salt):
        reference = reference_from_token(token, salt)
        if reference is None:
            return None
        return cls.objects.select_related("session__group").filter(reference=reference).first()


class EvaluationResponse(models.Model):
    """One set of answers. `registration` is set only on a form that is not anonymous."""

    page = models.ForeignKey(
        EvaluationFormPage,
        verbose_name=_("evaluation form"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    group = models.ForeignKey(
        OfferingGroup, verbose_name=_("group"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.ForeignKey(
        GroupSession, verbose_name=_("session"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(_("answers"), default=dict)
    submitted_on = models.DateField(_("answered on"))

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        indexes = [models.Index(fields=["page", "group"], name="lms_evaluation_results")]

    def __str__(self):
        return f"{self.page_id}/{self.pk}"
