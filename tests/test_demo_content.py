"""The demo content: built from the seeds, dated after the day it is loaded, and safe to load again."""

import datetime
import io
import re
import zoneinfo
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Locale, Page, Revision, Site
from wagtail.utils.file import hash_filelike

from lms_forms.choices import AgeCheck, RegistrationSource, RegistrationStatus
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
    assert originals(OfferingPage).count() == 5
    assert OfferingPage.objects.count() == 3 * 5
    assert counts["Document"] == 3
    assert counts["Topic"] == 8
    assert counts["NoticeVersion"] == 1
    assert counts["Site"] == 1
    assert "created" in demo.first_output
    assert "created" not in demo.second_output
    assert "updated" not in demo.second_output


def test_the_default_site_shows_the_catalogue_instead_of_the_welcome_page(demo):
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)  # where `make demo` serves it
    catalogue = site.root_page.specific
    assert isinstance(catalogue, CataloguePage)
    assert catalogue.title == "Lærings- og mestringstilbud"
    assert list(Page.objects.filter(depth=2, locale__language_code="nb")) == [catalogue.page_ptr]
    assert all(not problems for problems in Page.find_problems())

    settings = LmsSiteSettings.for_site(site)
    assert settings.accessibility_statement.title == "Tilgjengelighetserklæring"
    assert settings.privacy_page.title == "Personvern"
    assert settings.accessibility_statement.get_parent().pk == catalogue.pk


def test_every_offering_is_live_through_a_published_revision(demo):
    catalogue = Site.objects.get(is_default_site=True).root_page
    pages = Page.objects.descendant_of(catalogue, inclusive=True)
    assert pages.count() == 18
    for page in pages:
        assert page.live, page.title
        assert page.live_revision_id is not None, page.title
        assert not page.has_unpublished_changes, page.title
    assert set(originals(OfferingPage).values_list("pk", flat=True)) <= set(
        pages.values_list("pk", flat=True)
    )


def test_the_confidentiality_notice_stays_at_version_one(demo):
    notice = originals(ConfidentialityNoticePage).get()
    assert notice.version == 1
    assert list(notice.versions.values_list("number", flat=True)) == [1]
    offering = originals(OfferingPage).get(slug=HEADACHE_SLUG)
    assert offering.confidentiality_notice_id == notice.pk
    assert notice.get_parent().pk == offering.pk


def test_every_session_starts_after_the_pinned_day_and_after_registration_closes(demo):
    sessions = GroupSession.objects.filter(group__offering__locale__language_code="nb").select_related(
        "group__offering"
    )
    assert sessions.count() == 12 + 3 + 2 + 6
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

    modules = originals(CourseProgrammePage).get(slug="kompetansepakke")
    assert [(module.value["name"], module.value["days"]) for module in modules.modules] == [
        ("Startmodul", 5),
        ("Endringsmodul", 4),
        ("Meistringsmodul", 4),
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
    assert originals(ConfidentialityNoticePage).get().version == 1


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
}


def registration_forms():
    return {form.offering.slug: form for form in originals(RegistrationFormPage).live()}


def test_three_offerings_have_an_open_a_full_and_a_not_yet_open_registration_form(demo):
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
    demo_people = Registration.objects.all()
    assert demo_people.count() == 13
    assert set(demo_people.values_list("source", flat=True)) == {RegistrationSource.IMPORT}
    assert all(r.email.endswith("@example.org") and r.name.startswith("Demo Deltaker") for r in demo_people)
    first_waiting = demo_people.filter(status=RegistrationStatus.WAITING).first()
    assert first_waiting.waiting_position() == 1
    assert first_waiting.submit_time > demo_people.filter(status=RegistrationStatus.PLACE).last().submit_time
    assert demo.after_second["Registration"] == demo.after_first["Registration"] == 13
    assert demo.after_second["GroupOccupancy"] == demo.after_first["GroupOccupancy"] == 1


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
    assert Registration.objects.count() == 14


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
        response = client.get(forms[slug].url)
        assert response.status_code == 200, slug
        html = response.content.decode()
        # Before registration opens, the form page offers only to tell the visitor when it opens.
        assert ('<form class="lms-form"' in html) == (state != RegistrationState.NOT_YET_OPEN), slug
    html = client.get(forms[HEADACHE_SLUG].url).content.decode()
    assert "Hva håper du å lære i læringsnettverket?" in html
    assert "Oslo" in html and "Tromsø" in html


def test_every_page_has_a_nynorsk_and_an_english_version(demo, client):
    site = Site.objects.get(is_default_site=True)
    bokmal = Page.objects.descendant_of(site.root_page, inclusive=True)
    for code in ("nn", "en"):
        versions = Page.objects.filter(locale__language_code=code)
        assert set(versions.values_list("translation_key", flat=True)) == set(
            bokmal.values_list("translation_key", flat=True)
        )
    nynorsk_home = site.root_page.get_translation(Locale.objects.get(language_code="nn"))
    assert nynorsk_home.alias_of_id is None  # translated, not an alias
    assert nynorsk_home.title == "Lærings- og meistringstilbod"
    response = client.get("/nn/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert "Lærings- og meistringstilbod" in response.content.decode()
    assert f"/nn/{HEADACHE_SLUG}/" in response.content.decode()
