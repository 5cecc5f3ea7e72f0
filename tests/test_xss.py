"""Stored cross-site scripting: what editors and registrants write is shown as text, never run.

Every string an editor controls (pages, offering, groups, sessions, snippets, the form's questions, the
notice) and every string a registrant or an administrator controls (name, email, answers, note, an
imported file) holds a payload; every page that shows them is parsed, and must have no script of the
payload's making, no `on…` attribute, no `javascript:` link, and show the payload as text where it belongs.
Rich text stored without the editor (here through the model) keeps only what the editor could write.
"""

import json
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration, RegistrationFormField
from lms_forms.tokens import CANCEL_SALT, make_token
from lms_pages.models import GroupSession, Organisation, OrganisationKind
from lms_pages.rich_text import clean_rich_text
from tests.factories import (
    CourseProgrammePageFactory,
    InformationPageFactory,
    LanguageFactory,
    OfferingPageFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
    add_download,
)
from tests.test_registration import form_data, make_offering

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
LINK = "javascript:alert(1)"
# For fields of at most 20 to 32 characters.
SHORT = "<svg onload=alert()>"
# A valid address: a quoted local part may hold < > ( ) / = (but no spaces).
EMAIL = '"<script>alert(1)</script><img/src=x/onerror=alert(1)>"@example.org'
# Nothing of this may survive as markup.
RAW_MARKERS = ("<script>alert", "<img src=x onerror", "<svg onload", "<img/src=x/onerror")


def payload(tag):
    """A payload that says where it was put, so that a test can tell it is shown where it belongs."""
    return f"{tag} {SCRIPT}{ATTRIBUTE} {LINK}"


def raw_rich_text(tag):
    """Rich text as only a non-editor (a script, a migration, the shell) could store it."""
    return (
        f'<p data-block-key="k1">{tag} text</p>{SCRIPT}<style>body{{display:none}}</style>'
        f'<p onclick="alert(1)"><a href="{LINK}">link</a> <a href=" JaVaScRiPt:alert(1)">spaced</a>'
        f"<img src=x onerror=alert(1)><b onmouseover=alert(1)>bold</b></p><!-- comment -->"
    )


# Checking a page


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "srcdoc")


def is_javascript_url(value):
    return (
        re.sub(r"[\x00-\x20]+", "", str(value)).lower().startswith(("javascript:", "vbscript:", "data:text"))
    )


def injections(soup, *, admin=False):
    """Every element that would run something: inline scripts, event handlers, javascript: URLs.

    Wagtail's admin sets up some of its widgets with inline scripts of its own; there, an inline script
    counts when it holds a payload.
    """
    found = []
    for script in soup.find_all("script"):
        kind = (script.get("type") or "").strip().lower()
        if script.get("src") and not is_javascript_url(script["src"]):
            continue
        if kind == "application/json":
            json.loads(script.string or "null")
            continue
        if kind == "application/ld+json":
            text = script.string or ""
            assert "</" not in text, text[:200]
            json.loads(text)
            continue
        if admin and "alert" not in (script.string or ""):
            continue
        found.append(str(script)[:200])
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            handler = attribute.lower().startswith("on")
            if handler or (attribute.lower() in URL_ATTRIBUTES and is_javascript_url(value)):
                found.append(f"<{element.name} {attribute}={value!r}>")
    return found


def checked(response, *shown, status=200, admin=False):
    """The parsed page, after asserting it is safe and shows each of `shown` as text."""
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert injections(soup, admin=admin) == []
    for marker in RAW_MARKERS:
        assert marker not in html, marker
    text = soup.get_text()
    for value in shown:
        assert value in text, value
    return soup


def admin_checked(response, *shown, status=200):
    return checked(response, *shown, status=status, admin=True)


def json_ld(soup):
    (script,) = soup.select('script[type="application/ld+json"]')
    return json.loads(script.string)


# The content


@pytest.fixture(autouse=True)
def _registration_settings(settings, tmp_path):
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    settings.LMS_FORMS_RATE_LIMIT = "1000/m"
    settings.LMS_IMPORT_DIR = str(tmp_path / "imports")


