"""Shared vocabularies that editors keep once and reuse across offerings."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index

from ..languages import LANGUAGE_CHOICES
from .choices import AudienceCode, OrganisationKind


def originals():
    """Offerings, groups and sessions refer to a translatable vocabulary's originals (in the default
    language); pages show their translations (lms_pages.translations.localized)."""
    return Q(locale__language_code=settings.LANGUAGE_CODE)


class Audience(models.Model):
    """One of the fixed audiences; rows are created by a migration, never by editors."""

    code = models.CharField(_("code"), max_length=32, choices=AudienceCode.choices, unique=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self):
        return str(self.get_code_display())


class Language(models.Model):
    """A language an offering is held in (ISO 639 code)."""

    code = models.CharField(
        _("code"), max_length=8, unique=True, help_text=_("ISO 639 code, e.g. nb, nn, en, se.")
    )
    name = models.CharField(_("name"), max_length=64)

    panels = [FieldPanel("name"), FieldPanel("code")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        # In the reader's language where the site knows the language ("Norwegian Bokmål" on an English
        # page), as the editor wrote it otherwise.
        return str(dict(LANGUAGE_CHOICES).get(self.code, self.name))


class Topic(TranslatableMixin, index.Indexed, models.Model):
    """A topic or diagnosis that visitors filter the catalogue by (e.g. headache, diabetes).

    Translatable: offerings refer to the original (in the default language), and a page shows the
    topic's translation in its own language where there is one (lms_pages.translations.localized). The
    slug stays the original's in every language, so a filter address means the same in all of them.
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=False)
    is_diagnosis = models.BooleanField(
        _("is a diagnosis"),
        default=False,
        help_text=_("Tick for a diagnosis (e.g. migraine); leave empty for a theme (e.g. health pedagogy)."),
    )
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("is_diagnosis"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="lms_topic_unique_slug"),
            models.UniqueConstraint(fields=["name", "locale"], name="lms_topic_unique_name"),
        ]
        verbose_name = _("topic or diagnosis")
        verbose_name_plural = _("topics and diagnoses")

    def __str__(self):
        return self.name


class Organisation(index.Indexed, models.Model):
    """An organiser or partner: a hospital, a municipality, a user organisation, a college."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True, help_text=_("E.g. FFO, HNT."))
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("short_name"),
        FieldPanel("kind"),
        MultiFieldPanel([FieldPanel("url"), FieldPanel("email"), FieldPanel("phone")], heading=_("Contact")),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("short_name"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def is_user_organisation(self):
        return self.kind == OrganisationKind.USER_ORGANISATION


class Venue(TranslatableMixin, index.Indexed, models.Model):
    """Where groups meet: a named place in a municipality and a region.

    Translatable, for the texts a visitor reads (how to get there, parking, accessibility): offerings and
    groups refer to the original, and a page shows its translation in the page's language.
    """

    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    municipality = models.CharField(
        _("municipality"), max_length=100, help_text=_("Shown in the catalogue's place filter.")
    )
    region = models.CharField(
        _("region"),
        max_length=100,
        blank=True,
        help_text=_("County or health region, e.g. Helse Nord. Shown in the catalogue's place filter."),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    directions = models.TextField(
        _("how to get there"),
        blank=True,
        help_text=_("Public transport, which entrance and floor, where to report on arrival."),
    )
    parking = models.TextField(
        _("parking"), blank=True, help_text=_("Where to park, the price, parking for the disabled.")
    )
    step_free = models.BooleanField(
        _("step-free access"),
        null=True,
        blank=True,
        help_text=_("Can a wheelchair user get in and to the room without steps? Leave unknown if unsure."),
    )
    accessibility = models.TextField(
        _("accessibility"), blank=True, help_text=_("Hearing loop, lifts, accessible toilets and the like.")
    )

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldPanel("postal_code"),
                FieldPanel("municipality"),
                FieldPanel("region"),
            ],
            heading=_("Address"),
        ),
        MultiFieldPanel(
            [FieldPanel("latitude"), FieldPanel("longitude")],
            heading=_("Position on the map"),
            help_text=_("Optional: without it, the map link searches for the address."),
        ),
        FieldPanel("directions"),
        FieldPanel("parking"),
        FieldPanel("step_free"),
        FieldPanel("accessibility"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("municipality"),
        index.AutocompleteField("name"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "municipality", "locale"], name="lms_venue_unique_name")
        ]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self):
        if self.municipality and self.municipality != self.name:
            return f"{self.name}, {self.municipality}"
        return self.name

    @property
    def address_line(self):
        return ", ".join(
            part for part in [self.street_address, f"{self.postal_code} {self.municipality}".strip()] if part
        )

    @property
    def map_url(self):
        """OpenStreetMap at the venue's position, or a search for its address when it has none."""
        if self.latitude is not None and self.longitude is not None:
            return (
                f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
                f"#map=17/{self.latitude}/{self.longitude}"
            )
        if not self.street_address:
            return ""
        return "https://www.openstreetmap.org/search?" + urlencode({"query": f"{self.address_line}, Norge"})
