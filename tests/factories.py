"""Factories that build the page tree and vocabularies of the extension.

Times are given in Norwegian wall-clock time with `oslo()`, as an editor enters them.
"""

import datetime
import zoneinfo

import factory
import wagtail_factories
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from wagtail.models import Collection

from lms_pages.models import (
    Audience,
    BrochurePage,
    CataloguePage,
    ConfidentialityNoticePage,
    CourseProgrammePage,
    Format,
    GroupSession,
    InformationPage,
    Language,
    OfferingDownload,
    OfferingGroup,
    OfferingKind,
    OfferingPage,
    Organisation,
    OrganisationKind,
    PriceType,
    RelatedOffering,
    Status,
    Topic,
    Venue,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def norwegian_slug(text):
    """A URL slug that keeps Norwegian letters readable: "Søvn og hvile" -> "sovn-og-hvile"."""
    return slugify(text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a"))


def oslo(year, month, day, hour=0, minute=0):
    """An aware datetime at the given Norwegian wall-clock time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


# Vocabularies


class TopicFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Tema {n}")
    slug = factory.LazyAttribute(lambda topic: norwegian_slug(topic.name))

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


class OrganisationFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Helseforetak {n}")
    kind = OrganisationKind.HOSPITAL

    class Meta:
        model = Organisation


class VenueFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Lærings- og mestringssenteret {n}")
    street_address = "Sognsvannsveien 20"
    postal_code = "0372"
    municipality = "Oslo"
    region = "Helse Sør-Øst"

    class Meta:
        model = Venue


class LanguageFactory(DjangoModelFactory):
    code = "nb"
    name = "Norsk bokmål"

    class Meta:
        model = Language
        django_get_or_create = ("code",)


def audiences(*codes):
    """The fixed audience rows (created by a migration) for the given codes."""
    return list(Audience.objects.filter(code__in=codes))


# Documents


class DocumentFactory(wagtail_factories.DocumentFactory):
    """A document in the root collection (wagtail-factories would make a new root per document)."""

    collection = factory.LazyFunction(Collection.get_first_root_node)
    title = factory.Sequence(lambda n: f"Dokument {n}")
    file = factory.django.FileField(filename="dokument.pdf", data=b"%PDF-1.4\n" + b"0" * 2039)


# Pages


class CataloguePageFactory(wagtail_factories.PageFactory):
    title = "Kurs og tilbud"
    slug = factory.LazyAttribute(lambda page: norwegian_slug(page.title))
    offerings_per_page = 20

    class Meta:
        model = CataloguePage


class OfferingPageFactory(wagtail_factories.PageFactory):
    """A live, open, free on-site course; pass topics, audience codes, languages and partners as lists."""

    title = factory.Sequence(lambda n: f"Tilbud {n}")
    slug = factory.LazyAttribute(lambda page: norwegian_slug(page.title))
    kind = OfferingKind.COURSE
    introduction = "Et kurs for deg som vil lære å mestre hverdagen."
    format = Format.ON_SITE
    status = Status.OPEN
    price_type = PriceType.FREE

    class Meta:
        model = OfferingPage
        skip_postgeneration_save = True

    @factory.post_generation
    def relations(page, create, extracted, **kwargs):
        """Many-to-many choices, committed with one save: topics=[...], audiences=["patients"], ..."""
        if not create:
            return
        changed = False
        for name in ("topics", "languages", "partners"):
            if kwargs.get(name) is not None:
                getattr(page, name).set(kwargs[name])
                changed = True
        if kwargs.get("audiences") is not None:
            page.audiences.set(audiences(*kwargs["audiences"]))
            changed = True
        if changed:
            page.save()


class CourseProgrammePageFactory(wagtail_factories.PageFactory):
    title = "Program"
    slug = factory.LazyAttribute(lambda page: norwegian_slug(page.title))

    class Meta:
        model = CourseProgrammePage


class BrochurePageFactory(wagtail_factories.PageFactory):
    title = "Brosjyre"
    slug = factory.LazyAttribute(lambda page: norwegian_slug(page.title))
    document = factory.SubFactory(DocumentFactory)
    language = "nb"

    class Meta:
        model = BrochurePage


class ConfidentialityNoticePageFactory(wagtail_factories.PageFactory):
    title = "Taushetserklæring"
    slug = factory.LazyAttribute(lambda page: norwegian_slug(page.title))
    body = "<p>Det som blir sagt i gruppa, blir i gruppa.</p>"

    class Meta:
        model = ConfidentialityNoticePage


class InformationPageFactory(wagtail_factories.PageFactory):
    title = "Om lærings- og mestringstilbud"
    slug = factory.LazyAttribute(lambda page: norwegian_slug(page.title))
    introduction = "Lærings- og mestringstilbud er kurs for pasienter og pårørende."

    class Meta:
        model = InformationPage


# Groups, sessions, downloads and related offerings of an offering


class OfferingGroupFactory(DjangoModelFactory):
    offering = factory.SubFactory(OfferingPageFactory)
    name = factory.Sequence(lambda n: f"Gruppe {n}")
    sort_order = factory.Sequence(lambda n: n)

    class Meta:
        model = OfferingGroup


class GroupSessionFactory(DjangoModelFactory):
    group = factory.SubFactory(OfferingGroupFactory)
    start = factory.LazyFunction(lambda: oslo(2030, 1, 15, 18))
    sort_order = factory.Sequence(lambda n: n)

    class Meta:
        model = GroupSession


class OfferingDownloadFactory(DjangoModelFactory):
    offering = factory.SubFactory(OfferingPageFactory)
    document = factory.SubFactory(DocumentFactory)
    sort_order = factory.Sequence(lambda n: n)

    class Meta:
        model = OfferingDownload


def add_group(offering, name="Oslo", *, sessions=(), **fields):
    """A group with sessions; each session is a start datetime or a dict of GroupSession fields."""
    group = OfferingGroupFactory(offering=offering, name=name, **fields)
    for session in sessions:
        add_session(group, **(session if isinstance(session, dict) else {"start": session}))
    return group


def add_session(group, start, end=None, **fields):
    return GroupSessionFactory(group=group, start=start, end=end, **fields)


def add_download(offering, document=None, **fields):
    return OfferingDownloadFactory(offering=offering, document=document or DocumentFactory(), **fields)


def add_related(offering, other):
    return RelatedOffering.objects.create(offering=offering, offering_page=other)


def translation_in(page, language, **fields):
    """The page's version in `language` made a translation of its own, as an editor makes one from the
    alias ("Translate"), with `fields` changed; the site's trees are mirrored first where they are not.
    Without `fields` its text stays the original's: enough to read the interface in that language."""
    from wagtail.actions.convert_alias import ConvertAliasPageAction
    from wagtail.models import Locale, Site

    from lms_pages.translations import mirror_page_trees

    locale, _created = Locale.objects.get_or_create(language_code=language)
    if not page.has_translation(locale):
        mirror_page_trees(Site.objects.get(is_default_site=True))
    version = page.get_translation(locale).specific
    if version.alias_of_id:
        ConvertAliasPageAction(version, log_action="wagtail.convert_alias").execute(
            skip_permission_checks=True
        )
        version = type(version).objects.get(pk=version.pk)
    if fields:
        for name, value in fields.items():
            setattr(version, name, value)
        version.save_revision().publish()
        version = type(version).objects.get(pk=version.pk)
    return version
