"""The demo content: built from the seeds, dated after the day it is loaded, and safe to load again."""

import datetime
import io
import re
import time
import zoneinfo
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.fields import StreamField
from wagtail.models import Locale, Page, Revision, Site
from wagtail.utils.file import hash_filelike

from lms_forms.choices import AgeCheck, RegistrationSource, RegistrationStatus
from lms_forms.forms import STARTED_SALT
from lms_forms.models import Registration, RegistrationFormField, RegistrationFormPage
from lms_pages.models import (
    Audience,
    BrochurePage,
    CataloguePage,
    ConfidentialityNoticePage,
    CourseProgrammePage,
    GroupOccupancy,
    GroupSession,
    Language,
    LmsSiteSettings,
    NoticeVersion,
    OfferingDownload,
    OfferingGroup,
    OfferingPage,
    Organisation,
    RegistrationState,
    RelatedOffering,
    Topic,
    Venue,
)
from lms_pages.translations import original_id

# A pinned day in winter: the headache groups then meet across the switch to summer time in March.
TODAY = datetime.date(2030, 1, 10)
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
HEADACHE_SLUG = "nar-hodet-blir-en-pine"

COUNTED = [
    Page,
    Revision,
    Topic,
    Organisation,
    Venue,
    Language,
    Audience,
    get_document_model(),
    OfferingGroup,
    GroupSession,
    OfferingDownload,
    RelatedOffering,
    NoticeVersion,
    Site,
    LmsSiteSettings,
    get_user_model(),
    RegistrationFormField,
    Registration,
    GroupOccupancy,
]


def load_demo(*args, today=TODAY):
    out = io.StringIO()
    call_command("load_demo", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def originals(model):
    """The bokmål pages: the demo also holds a nynorsk and an English version of each."""
    return model.objects.filter(locale__language_code="nb")


def local(value):
    return value.astimezone(OSLO)


@pytest.fixture
def demo(db):
    """The demo loaded twice on the same pinned day, with the row counts after each run."""
    first_output = load_demo()
    after_first = row_counts()
    second_output = load_demo()
    return SimpleNamespace(
        first_output=first_output,
        after_first=after_first,
        second_output=second_output,
        after_second=row_counts(),
    )


def test_loading_again_duplicates_nothing_and_publishes_nothing_new(demo):
    assert demo.after_second == demo.after_first
    counts = demo.after_first
    assert originals(OfferingPage).count() == 6  # four of the hospital's, two of Nordhordland's
    assert OfferingPage.objects.count() == Locale.objects.count() * 6  # a version in every language
    assert counts["Document"] == 3
    assert counts["Topic"] == 8 * 3  # in bokmål, and translated into nynorsk and English
    assert counts["NoticeVersion"] == 3  # the headache network's, Nordhordland's and its nynorsk original
    assert counts["Site"] == 2
    assert "created" in demo.first_output
    assert "created" not in demo.second_output
    assert "updated" not in demo.second_output


def test_the_default_site_shows_the_catalogue_instead_of_the_welcome_page(demo):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 8000)  # where `make demo` serves it
    catalogue = site.root_page.specific
    assert isinstance(catalogue, CataloguePage)
    assert catalogue.title == "Lærings- og mestringstilbud"
    other = Site.objects.get(is_default_site=False)
    assert (other.hostname, other.port) == ("nordhordland.localhost", 8000)
    assert other.root_page.specific.title == "Levevaner og mestring i Nordhordland"
    assert set(Page.objects.filter(depth=2, locale__language_code="nb")) == {
        catalogue.page_ptr,
        other.root_page,
    }
    assert all(not problems for problems in Page.find_problems())

    settings = LmsSiteSettings.for_site(site)
    assert settings.accessibility_statement.title == "Tilgjengelighetserklæring"
    assert settings.privacy_page.title == "Personvern"
    assert settings.accessibility_statement.get_parent().pk == catalogue.pk


def test_every_offering_is_live_through_a_published_revision(demo):
    pages = Page.objects.none()
    for site in Site.objects.all():
        pages |= Page.objects.descendant_of(site.root_page, inclusive=True)
    hospital = Site.objects.get(is_default_site=True).root_page
    assert Page.objects.descendant_of(hospital, inclusive=True).count() == 18  # with the regional catalogue
    assert pages.count() == 18 + 8  # Nordhordland's catalogue and its seven pages
    for page in pages:
        assert page.live, page.title
        assert page.live_revision_id is not None, page.title
        assert not page.has_unpublished_changes, page.title
    assert set(originals(OfferingPage).values_list("pk", flat=True)) <= set(
        pages.values_list("pk", flat=True)
    )