@pytest.fixture
def world(catalogue):
    """A catalogue, an offering and its form, with a payload in every string an editor writes."""
    catalogue.title = catalogue.draft_title = payload("CATALOGUE")
    catalogue.introduction = raw_rich_text("CATALOGUE-INTRO")
    catalogue.save()
    venue = VenueFactory(
        name=payload("VENUE"),
        street_address=payload("STREET"),
        municipality=payload("MUNICIPALITY"),
        region=payload("REGION"),
    )
    organiser = OrganisationFactory(name=payload("ORGANISER"), url="https://example.org/")
    partner = OrganisationFactory(name=payload("PARTNER"), kind=OrganisationKind.USER_ORGANISATION)
    topic = TopicFactory(name=payload("TOPIC"), slug="topic")
    language = LanguageFactory(code="fkv")  # Kven: a language the site names as the editor wrote it
    language.name = f"L{SHORT}"
    language.save()
    setup = make_offering(
        catalogue,
        title=payload("OFFERING"),
        introduction=payload("INTRODUCTION"),
        groups=(payload("GROUP"),),
        description=raw_rich_text("DESCRIPTION"),
        target_group=raw_rich_text("TARGET"),
        goals=raw_rich_text("GOALS"),
        requirements=raw_rich_text("REQUIREMENTS"),
        user_participation=raw_rich_text("PARTICIPATION"),
        evaluation=raw_rich_text("EVALUATION"),
        venue=venue,
        organiser=organiser,
        digital_platform=payload("PLATFORM"),
        format_note=payload("FORMAT-NOTE"),
        duration=payload("DURATION"),
        price_note=payload("PRICE-NOTE"),
        referral_note=payload("REFERRAL"),
        registration_note=payload("REGISTRATION-NOTE"),
        interpreter_available=True,
        interpreter_note=payload("INTERPRETER"),
        contact_name=payload("CONTACT"),
        contact_phone=f"9{SHORT}",
        relations__topics=[topic],
        relations__languages=[language],
        relations__partners=[partner],
    )
    setup.group.note = payload("GROUP-NOTE")
    setup.group.save()
    GroupSession.objects.filter(group=setup.group).update(
        topic=payload("SESSION"), place_note=payload("ROOM")
    )
    add_download(setup.offering, description=payload("DOWNLOAD"))
    setup.notice.body = raw_rich_text("NOTICE")
    setup.notice.save()

    page = setup.page
    page.title = page.draft_title = payload("FORM")
    page.introduction = raw_rich_text("FORM-INTRO")
    page.next_steps = raw_rich_text("NEXT-STEPS")
    page.health_consent_text = payload("CONSENT")
    page.save()
    RegistrationFormField.objects.create(
        page=page,
        label=payload("QUESTION"),
        help_text=payload("HELP"),
        field_type="singleline",
        required=False,
        default_value=payload("DEFAULT"),
    )
    RegistrationFormField.objects.create(
        page=page,
        label=payload("CHOICE"),
        help_text=payload("CHOICE-HELP"),
        field_type="radio",
        choices="\n".join([payload("OPTION-A"), payload("OPTION-B")]),
        required=False,
    )
    RegistrationFormField.objects.create(
        page=page,
        label=payload("LONG"),
        field_type="multiline",
        asks_about_health=True,
        required=False,
    )
    setup.fields = {
        field.label: field.clean_name for field in RegistrationFormField.objects.filter(page=page)
    }
    setup.catalogue = catalogue
    return setup


def registrant_data(world, **overrides):
    """A valid registration with a payload in every answer a registrant writes."""
    fields = world.fields
    answers = {
        "name": payload("NAME"),
        "email": EMAIL,
        fields[payload("QUESTION")]: payload("ANSWER"),
        fields[payload("CHOICE")]: payload("OPTION-B"),
        fields[payload("LONG")]: payload("HEALTH") + "\r\n" + payload("SECOND-LINE"),
        "diagnose": payload("DIAGNOSIS"),
    }
    return form_data(world, **{**answers, **overrides})


