"""Per-site details the frame shows: who runs the centre, how to reach it, where the statements are."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from ..colours import validate_brand_colour


@register_setting(icon="site")
class LmsSiteSettings(BaseSiteSetting):
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    opening_hours = models.CharField(
        _("phone hours"), max_length=200, blank=True, help_text=_("E.g. Monday to Friday 08.00–15.30.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown in the header on the brand colour; an SVG or a PNG with a transparent background."
        ),
    )
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        blank=True,
        validators=[validate_brand_colour],
        help_text=_(
            "E.g. #003a73. The header, buttons and links use it with white text, so it must be dark."
        ),
    )
    accessibility_statement = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("organisation_name"),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("brand_colour")], heading=_("Look")),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("phone"), FieldPanel("opening_hours"), FieldPanel("address")],
            heading=_("Contact details"),
        ),
        MultiFieldPanel(
            [
                PageChooserPanel("accessibility_statement", page_type="lms_pages.AccessibilityStatementPage"),
                FieldPanel("privacy_page"),
            ],
            heading=_("Pages in the footer"),
        ),
    ]

    select_related = ["accessibility_statement", "privacy_page", "logo"]

    class Meta:
        verbose_name = _("learning and coping centre")

    @classmethod
    def for_request(cls, request):
        # Every page's header and footer read these; they change rarely, so they are cached between
        # changes (saving them or publishing a page sets a new content version). The admin's settings
        # form reads them through for_site, uncached.
        from ..content_cache import get_or_build

        attr_name = cls.get_cache_attr_name()
        site = Site.find_for_request(request)
        if site is not None and not hasattr(request, attr_name):
            instance = get_or_build(f"site-settings:{site.pk}", lambda: cls.for_site(site))
            instance._request = request  # lets page_url use the request's cached site root paths
            setattr(request, attr_name, instance)
        return super().for_request(request)