def test_the_confidentiality_notice_stays_at_version_one(demo):
    notice = originals(ConfidentialityNoticePage).get(slug="taushetsplikt", depth=4)
    assert notice.version == 1
    assert list(notice.versions.values_list("number", flat=True)) == [1]
    offering = originals(OfferingPage).get(slug=HEADACHE_SLUG)
    assert offering.confidentiality_notice_id == notice.pk
    assert notice.get_parent().pk == offering.pk


def test_every_session_starts_after_the_pinned_day_and_after_registration_closes(demo):
    sessions = GroupSession.objects.filter(group__offering__locale__language_code="nb").select_related(
        "group__offering"
    )
    assert sessions.count() == 12 + 3 + 2 + 6 + 5  # the last five: the course in Knarvik
    for session in sessions:
        assert local(session.start).date() > TODAY
        assert session.end > session.start
        offering = session.group.offering
        if offering.registration_closes:
            assert offering.registration_closes < session.start
        if offering.registration_opens:
            assert offering.registration_opens < offering.registration_closes


def test_the_headache_groups_first_meet_at_six_in_the_evening_norwegian_time(demo):
    offering = originals(OfferingPage).get(slug=HEADACHE_SLUG)
    first = {}
    for group in offering.groups.all():
        sessions = group.sessions_in_order()
        assert len(sessions) == 4
        assert 600 < (sessions[-1].start - sessions[0].start).days < 800  # about two years
        for session in sessions:
            assert local(session.start).time() == datetime.time(18, 0)
            assert local(session.end).time() == datetime.time(21, 0)
        first[group.name] = local(sessions[0].start).date()
    assert list(first) == ["Oslo", "Stavanger", "Tromsø"]
    assert first["Stavanger"] - first["Oslo"] == datetime.timedelta(days=14)
    assert first["Tromsø"] - first["Oslo"] == datetime.timedelta(days=21)
    closes = local(offering.registration_closes)
    assert closes.time() == datetime.time(22, 0)
    assert closes.date() < first["Oslo"]


def test_the_catalogue_shows_open_not_yet_open_and_closed_offerings(demo):
    now = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=OSLO)
    states = {offering.slug: offering.registration_state(now) for offering in originals(OfferingPage)}
    assert states[HEADACHE_SLUG] == RegistrationState.OPEN
    assert states["grunnkurs-i-helsepedagogikk"] == RegistrationState.NOT_YET_OPEN
    assert states["kurs-i-helsepedagogikk"] == RegistrationState.RECRUITED


def test_the_programmes_follow_the_seeds(demo):
    nt_programme = originals(CourseProgrammePage).get(slug="kursprogram")
    blocks = [(block.block_type, block.value.get("title")) for block in nt_programme.days]
    assert blocks == [("day", "Dag 1"), ("day", "Dag 2"), ("assignment", "Hjemmeoppgave"), ("day", "Dag 3")]
    day_1, day_2, day_3 = (block.value["date"] for block in nt_programme.days if block.block_type == "day")
    assert day_2 - day_1 == datetime.timedelta(days=1)
    assert datetime.timedelta(weeks=2) <= day_3 - day_2 <= datetime.timedelta(weeks=3)
    sessions = originals(OfferingPage).get(slug="kurs-i-helsepedagogikk").groups.get().sessions_in_order()
    assert [local(session.start).date() for session in sessions] == [day_1, day_2, day_3]

    # The seed's nynorsk, and its bokmål translation.
    for language, coping_module in (("nn", "Meistringsmodul"), ("nb", "Mestringsmodul")):
        modules = CourseProgrammePage.objects.get(slug="kompetansepakke", locale__language_code=language)
        assert [(module.value["name"], module.value["days"]) for module in modules.modules] == [
            ("Startmodul", 5),
            ("Endringsmodul", 4),
            (coping_module, 4),
        ]
        assert modules.total_module_days == 13


def test_the_documents_are_text_pdfs_stored_as_wagtail_documents(demo):
    offering = originals(OfferingPage).get(slug=HEADACHE_SLUG)
    # The brochure's file is offered by the brochure page, the others as downloads of the offering.
    brochure = originals(BrochurePage).get(slug="informasjonsbrosjyre").document
    documents = [brochure] + [download.document for download in offering.downloads.all()]
    assert [document.title for document in documents] == [
        "Når hodet blir en pine – informasjonsbrosjyre",
        "Når hodet blir en pine – prosjektsøknad",
        "Når hodet blir en pine – taushetsplikt",
    ]
    for document in documents:
        with document.open_file() as file:
            data = file.read()
        assert data.startswith(b"%PDF-")
        assert document.file_hash == hash_filelike(io.BytesIO(data))
        assert document.file_size == len(data)
        assert document.file_extension == "pdf"
    # Real text in the PDF's WinAnsi encoding ("å" is octal 345), not a picture of it.
    with documents[0].open_file() as file:
        assert rb"(N\345r hodet blir en pine) Tj" in file.read()


