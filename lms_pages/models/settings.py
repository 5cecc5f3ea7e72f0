"""Per-site details the frame shows: who runs the centre, how to reach it, where the statements are."""

from django.conf import settings
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, Site

from ..colours import validate_brand_colour

# The texts of the settings a visitor reads, which have a translation per language.
TRANSLATED_TEXTS = ("organisation_name", "opening_hours", "address")


@register_setting(icon="site")
class LmsSiteSettings(ClusterableModel, BaseSiteSetting):
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
        InlinePanel(
            "translations",
            heading=_("In other languages"),
            help_text=_("The name, phone hours and address as pages in another language show them."),
            label=_("Language"),
        ),
    ]

    select_related = ["accessibility_statement", "privacy_page", "logo"]

    @property
    def texts(self):
        """The name, phone hours and address in the active language: its translation's where it has
        one, filled in from these settings where the translation leaves a text empty."""
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        translation = next((t for t in self.translations.all() if t.language == language), None)
        if translation is None:
            return self
        return SiteTexts(
            **{name: getattr(translation, name) or getattr(self, name) for name in TRANSLATED_TEXTS},
            language=language,
        )

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
            instance = get_or_build(f"site-settings:{site.pk}", lambda: cls._for_site_with_translations(site))
            instance._request = request  # lets page_url use the request's cached site root paths
            setattr(request, attr_name, instance)
        return super().for_request(request)

    @classmethod
    def _for_site_with_translations(cls, site):
        instance = cls.for_site(site)
        prefetch_related_objects([instance], "translations")
        return instance


class SiteTexts:
    """The visitor-facing texts of a site's settings in one language."""

    def __init__(self, organisation_name, opening_hours, address, language):
        self.organisation_name = organisation_name
        self.opening_hours = opening_hours
        self.address = address
        self.language = language


class LmsSiteSettingsTranslation(Orderable):
    """The site's name, phone hours and address in a language other than the default."""

    site_settings = ParentalKey(LmsSiteSettings, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
    )
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    opening_hours = models.CharField(_("phone hours"), max_length=200, blank=True)
    address = models.TextField(_("postal address"), blank=True)

    panels = [
        FieldPanel("language"),
        FieldPanel("organisation_name"),
        FieldPanel("opening_hours"),
        FieldPanel("address"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["site_settings", "language"], name="lms_site_settings_one_per_language"
            )
        ]
        verbose_name = _("site settings in another language")