@pytest.fixture
def registered(world, client, django_capture_on_commit_callbacks):
    """The world, with one registration through the form, and its confirmation page's URL."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world.page.url, registrant_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    world.confirmation_url = urlsplit(response["Location"]).path
    world.registration = Registration.objects.get()
    # Set by an administrator or an import, past the form's phone check.
    Registration.objects.filter(pk=world.registration.pk).update(phone=SHORT)
    return world


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "secret")
    client.force_login(user)
    return client


# Rich text


class TestRichText:
    def test_the_cleaner_keeps_only_what_the_editor_can_write(self):
        cleaned = clean_rich_text(raw_rich_text("X"))
        soup = BeautifulSoup(cleaned, "html.parser")
        assert injections(soup) == []
        assert soup.find(["script", "style"]) is None
        assert "alert" not in soup.get_text()
        assert [a.get("href") for a in soup.find_all("a")] == [None, None]
        assert soup.get_text(" ", strip=True).split() == ["X", "text", "link", "spaced", "bold"]
        assert soup.p["data-block-key"] == "k1"

    def test_the_editor_s_own_rich_text_is_kept_as_it_is(self):
        html = (
            '<p data-block-key="a1">Se <a linktype="page" id="3">siden</a>, <a href="https://example.org/?a=1&amp;b=2">'
            'denne</a> og <a linktype="document" id="4">brosjyren</a>.</p>'
            '<ul><li data-block-key="b2"><b>fet</b> og <i>kursiv</i></li></ul>'
        )
        assert clean_rich_text(html) == html

    @pytest.mark.django_db
    def test_rich_text_saved_through_the_model_is_cleaned(self, world):
        world.offering.refresh_from_db()
        for name in (
            "description",
            "target_group",
            "goals",
            "requirements",
            "user_participation",
            "evaluation",
        ):
            value = getattr(world.offering, name)
            assert "<script" not in value and "onclick" not in value and "javascript" not in value.lower()
        world.page.refresh_from_db()
        assert "<script" not in world.page.introduction + world.page.next_steps

    @pytest.mark.django_db
    def test_rich_text_inside_streamfield_blocks_is_cleaned(self, catalogue):
        page = CourseProgrammePageFactory(
            parent=OfferingPageFactory(parent=catalogue),
            days=[("assignment", {"title": "Hjemmeoppgave", "text": raw_rich_text("ASSIGNMENT"), "due": ""})],
            modules=[
                (
                    "module",
                    {
                        "name": "Startmodul",
                        "days": 5,
                        "description": raw_rich_text("MODULE"),
                        "learning_goals": [],
                    },
                )
            ],
        )
        information = InformationPageFactory(parent=catalogue, body=[("paragraph", raw_rich_text("BODY"))])
        page.refresh_from_db()
        information.refresh_from_db()
        stored = [
            page.days[0].value["text"].source,
            page.modules[0].value["description"].source,
            information.body[0].value.source,
        ]
        for html in stored:
            soup = BeautifulSoup(html, "html.parser")
            assert injections(soup) == [], html
            assert soup.find(["script", "style"]) is None, html
        assert [BeautifulSoup(html, "html.parser").p.get_text() for html in stored] == [
            "ASSIGNMENT text",
            "MODULE text",
            "BODY text",
        ]

    @pytest.mark.django_db
    def test_a_clean_stream_is_saved_as_it_is(self, catalogue):
        information = InformationPageFactory(
            parent=catalogue, body=[("paragraph", '<p data-block-key="a">Ren</p>')]
        )
        before = information.body.raw_data
        information.save()
        assert information.body.raw_data == before


# The public pages


@pytest.mark.django_db
class TestPublicPages:
    def test_catalogue(self, world, client):
        soup = checked(
            client.get(world.catalogue.url),
            payload("CATALOGUE"),
            "CATALOGUE-INTRO text",
            payload("OFFERING"),
            payload("MUNICIPALITY"),
            payload("TOPIC"),
        )
        assert soup.title.get_text().startswith(payload("CATALOGUE"))
        # The search finds the offering by its hostile introduction and shows it safely.
        checked(client.get(world.catalogue.url + "?q=INTRODUCTION"), payload("OFFERING"))

    def test_offering_page(self, world, client):
        soup = checked(
            client.get(world.offering.url),
            payload("OFFERING"),
            payload("INTRODUCTION"),
            *(f"{tag} text" for tag in ("DESCRIPTION", "TARGET", "GOALS", "REQUIREMENTS", "PARTICIPATION")),
            "EVALUATION text",
            payload("VENUE"),
            payload("STREET"),
            payload("ORGANISER"),
            payload("PARTNER"),
            payload("TOPIC"),
            f"L{SHORT}",
            payload("PLATFORM"),
            payload("FORMAT-NOTE"),
            payload("DURATION"),
            payload("PRICE-NOTE"),
            payload("REFERRAL"),
            payload("REGISTRATION-NOTE"),
            payload("INTERPRETER"),
            payload("CONTACT"),
            f"9{SHORT}",
            payload("GROUP"),
            payload("GROUP-NOTE"),
            payload("SESSION"),
            payload("ROOM"),
            payload("DOWNLOAD"),
            "Taushetserklæring " + payload("OFFERING"),
        )
        data = json_ld(soup)
        assert data["name"] == payload("OFFERING")
        assert data["description"] == payload("INTRODUCTION")
        assert payload("TOPIC") in data["about"]
        assert "alert(1)" not in data.get("coursePrerequisites", "")

    def test_json_ld_cannot_close_its_script_element(self, world, client):
        world.offering.title = "</script><script>alert(1)</script><!--"
        world.offering.save()
        soup = checked(client.get(world.offering.url))
        assert json_ld(soup)["name"] == "</script><script>alert(1)</script><!--"

    def test_confidentiality_notice(self, world, client):
        checked(client.get(world.notice.url), "NOTICE text", "Taushetserklæring " + payload("OFFERING"))

    def test_registration_form(self, world, client):
        soup = checked(
            client.get(world.page.url),
            payload("FORM"),
            "FORM-INTRO text",
            payload("OFFERING"),
            payload("GROUP"),
            payload("QUESTION"),
            payload("HELP"),
            payload("CHOICE"),
            payload("CHOICE-HELP"),
            payload("OPTION-A"),
            payload("OPTION-B"),
            payload("LONG"),
            payload("CONSENT"),
            "Taushetserklæring " + payload("OFFERING"),
        )
        question = soup.find("input", attrs={"name": world.fields[payload("QUESTION")]})
        assert question["value"] == payload("DEFAULT")
        values = [radio["value"] for radio in soup.select(f'input[name="{world.fields[payload("CHOICE")]}"]')]
        assert values == [payload("OPTION-A"), payload("OPTION-B")]

    def test_registration_form_with_errors_shows_the_answers_as_text(self, world, client):
        data = registrant_data(world, email="not an email" + SCRIPT, notice_accepted=None)
        response = client.post(world.page.url, data)
        soup = checked(response, payload("QUESTION"), "Taushetserklæring " + payload("OFFERING"))
        assert soup.find("input", attrs={"name": "name"})["value"] == payload("NAME")
        assert soup.find("input", attrs={"name": "email"})["value"] == "not an email" + SCRIPT
        answer = soup.find("input", attrs={"name": world.fields[payload("QUESTION")]})
        assert answer["value"] == payload("ANSWER")
        assert payload("HEALTH") in soup.find("textarea").get_text()
        assert Registration.objects.count() == 0

    def test_confirmation_and_cancel_pages(self, registered, client, django_capture_on_commit_callbacks):
        checked(
            client.get(registered.confirmation_url), payload("OFFERING"), payload("GROUP"), "NEXT-STEPS text"
        )
        cancel_url = registered.page.url + registered.page.reverse_subpage(
            "cancel", kwargs={"token": make_token(registered.registration, CANCEL_SALT)}
        )
        checked(client.get(cancel_url), payload("OFFERING"), payload("GROUP"))
        with django_capture_on_commit_callbacks(execute=True):
            checked(client.post(cancel_url), payload("OFFERING"))
        registered.registration.refresh_from_db()
        assert registered.registration.status == RegistrationStatus.CANCELLED

    def test_the_registrant_s_answers_are_stored_as_written(self, registered):
        registration = registered.registration
        assert registration.name == payload("NAME")
        assert registration.email == EMAIL.lower()
        assert registration.answers[registered.fields[payload("QUESTION")]] == payload("ANSWER")


def test_an_editor_cannot_give_an_organisation_a_javascript_link():
    organisation = Organisation(name="Helse", kind=OrganisationKind.HOSPITAL, url=LINK)
    with pytest.raises(ValidationError) as caught:
        organisation.full_clean(validate_unique=False)
    assert "url" in caught.value.message_dict


# The admin


@pytest.mark.django_db
class TestAdmin:
    def write_note(self, admin, registration):
        url = reverse("participants_modeladmin_edit", args=[registration.pk])
        registration = Registration.objects.get(pk=registration.pk)
        contact = {"name": registration.name, "email": registration.email, "phone": registration.phone}
        response = admin.post(url, {"status": registration.status, "note": payload("NOTE"), **contact})
        assert response.status_code == 302
        registration.refresh_from_db()
        assert registration.note == payload("NOTE")

    def test_participant_list(self, registered, admin):
        self.write_note(admin, registered.registration)
        admin_checked(
            admin.get(reverse("participants_modeladmin_index")),
            payload("NAME"),
            EMAIL.lower(),
            payload("OFFERING"),
            payload("GROUP"),
        )
        query = f"?offering__page_ptr__exact={registered.offering.pk}&q=script"
        admin_checked(admin.get(reverse("participants_modeladmin_index") + query), payload("NAME"))

    def test_inspect_and_edit(self, registered, admin):
        self.write_note(admin, registered.registration)
        pk = registered.registration.pk
        admin_checked(
            admin.get(reverse("participants_modeladmin_inspect", args=[pk])),
            payload("NAME"),
            EMAIL.lower(),
            SHORT,
            payload("OFFERING"),
            payload("GROUP"),
            payload("NOTE"),
            payload("QUESTION"),
            payload("ANSWER"),
            payload("OPTION-B"),
            payload("LONG"),
            payload("HEALTH"),
            "Diagnose",
            payload("DIAGNOSIS"),
        )
        soup = admin_checked(admin.get(reverse("participants_modeladmin_edit", args=[pk])), payload("NAME"))
        assert soup.find("textarea", attrs={"name": "note"}).get_text().strip() == payload("NOTE")
        admin_checked(admin.get(reverse("participants_modeladmin_delete", args=[pk])), payload("NAME"))

    def test_person_page(self, registered, admin):
        url = reverse("participants_modeladmin_person")
        shown = (payload("NAME"), payload("OFFERING"), payload("GROUP"), EMAIL.lower())
        soup = admin_checked(admin.post(url, {"email": EMAIL}), *shown)
        assert soup.find("input", attrs={"name": "email", "type": "hidden"})["value"] == EMAIL.lower()
        admin_checked(admin.post(url, {"email": EMAIL, "action": "erase"}), *shown)  # asks to confirm

    def test_downloads_are_never_shown_as_a_page(self, registered, admin):
        """The exports hold the payloads as they were written; a browser must save them, not render them."""
        index = reverse("participants_modeladmin_index")
        person = reverse("participants_modeladmin_person")
        for url in (
            *(f"{index}?export={key}" for key in ("csv", "csv-semicolon", "xlsx", "json")),
            (person, {"email": EMAIL, "action": "export"}),
            reverse("wagtailforms:list_submissions", args=[registered.page.pk]) + "?export=csv",
        ):
            url, data = url if isinstance(url, tuple) else (url, None)
            response = admin.post(url, data) if data else admin.get(url)
            assert response.status_code == 200, url
            assert not response["Content-Type"].startswith("text/html"), url
            assert response["Content-Disposition"].startswith("attachment"), url
            assert response["X-Content-Type-Options"] == "nosniff", url

    def test_wagtail_form_submissions(self, registered, admin):
        self.write_note(admin, registered.registration)
        admin_checked(
            admin.get(reverse("wagtailforms:list_submissions", args=[registered.page.pk])),
            payload("NAME"),
            EMAIL.lower(),
            SHORT,
            payload("GROUP"),
            payload("QUESTION"),
            payload("ANSWER"),
        )
        admin_checked(admin.get(reverse("wagtailforms:index")), payload("FORM"))

    def test_page_explorer_and_editor(self, registered, admin):
        admin_checked(
            admin.get(reverse("wagtailadmin_explore", args=[registered.offering.pk])), payload("FORM")
        )
        for page, value in ((registered.offering, payload("GROUP")), (registered.page, payload("QUESTION"))):
            soup = admin_checked(admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk])), page.title)
            assert soup.find("input", attrs={"value": value}) is not None

    def test_import_preview_shows_the_file_s_values_as_text(self, registered, admin):
        rows = [
            ["Navn", "E-post", "Gruppe", payload("HEADING")],
            [payload("IMPORTED"), SCRIPT, payload("GROUP"), "x"],
            [payload("OTHER"), "ny@example.org", "<b onmouseover=alert(1)>Oslo</b>", "x"],
        ]
        text = "\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows)
        upload = SimpleUploadedFile("deltakere.csv", text.encode())
        response = admin.post(
            reverse("participants_modeladmin_import"), {"offering": registered.offering.pk, "file": upload}
        )
        soup = admin_checked(response, payload("HEADING"), SCRIPT, "<b onmouseover=alert(1)>Oslo</b>")
        assert response.context["report"].has_errors
        assert soup.find(string=re.compile("alert")) is not None
        assert Registration.objects.count() == 1