def test_loading_on_a_later_day_moves_the_dates_and_keeps_the_rows(db):
    load_demo()
    before = row_counts()
    bokmal_sessions = GroupSession.objects.filter(group__offering__locale__language_code="nb")
    sessions_before = dict(bokmal_sessions.values_list("pk", "start"))
    notices_before = dict(ConfidentialityNoticePage.objects.values_list("pk", "version"))

    later = TODAY + datetime.timedelta(days=45)
    output = load_demo(today=later)

    after = row_counts()
    assert {name: count for name, count in after.items() if name != "Revision"} == {
        name: count for name, count in before.items() if name != "Revision"
    }
    sessions_after = dict(bokmal_sessions.values_list("pk", "start"))
    assert sessions_after.keys() == sessions_before.keys()  # updated in place: calendar UIDs stay
    assert all(local(start).date() > later for start in sessions_after.values())
    assert re.search(r"pages:\s+\d+ updated", output)
    # No notice's text changed, so none has a new version.
    assert dict(ConfidentialityNoticePage.objects.values_list("pk", "version")) == notices_before


def test_the_demo_admin_account_is_created_once_and_can_be_skipped(db):
    user_model = get_user_model()

    output = load_demo("--no-admin")
    assert not user_model.objects.filter(username="admin").exists()
    assert "demo-admin" not in output

    output = load_demo()
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("demo-admin")
    assert "/admin/" in output
    assert "demo-admin" in output


# The registration forms ---------------------------------------------------------------------------------

FORM_STATES = {
    HEADACHE_SLUG: RegistrationState.OPEN,
    "mestringstreff": RegistrationState.WAITING_LIST,
    "grunnkurs-i-helsepedagogikk": RegistrationState.NOT_YET_OPEN,
    "kurs-i-levevaner-og-mestring": RegistrationState.OPEN,  # on the Nordhordland site
}


def registration_forms():
    return {form.offering.slug: form for form in originals(RegistrationFormPage).live()}


def test_four_offerings_have_an_open_a_full_and_a_not_yet_open_registration_form(demo):
    now = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=OSLO)
    forms = registration_forms()
    assert forms.keys() == FORM_STATES.keys()
    for slug, state in FORM_STATES.items():
        form = forms[slug]
        assert form.get_parent().specific.slug == slug
        assert form.offering.registration_state(now) == state, slug
        assert form.to_address.endswith("@example.org")
        assert "{cancel_link}" in form.confirmation_text
        form.full_clean()  # the confirmation text's placeholders are all known ones
    assert forms["grunnkurs-i-helsepedagogikk"].offering.registration_opens > now


def test_the_headache_form_asks_what_the_seed_asks(demo):
    form = registration_forms()[HEADACHE_SLUG]
    assert form.title == "Meld interesse"
    assert form.age_check == AgeCheck.CONFIRMATION
    assert form.offering.min_age == 18
    assert form.offering.confidentiality_notice is not None
    questions = list(form.form_fields.order_by("sort_order"))
    assert [(q.clean_name, q.field_type, q.required) for q in questions] == [
        ("hva_haper_du_a_lare", "multiline", False),
        ("teknisk_utstyr", "checkbox", True),
    ]
    assert not form.asks_about_health()
    assert all(group.places_left == group.places for group in form.offering.groups.all())


def test_the_full_group_counts_agree_with_its_registrations(demo):
    offering = registration_forms()["mestringstreff"].offering
    assert offering.waiting_list
    for group in OfferingGroup.objects.filter(offering=offering):
        registrations = Registration.objects.filter(group=group)
        occupancy = GroupOccupancy.objects.get(group=group)
        assert occupancy.places_taken == group.places == 10
        assert occupancy.places_taken == registrations.filter(status=RegistrationStatus.PLACE).count()
        assert occupancy.waiting == registrations.filter(status=RegistrationStatus.WAITING).count() == 3
    demo_people = Registration.objects.filter(offering=offering)
    assert demo_people.count() == 13
    assert set(demo_people.values_list("source", flat=True)) == {RegistrationSource.IMPORT}
    assert all(r.email.endswith("@example.org") and r.name.startswith("Demo Deltaker") for r in demo_people)
    first_waiting = demo_people.filter(status=RegistrationStatus.WAITING).first()
    assert first_waiting.waiting_position() == 1
    assert first_waiting.submit_time > demo_people.filter(status=RegistrationStatus.PLACE).last().submit_time
    # With the five in Knarvik, on the Nordhordland site.
    assert demo.after_second["Registration"] == demo.after_first["Registration"] == 13 + 5
    assert demo.after_second["GroupOccupancy"] == demo.after_first["GroupOccupancy"] == 2


