"""A regional catalogue: the offerings of several sites, read from their feeds (lms_pages.feed).

The page names its feeds: sites of this installation, read directly, and other installations' feeds by
address. A scheduled run (lms_pages.regional.fetching) reads each feed and keeps its last good copy
(`FeedCopy`), which the page lists, filters and searches; a visitor's request never waits for a feed.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from ..blocks import RICH_TEXT_FEATURES
from ..panels import FeedStatusPanel
from .base import LmsPageMixin


class RegionalCataloguePage(LmsPageMixin, Page):
    """The offerings of several sites in one catalogue; each card leads to the offering on its own site."""

    introduction = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)
    offerings_per_page = models.PositiveSmallIntegerField(_("offerings per page"), default=20)
    empty_text = models.TextField(
        _("text when nothing matches"),
        blank=True,
        help_text=_("Shown when no offering matches the filters, e.g. how to contact the centres."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        InlinePanel("feeds", label=_("Feeds"), min_num=1),
        FieldPanel("offerings_per_page"),
        FieldPanel("empty_text"),
    ]
    subpage_types = []
    template = "lms_pages/catalogue_page.html"

    class Meta:
        verbose_name = _("regional catalogue")
        verbose_name_plural = _("regional catalogues")

    def get_context(self, request, *args, **kwargs):
        from ..regional.listing import RegionalListing

        context = super().get_context(request, *args, **kwargs)
        context.update(RegionalListing(self, request).context(self.offerings_per_page))
        return context

    def front_cache_changes_at(self, now):
        from ..regional.listing import changes_at

        return changes_at(self, now)


class RegionalFeed(Orderable):
    page = ParentalKey(RegionalCataloguePage, on_delete=models.CASCADE, related_name="feeds")
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site of this installation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Its offerings are read directly."),
    )
    url = models.URLField(
        _("address of another installation's feed"),
        max_length=500,
        blank=True,
        help_text=_("E.g. https://lms.example-hf.no/feed/offerings/"),
    )

    panels = [
        FieldRowPanel([FieldPanel("site"), FieldPanel("url")]),
        FeedStatusPanel(heading=_("Last reading")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")

    def clean(self):
        if bool(self.site_id) == bool(self.url):
            raise ValidationError(
                _("Choose a site of this installation, or give a feed's address: one of them.")
            )
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            raise ValidationError({"url": _("A feed's address starts with https:// or http://.")})

    @property
    def source(self):
        """The key of its copy: the feed's address, or the local site's."""
        return self.url or FeedCopy.local_source(self.site_id)


class FeedCopy(models.Model):
    """The last good copy of one feed, and how its latest reading went. Not part of any page's revisions:
    the scheduled run writes it, whatever editors do."""

    source = models.CharField(_("feed"), max_length=500, unique=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    items = models.JSONField(_("offerings"), default=list)
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    checked_at = models.DateTimeField(_("last read"), null=True)
    succeeded_at = models.DateTimeField(_("last read in full"), null=True)
    error = models.TextField(_("what went wrong last"), blank=True)
    rejected = models.PositiveIntegerField(_("offerings left out"), default=0)

    class Meta:
        verbose_name = _("feed copy")
        verbose_name_plural = _("feed copies")

    def __str__(self):
        return self.name or self.source

    @staticmethod
    def local_source(site_id):
        return f"site:{site_id}"
