"""The catalogue, and the pages that hang off an offering: programme, brochure, notice, information."""

import hashlib
import json

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES, ContentStreamBlock, ModuleBlock, ProgrammeStreamBlock
from .base import LmsPageMixin

LANGUAGE_CHOICES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
    ("se", _("Northern Sami")),
]


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
        from ..catalogue import CatalogueFilter, catalogue_cards

        context = super().get_context(request, *args, **kwargs)
        filters = CatalogueFilter(request.GET, catalogue=self)
        offerings = self.get_offerings(filters)
        paginator = Paginator(offerings, self.offerings_per_page)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            page_obj=page_obj,
            page_range=paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            ellipsis=paginator.ELLIPSIS,
            offerings=catalogue_cards(page_obj.object_list),
            result_count=paginator.count,
            query_string=query.urlencode(),
            active_filters=filters.active_filters(),
        )
        return context


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