def test_loading_again_counts_registrations_made_through_the_form(demo):
    form = registration_forms()["mestringstreff"]
    group = OfferingGroup.objects.get(offering=form.offering)
    Registration.objects.create(
        page=form,
        offering=form.offering,
        group=group,
        group_name=group.name,
        name="Demo Nettbruker",
        email="nett@example.org",
        status=RegistrationStatus.WAITING,
        form_data={},
    )
    load_demo()
    occupancy = GroupOccupancy.objects.get(group=group)
    assert (occupancy.places_taken, occupancy.waiting) == (10, 4)
    assert Registration.objects.filter(offering=form.offering).count() == 14


@pytest.fixture
def demo_today(db):
    """The demo as `make demo` loads it: dated after the real today, loaded twice."""
    today = timezone.localdate()
    load_demo(today=today)
    load_demo(today=today)


def test_the_registration_forms_show_as_the_demo_promises(demo_today, client):
    forms = registration_forms()
    for slug, state in FORM_STATES.items():
        assert forms[slug].offering.registration_state() == state, slug
        site = forms[slug].get_site()
        response = client.get(path_of(forms[slug]), HTTP_HOST=f"{site.hostname}:{site.port}")
        assert response.status_code == 200, slug
        html = response.content.decode()
        # Before registration opens, the form page offers only to tell the visitor when it opens.
        assert ('<form class="lms-form"' in html) == (state != RegistrationState.NOT_YET_OPEN), slug
    html = client.get(path_of(forms[HEADACHE_SLUG]), HTTP_HOST=HOST).content.decode()
    assert "Hva håper du å lære i læringsnettverket?" in html
    assert "Oslo" in html and "Tromsø" in html


