"""The catalogue, and the pages that hang off an offering: programme, brochure, notice, information."""

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES, ContentStreamBlock, ModuleBlock, ProgrammeStreamBlock
from ..languages import LANGUAGE_CHOICES
from .base import LmsPageMixin


class CataloguePage(LmsPageMixin, Page):
    """The catalogue of offerings that visitors filter by topic, audience, place, format and date."""

    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    offerings_per_page = models.PositiveSmallIntegerField(_("offerings per page"), default=20)
    empty_text = models.TextField(
        _("text when nothing matches"),
        blank=True,
        help_text=_("Shown when no offering matches the filters, e.g. how to contact the centre."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("offerings_per_page"),
        FieldPanel("empty_text"),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    subpage_types = [
        "lms_pages.OfferingPage",
        "lms_pages.InformationPage",
        "lms_pages.ConfidentialityNoticePage",
        "lms_pages.AccessibilityStatementPage",
        "lms_pages.RegionalCataloguePage",
    ]

    class Meta:
        verbose_name = _("catalogue of offerings")
        verbose_name_plural = _("catalogues of offerings")

    def route(self, request, path_components):
        # Serve an offering with its foreign keys joined, in one query instead of Wagtail's two. On the
        # way to a page under it (its registration form) only the confidentiality notice is joined.
        if path_components:
            from .offering import OfferingPage

            related = OfferingPage.related_fields if len(path_components) == 1 else ["confidentiality_notice"]
            offering = (
                OfferingPage.objects.child_of(self)
                .filter(slug=path_components[0])
                .select_related(*related)
                .first()
            )
            if offering is not None:
                offering._cached_parent_obj = self
                return offering.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_offerings(self, filters):
        """The live offerings under this catalogue that match the visitor's filters."""
        from ..catalogue import filter_offerings

        return filter_offerings(self, filters)

    def get_context(self, request, *args, **kwargs):
        from ..catalogue import CatalogueListing

        context = super().get_context(request, *args, **kwargs)
        context.update(CatalogueListing(self, request).context(self.offerings_per_page))
        return context

    def front_cache_changes_at(self, now):
        from ..catalogue.listing import NOTHING_SCHEDULED, changes_at

        moment = changes_at(self, now)
        return None if moment == NOTHING_SCHEDULED else moment


class CourseProgrammePage(LmsPageMixin, Page):
    """A programme: day by day with times, topics and speakers, and/or modules with their learning goals."""

    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    learning_goals = RichTextField(_("learning goals"), features=RICH_TEXT_FEATURES, blank=True)
    days = StreamField(ProgrammeStreamBlock(), verbose_name=_("day by day"), blank=True)
    modules = StreamField([("module", ModuleBlock())], verbose_name=_("modules"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("learning_goals"),
        FieldPanel("days"),
        HelpPanel(content=_("The total number of days is added up from the modules and shown to visitors.")),
        FieldPanel("modules"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("days"),
        index.SearchField("modules"),
    ]
    parent_page_types = ["lms_pages.OfferingPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("course programme")
        verbose_name_plural = _("course programmes")

    @property
    def total_module_days(self):
        return sum(module.value["days"] or 0 for module in self.modules)


class BrochurePage(LmsPageMixin, Page):
    """A downloadable brochure with a summary, for visitors who want the offering on paper."""

    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("brochure file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = RichTextField(_("summary"), features=RICH_TEXT_FEATURES, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(
        _("language of the brochure"), max_length=8, choices=LANGUAGE_CHOICES, default="nb"
    )

    content_panels = Page.content_panels + [
        FieldPanel("document"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("language"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["lms_pages.OfferingPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("brochure")
        verbose_name_plural = _("brochures")


class ConfidentialityNoticePage(LmsPageMixin, Page):
    """The confidentiality notice participants must read; each changed text gets a new version number."""

    body = RichTextField(_("notice"), features=RICH_TEXT_FEATURES + ["h2", "h3"])
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    effective_date = models.DateField(_("in effect from"), null=True, blank=True, editable=False)
    text_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    content_panels = Page.content_panels + [
        HelpPanel(
            content=_(
                "When you publish a changed text, the version number goes up by one and the notice takes effect "
                "that day. Registrations record the version the person accepted."
            )
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["lms_pages.OfferingPage", "lms_pages.CataloguePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("confidentiality notice")
        verbose_name_plural = _("confidentiality notices")

    def compute_fingerprint(self):
        return hashlib.sha256(json.dumps([self.title, self.body]).encode()).hexdigest()

    def with_content_json(self, content):
        # The version belongs to the published history, not to a draft: keep it when a revision is restored.
        obj = super().with_content_json(content)
        obj.version = self.version
        obj.effective_date = self.effective_date
        obj.text_fingerprint = self.text_fingerprint
        return obj


class NoticeVersion(models.Model):
    """The text of each published version of a notice, so what a registrant accepted can be shown later."""

    notice = models.ForeignKey(ConfidentialityNoticePage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"))

    class Meta:
        ordering = ["notice", "-number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="lms_notice_version_unique")]
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")

    def __str__(self):
        return f"{self.title} v{self.number}"


class InformationPage(LmsPageMixin, Page):
    """A general page, e.g. what learning and coping offerings are, or the accessibility statement."""

    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(ContentStreamBlock(), verbose_name=_("body"), blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("last_reviewed")], heading=_("Review")),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    subpage_types = ["lms_pages.InformationPage"]

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")


class ConformanceStatus(models.TextChoices):
    """How far the site meets the requirements (WCAG 2.1 AA, as Norwegian regulations require)."""

    FULL = "full", _("The website meets the requirements")
    PARTIAL = "partial", _("The website meets the requirements in part")
    NONE = "none", _("The website does not meet the requirements")


class AssessmentMethod(models.TextChoices):
    SELF = "self", _("Our own assessment")
    EXTERNAL = "external", _("An assessment by an outside expert")


class AccessibilityStatementPage(LmsPageMixin, Page):
    """The accessibility statement that Norwegian websites must have: how far the site meets WCAG 2.1 AA,
    what is known not to work and when it will, and how to give feedback or complain."""

    introduction = models.TextField(_("introduction"), blank=True)
    conformance = models.CharField(
        _("status"), max_length=16, choices=ConformanceStatus.choices, default=ConformanceStatus.PARTIAL
    )
    body = StreamField(
        ContentStreamBlock(),
        verbose_name=_("how the website is made accessible"),
        blank=True,
    )
    assessed_on = models.DateField(_("last assessed"), null=True, blank=True)
    assessment_method = models.CharField(
        _("assessed by"), max_length=16, choices=AssessmentMethod.choices, default=AssessmentMethod.SELF
    )
    feedback_email = models.EmailField(
        _("email for feedback"), blank=True, help_text=_("Empty: the site's email address.")
    )
    feedback_phone = models.CharField(_("phone for feedback"), max_length=32, blank=True)
    official_statement_url = models.URLField(
        _("the statement at uustatus.no"),
        blank=True,
        help_text=_("Public bodies publish their statement at uustatus.no; link to it here."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("conformance"),
        InlinePanel("known_issues", heading=_("What does not work yet"), label=_("Known issue")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("assessed_on"), FieldPanel("assessment_method")]),
                FieldPanel("last_reviewed"),
            ],
            heading=_("Assessment"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("feedback_email"), FieldPanel("feedback_phone")]),
                FieldPanel("official_statement_url"),
            ],
            heading=_("Feedback"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")

    def get_context(self, request, *args, **kwargs):
        from .settings import LmsSiteSettings

        context = super().get_context(request, *args, **kwargs)
        site_settings = LmsSiteSettings.for_request(request)
        context["known_issues"] = list(self.known_issues.all())
        context["feedback_email"] = self.feedback_email or site_settings.email
        context["feedback_phone"] = self.feedback_phone or site_settings.phone
        return context


class AccessibilityIssue(Orderable):
    """Something on the website that does not meet a requirement, and when it will."""

    page = ParentalKey(AccessibilityStatementPage, on_delete=models.CASCADE, related_name="known_issues")
    description = models.TextField(_("what does not work"))
    criterion = models.CharField(
        _("WCAG success criterion"), max_length=120, blank=True, help_text=_("E.g. 1.1.1 Non-text content.")
    )
    planned_fix = models.DateField(_("to be fixed by"), null=True, blank=True)

    panels = [FieldPanel("description"), FieldRowPanel([FieldPanel("criterion"), FieldPanel("planned_fix")])]

    class Meta(Orderable.Meta):
        verbose_name = _("known issue")
        verbose_name_plural = _("known issues")