def test_every_page_has_a_nynorsk_an_english_and_a_northern_sami_version(demo, client):
    site = Site.objects.get(is_default_site=True)
    bokmal = Page.objects.none()
    for each in Site.objects.all():
        bokmal |= Page.objects.descendant_of(each.root_page, inclusive=True)
    for code in ("nn", "en", "se"):
        versions = Page.objects.filter(locale__language_code=code)
        assert set(versions.values_list("translation_key", flat=True)) == set(
            bokmal.values_list("translation_key", flat=True)
        )
    nynorsk_home = site.root_page.get_translation(Locale.objects.get(language_code="nn"))
    assert nynorsk_home.alias_of_id is None  # translated, not an alias
    assert nynorsk_home.title == "Lærings- og meistringstilbod"
    response = client.get("/nn/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert "Lærings- og meistringstilbod" in response.content.decode()
    assert "/nn/nar-hovudet-blir-ei-pine/" in response.content.decode()  # the offering's own nynorsk page


# Pages translated by hand: (language, the bokmål page's address, the translation's address, its title).
TRANSLATED = [
    ("nn", "/", "/nn/", "Lærings- og meistringstilbod"),
    ("en", "/", "/en/", "Learning and coping offerings"),
    (
        "nn",
        f"/{HEADACHE_SLUG}/",
        "/nn/nar-hovudet-blir-ei-pine/",
        "Når hovudet blir ei pine – Læringsnettverk for personar med omfattande hovudpine",
    ),
    (
        "en",
        f"/{HEADACHE_SLUG}/",
        "/en/when-your-head-becomes-a-torment/",
        "When your head becomes a torment – Learning network for people with severe headaches",
    ),
    (
        "nn",
        f"/{HEADACHE_SLUG}/informasjonsbrosjyre/",
        "/nn/nar-hovudet-blir-ei-pine/informasjonsbrosjyre/",
        "Informasjonsbrosjyre",
    ),
    (
        "en",
        f"/{HEADACHE_SLUG}/informasjonsbrosjyre/",
        "/en/when-your-head-becomes-a-torment/information-brochure/",
        "Information brochure",
    ),
    ("nn", f"/{HEADACHE_SLUG}/pamelding/", "/nn/nar-hovudet-blir-ei-pine/pamelding/", "Meld interesse"),
    (
        "en",
        f"/{HEADACHE_SLUG}/pamelding/",
        "/en/when-your-head-becomes-a-torment/registration/",
        "Register your interest",
    ),
]
HOST = "localhost:8000"
NORDHORDLAND_HOST = "nordhordland.localhost:8000"
# (language, the bokmål page's address, the translation's address, its title, the site's host)
TRANSLATED = [(*translation, HOST) for translation in TRANSLATED] + [
    # The Nordhordland site was written in nynorsk; its bokmål pages are the translations.
    ("nn", "/", "/nn/", "Levevanar og meistring i Nordhordland", NORDHORDLAND_HOST),
    (
        "nn",
        "/nordhordland-levevanar-og-meistring/",
        "/nn/levevanar-og-meistring-i-nordhordland/",
        "Levevanar og meistring – interkommunalt tilbod i Nordhordland",
        NORDHORDLAND_HOST,
    ),
    (
        "nn",
        "/nordhordland-levevanar-og-meistring/kompetansepakke/",
        "/nn/levevanar-og-meistring-i-nordhordland/kompetansepakke/",
        "Kompetansepakke for kurshaldarar",
        NORDHORDLAND_HOST,
    ),
    (
        "nn",
        "/kurs-i-levevaner-og-mestring/",
        "/nn/kurs-i-levevanar-og-meistring/",
        "Kurs i levevanar og meistring – Knarvik",
        NORDHORDLAND_HOST,
    ),
    (
        "nn",
        "/kurs-i-levevaner-og-mestring/pamelding/",
        "/nn/kurs-i-levevanar-og-meistring/pamelding/",
        "Påmelding",
        NORDHORDLAND_HOST,
    ),
    ("nn", "/taushetsplikt/", "/nn/teieplikt/", "Teieplikt", NORDHORDLAND_HOST),
    ("nn", "/personvern/", "/nn/personvern/", "Personvern", NORDHORDLAND_HOST),
    (
        "nn",
        "/tilgjengelighetserklaering/",
        "/nn/tilgjengelegheitserklaering/",
        "Tilgjengelegheitserklæring",
        NORDHORDLAND_HOST,
    ),
]


def bokmal_page(url, host=HOST):
    hostname, port = host.split(":")
    site = Site.objects.get(hostname=hostname, port=port)
    return Page.objects.get(url_path=site.root_page.url_path + url.lstrip("/")).specific


def path_of(page):
    """The page's address on its own site (Page.url is a full URL once there are two sites)."""
    return page.get_url_parts()[2]


def page_text(page):
    """What an editor wrote on the page besides its title: its text, rich text and streams, and the
    short texts of an offering (the others, such as Microsoft Teams or an email address, stay the same)."""
    return [
        str(field.value_from_object(page))
        for field in type(page)._meta.get_fields()
        if isinstance(field, (models.TextField, StreamField)) or field.name in ("duration", "contact_name")
    ]


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(("language", "original_url", "url", "title", "host"), TRANSLATED)
def test_each_translation_is_a_live_page_of_its_own_in_its_language(
    demo, client, language, original_url, url, title, host
):
    original = bokmal_page(original_url, host)
    version = original.get_translation(Locale.objects.get(language_code=language)).specific
    assert version.alias_of_id is None  # a translation, not an alias showing the bokmål
    assert version.live and not version.has_unpublished_changes
    assert path_of(version) == url
    assert f"{version.get_site().hostname}:8000" == host
    assert version.title == title  # "Informasjonsbrosjyre" is the same word in nynorsk
    # No text of the translation is the original's, apart from what both leave empty.
    assert page_text(version) != page_text(original)
    for own, theirs in zip(page_text(version), page_text(original), strict=True):
        assert own != theirs or own in ("", "[]"), own

    html = soup(client.get(url, HTTP_HOST=host))
    assert html.html["lang"] == language
    assert html.h1.get_text(" ", strip=True) == title


def test_the_untranslated_pages_stay_aliases_and_the_rest_are_translated_once(demo):
    translated = {(language, host, url) for language, _original, url, _title, host in TRANSLATED}
    for language in ("nn", "en", "se"):
        pages = Page.objects.filter(locale__language_code=language).exclude(depth=1)
        own = {
            (language, f"{page.get_site().hostname}:8000", path_of(page))
            for page in pages
            if page.alias_of_id is None
        }
        assert own == {item for item in translated if item[0] == language}
    # The headache network's notice records the version a registrant accepted: the original's. Its form is
    # translated, with the original's questions (see below).
    english = bokmal_page(f"/{HEADACHE_SLUG}/").get_translation(Locale.objects.get(language_code="en"))
    assert {child.slug: child.alias_of_id is not None for child in english.get_children()} == {
        "taushetsplikt": True,
        "information-brochure": False,
        "registration": False,
    }


def test_a_translated_offering_shows_and_registers_for_the_groups_of_its_original(demo):
    original = bokmal_page(f"/{HEADACHE_SLUG}/")
    original_groups = list(original.groups.all())
    assert [group.name for group in original_groups] == ["Oslo", "Stavanger", "Tromsø"]
    notes = {"nn": "Dei seinare samlingane", "en": "Later meetings will be weekend meetings"}
    for language, note in notes.items():
        pk = original.get_translation(Locale.objects.get(language_code=language)).pk
        version = OfferingPage.objects.prefetch_related("groups__sessions").get(pk=pk)
        assert original_id(version) == original.pk
        assert version.registration_original() == original
        groups = list(version.groups.all())
        assert [group.key for group in groups] == [group.key for group in original_groups]
        for group, original_group in zip(groups, original_groups, strict=True):
            assert group.registration_group.pk == original_group.pk
            assert group.places_left == original_group.places_left
            assert group.note.startswith(note)
            assert [session.start for session in group.sessions_in_order()] == [
                session.start for session in original_group.sessions_in_order()
            ]
        assert not Registration.objects.filter(offering=version).exists()
        assert not Registration.objects.filter(group__offering=version).exists()
    assert [session.topic for session in version.groups.all()[0].sessions_in_order()][:2] == [
        "First meeting",
        "Second meeting",
    ]


def test_translations_add_no_groups_places_or_registrations(demo):
    """Every language holds the same copies of the bokmål groups: a translation made none of its own."""
    bokmal_groups = OfferingGroup.objects.filter(offering__locale__language_code="nb")
    with_places = bokmal_groups.exclude(places=None)
    # headache (Oslo, Stavanger, Tromsø), basic course, Mestringstreff, the course in Knarvik
    assert with_places.count() == 3 + 1 + 1 + 1
    keys = set(bokmal_groups.values_list("key", flat=True))
    for language in ("nn", "en", "se"):
        groups = OfferingGroup.objects.filter(offering__locale__language_code=language)
        assert groups.count() == bokmal_groups.count()
        assert set(groups.values_list("key", flat=True)) == keys
        assert groups.exclude(places=None).count() == with_places.count()
    assert set(GroupOccupancy.objects.values_list("group__offering__locale__language_code", flat=True)) == {
        "nb"
    }
    assert set(Registration.objects.values_list("offering__locale__language_code", flat=True)) == {"nb"}
    assert set(Registration.objects.values_list("group__offering__locale__language_code", flat=True)) == {
        "nb"
    }


def catalogue_links(client, url, host=HOST):
    return [link["href"] for link in soup(client.get(url, HTTP_HOST=host)).select("a.lms-card__link")]


def test_the_nordhordland_offering_is_a_nynorsk_original_with_its_bokmal_translation(demo, client):
    bokmal = bokmal_page("/nordhordland-levevanar-og-meistring/", NORDHORDLAND_HOST)
    nynorsk = bokmal.get_translation(Locale.objects.get(language_code="nn")).specific
    assert bokmal.alias_of_id is None and nynorsk.alias_of_id is None
    assert bokmal.title == "Levevaner og mestring – interkommunalt tilbud i Nordhordland"
    assert nynorsk.introduction.startswith("Kommunane i Nordhordland utviklar saman eit tilbod")
    assert bokmal.introduction.startswith("Kommunene i Nordhordland utvikler sammen et tilbud")
    # The groups and registrations of the offering belong to the version in the site's original tree.
    assert original_id(nynorsk) == bokmal.pk
    assert [language.code for language in nynorsk.languages.all()] == ["nn"]
    assert [language.code for language in bokmal.languages.all()] == ["nn"]

    # Each catalogue of the Nordhordland site lists its own language's page, once; the hospital's none.
    bokmal_links = catalogue_links(client, "/", NORDHORDLAND_HOST)
    assert bokmal_links.count("/nordhordland-levevanar-og-meistring/") == 1
    assert not any("levevanar-og-meistring-i-nordhordland" in link for link in bokmal_links)
    nynorsk_links = catalogue_links(client, "/nn/", NORDHORDLAND_HOST)
    assert nynorsk_links.count("/nn/levevanar-og-meistring-i-nordhordland/") == 1
    assert not any(
        "nordhordland" in link for link in catalogue_links(client, "/") + catalogue_links(client, "/nn/")
    )
    assert "/nn/nar-hovudet-blir-ei-pine/" in catalogue_links(client, "/nn/")
    assert "/en/when-your-head-becomes-a-torment/" in catalogue_links(client, "/en/")

    html = soup(client.get("/nn/levevanar-og-meistring-i-nordhordland/", HTTP_HOST=NORDHORDLAND_HOST))
    assert "Eigeninnsats frå kommunane" in html.get_text()
    html = soup(client.get("/nordhordland-levevanar-og-meistring/", HTTP_HOST=NORDHORDLAND_HOST))
    assert "Egeninnsats fra kommunene" in html.get_text()
    # The hospital's site no longer has it.
    assert client.get("/nordhordland-levevanar-og-meistring/", HTTP_HOST=HOST).status_code == 404


SAMI_LINES = [
    "Sisdoalu lea almmuhan Nasjonal kompetansetjeneste for læring og mestring innen helse (NK LMH)",
    "Nasjonal kompetansetjeneste for læring og mestring innen helse (NK LMH) . Lærings- og mestringstilbud. "
    "[Interneahtta]. Oslo: Dearvvašvuođadirektoráhta; ođasmahtton 2023 guovvamánnu 15, gaskavahkku [vižžon 2024 "
    "suoidnemánnu 23, maŋŋebárga]. Oažžumis dáppe: "
    "https://www.helsenorge.no/se/hjelpetilbud-i-kommunene/laring-og-mestring/",
    "Maŋimusat ođastuvvon 2023 guovvamánnu 15, gaskavahkku",
]


def test_the_helsenorge_page_ends_with_its_publishers_lines_marked_as_northern_sami(demo, client):
    page = bokmal_page("/hva-er-laerings-og-mestringstilbud/")
    last = page.body[-1]
    assert last.block_type == "other_language"
    assert last.value["language"] == "se"

    html = soup(client.get(path_of(page), HTTP_HOST=HOST))
    assert html.html["lang"] == "nb"
    (sami,) = html.select("div.lms-other-language")
    assert sami["lang"] == "se"
    assert [paragraph.get_text() for paragraph in sami.find_all("p")] == SAMI_LINES
    link = sami.find("a")
    assert (
        link["href"]
        == link.get_text()
        == "https://www.helsenorge.no/se/hjelpetilbud-i-kommunene/laring-og-mestring/"
    )
    # They follow the page's sources, as in the seed.
    assert sami.find_previous("h2").get_text(strip=True) == "Kilder"


def test_a_translation_follows_the_dates_of_its_original_when_loaded_on_a_later_day(db):
    load_demo()
    original = bokmal_page(f"/{HEADACHE_SLUG}/")
    english = original.get_translation(Locale.objects.get(language_code="en")).specific
    groups_before = list(english.groups.values_list("pk", "key"))
    sessions_before = set(GroupSession.objects.filter(group__offering=english).values_list("pk", flat=True))

    output = load_demo(today=TODAY + datetime.timedelta(days=45))

    english = OfferingPage.objects.get(pk=english.pk)
    assert english.slug == "when-your-head-becomes-a-torment" and english.alias_of_id is None
    assert list(english.groups.values_list("pk", "key")) == groups_before  # updated in place
    assert (
        set(GroupSession.objects.filter(group__offering=english).values_list("pk", flat=True))
        == sessions_before
    )
    starts = lambda page: [  # noqa: E731
        session.start for group in page.groups.all() for session in group.sessions_in_order()
    ]
    assert starts(english) == starts(OfferingPage.objects.get(pk=original.pk))
    assert all(local(start).date() > TODAY + datetime.timedelta(days=45) for start in starts(english))
    assert (
        "Registration of interest closes on"
        in english.get_children().get(slug="information-brochure").specific.summary
    )
    assert "updated" in output
    assert "updated" not in load_demo(today=TODAY + datetime.timedelta(days=45))


# The headache network's registration form in nynorsk and English: its address, and its questions'
# labels and help texts, {clean_name: (label, help text)}. The names are the bokmål form's.
TRANSLATED_FORMS = {
    "nn": (
        "/nn/nar-hovudet-blir-ei-pine/pamelding/",
        {
            "hva_haper_du_a_lare": (
                "Kva håper du å lære i læringsnettverket?",
                "Svaret hjelper kurshaldarane å planleggje samlingane.",
            ),
            "teknisk_utstyr": (
                "Eg har ei datamaskin som kan køyre den siste versjonen av Microsoft Teams, og kan fylle inn og "
                "levere arbeidsbøker og skjema digitalt.",
                "",
            ),
        },
    ),
    "en": (
        "/en/when-your-head-becomes-a-torment/registration/",
        {
            "hva_haper_du_a_lare": (
                "What do you hope to learn in the learning network?",
                "Your answer helps the course leaders plan the meetings.",
            ),
            "teknisk_utstyr": (
                "I have a computer that can run the latest version of Microsoft Teams, and I can fill in and hand "
                "in workbooks and forms digitally.",
                "",
            ),
        },
    ),
}


def headache_form(language):
    original = bokmal_page(f"/{HEADACHE_SLUG}/pamelding/")
    if language == "nb":
        return original
    return original.get_translation(Locale.objects.get(language_code=language)).specific


def questions(form):
    return list(form.form_fields.order_by("sort_order"))


@pytest.mark.parametrize("language", list(TRANSLATED_FORMS))
def test_the_headache_form_is_translated_with_the_originals_questions(demo, client, language):
    url, expected = TRANSLATED_FORMS[language]
    original, version = headache_form("nb"), headache_form(language)
    assert version.alias_of_id is None
    assert version.live and not version.has_unpublished_changes
    assert path_of(version) == url

    # The same questions, under the same names, asked in the version's language.
    own, theirs = questions(version), questions(original)
    assert [q.clean_name for q in own] == [q.clean_name for q in theirs] == list(expected)
    assert [(q.field_type, q.required, q.asks_about_health, q.choices) for q in own] == [
        (q.field_type, q.required, q.asks_about_health, q.choices) for q in theirs
    ]
    assert {q.clean_name: (q.label, q.help_text) for q in own} == expected
    for question, original_question in zip(own, theirs, strict=True):
        assert question.label != original_question.label
        assert question.help_text != original_question.help_text or not question.help_text

    # The rest of the form's settings are the original's; the organiser's notice is in the site's
    # language, whichever form was used, so its subject stays the bokmål one.
    for name in (
        "age_check",
        "ask_phone",
        "phone_required",
        "companion",
        "to_address",
        "from_address",
        "subject",
    ):
        assert getattr(version, name) == getattr(original, name), name
    # Registrations are stored against the bokmål offering and its groups.
    assert original_id(version.offering_page) == original.offering.pk
    assert version.offering.pk == original.offering.pk
    # The editor's confirmation, written in the version's language, is the one its registrants get.
    assert version.confirmation_email(language) == (version.confirmation_subject, version.confirmation_text)
    assert version.confirmation_subject != original.confirmation_subject
    assert "Hodepine Norge" in version.confirmation_text
    version.full_clean()  # the confirmation text's placeholders are all known ones

    html = soup(client.get(url, HTTP_HOST=HOST))
    assert html.html["lang"] == language
    assert html.h1.get_text(" ", strip=True) == version.title


def register_in_the_demo(client, url, group, **answers):
    data = {
        "name": "Nils Nynorsk",
        "email": "nils@example.org",
        "phone": "",
        "age_confirmed": "on",
        "group": str(group.pk),
        "notice_accepted": "on",
        "website": "",
        "started": signing.dumps(time.time() - 60, salt=STARTED_SALT),
        **answers,
    }
    return client.post(url, data, HTTP_HOST=HOST)


def test_a_registration_through_the_nynorsk_form_takes_the_originals_place_and_is_answered_in_nynorsk(
    demo_today, client, django_capture_on_commit_callbacks
):
    url, expected = TRANSLATED_FORMS["nn"]
    form = headache_form("nn")
    original = headache_form("nb").offering
    oslo = OfferingGroup.objects.get(offering=original, name="Oslo")

    html = soup(client.get(url, HTTP_HOST=HOST))
    assert html.html["lang"] == "nn"
    for name, (label, _help_text) in expected.items():
        assert html.find("label", attrs={"for": f"id_{name}"}).get_text(" ", strip=True).startswith(label)
        assert html.find(attrs={"name": name}) is not None
    assert "Hva håper du" not in html.get_text()
    assert {int(radio["value"]) for radio in html.select("input[name=group]")} == {
        group.pk for group in original.groups.all()
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = register_in_the_demo(
            client, url, oslo, hva_haper_du_a_lare="Å leve betre med hovudpinen.", teknisk_utstyr="on"
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    confirmation = soup(client.get(response["Location"], HTTP_HOST=HOST))
    assert confirmation.html["lang"] == "nn"

    registration = Registration.objects.get(email="nils@example.org")
    assert registration.language == "nn"
    assert registration.page_id == form.pk
    assert registration.offering_id == original.pk
    assert registration.group_id == oslo.pk
    assert registration.status == RegistrationStatus.PLACE
    assert registration.answer("hva_haper_du_a_lare") == "Å leve betre med hovudpinen."
    assert registration.field_labels == {name: label for name, (label, _help_text) in expected.items()}
    assert GroupOccupancy.objects.get(group=oslo).places_taken == 1
    assert not GroupOccupancy.objects.filter(group__offering__locale__language_code="nn").exists()

    (email,) = [message for message in mail.outbox if message.to == ["nils@example.org"]]
    assert email.subject == "Interessepåmelding: Når hovudet blir ei pine"
    body = email.body
    assert body.startswith("Hei Nils Nynorsk,")
    assert "Takk for at du har meldt interesse for Når hovudet blir ei pine" in body
    assert "Gruppe: Oslo" in body
    assert "Status: Du har fått plass." in body
    assert "Samlingane går inntil vidare føre seg digitalt på Microsoft Teams." in body
    assert "Kan du likevel ikkje delta" in body
    assert "Venleg helsing" in body
    assert re.search(r"https?://\S+/nn/nar-hovudet-blir-ei-pine/pamelding/avmelding/[\w-]+/", body)
    for bokmal in ("hodet", "ikke", "Vennlig hilsen", "Samlingene", "Deltakeravgiften"):
        assert bokmal not in body, bokmal
    # The organiser's notice, in the site's language, names no one and holds no answers.
    (notice,) = [message for message in mail.outbox if message.to == ["hodepine-kurs@example.org"]]
    assert notice.subject == "Ny interessepåmelding: Når hodet blir en pine"
    assert "Nils" not in notice.body and "hovudpinen" not in notice.body
