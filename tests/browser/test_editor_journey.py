"""The web editor's journey in the Wagtail admin, in a browser: log in, build an offering with two groups
and their sessions, a confidentiality notice, a course programme and a registration form with a question
of its own, publish them, and see them as the public does.

Everything the editor makes is typed and clicked in the page editor; only the account is made beforehand.
The admin speaks bokmål (the site's language, for a user without a preference of their own).
"""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from lms_forms.models import RegistrationFormPage
from lms_pages.models import ConfidentialityNoticePage, CourseProgrammePage, GroupSession, OfferingPage

from .helpers import admin_field, log_in_to_admin, publish_in_editor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Lær å leve med KOLS"
NOTICE_TITLE = "Taushetsplikt for KOLS-kurset"
QUESTION = "Hvor lenge har du hatt KOLS?"
# One session in winter time (UTC+1) and one in summer time (UTC+2), both entered as 18:00–20:30.
YEAR = datetime.date.today().year + 1
GROUPS = [
    ("Oslo", 12, datetime.date(YEAR, 3, 2), "+01:00"),
    ("Bergen", 8, datetime.date(YEAR, 6, 1), "+02:00"),
]


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser(
        "redaktor", "redaktor@example.org", "redaktor-passord", first_name="Rita", last_name="Redaktør"
    )


def offering_row(page):
    """The offering's row in the catalogue's page explorer."""
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE, exact=True))


def choose_page_type(page, page_type):
    page.get_by_role("link", name=page_type, exact=True).click()
    expect(admin_field(page, "Tittel")).to_be_visible()


def fill_rich_text(page, label, text):
    # Draftail's editable area is not tied to its field's <label>; the field's section is.
    page.get_by_role("region", name=re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")).get_by_role(
        "textbox"
    ).click()
    page.keyboard.type(text)


def test_editor_builds_an_offering_and_the_public_sees_it(demo_site, page, editor):
    log_in_to_admin(page, demo_site, "redaktor", "redaktor-passord")

    # The catalogue, from the admin's menu.
    page.get_by_role("button", name="Sider").click()
    page.get_by_role("link", name="Lærings- og mestringstilbud").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lærings- og mestringstilbud")
    page.get_by_role("link", name="Legg til underside").click()
    page.get_by_role("link", name="Tilbud", exact=True).click()

    # The offering: its required fields on "Innhold", two groups with a session each on "Praktisk",
    # and open registration on "Påmelding".
    admin_field(page, "Tittel").fill(TITLE)
    admin_field(page, "Ingress").fill("Et kurs for deg som lever med KOLS, og for dine pårørende.")
    page.get_by_role("tab", name="Praktisk").click()
    for number, (name, places, day, _offset) in enumerate(GROUPS, start=1):
        page.get_by_role("button", name="Legg til Gruppe").click()
        group = page.get_by_role("region", name=f"Gruppe {number}", exact=True)
        admin_field(group, "Navn").fill(name)
        admin_field(group, "Plasser").fill(str(places))
        group.get_by_role("button", name="Legg til Samling").click()
        session = group.get_by_role("region", name="Samling 1", exact=True)
        admin_field(session, "Start").fill(f"{day:%Y-%m-%d} 18:00")
        admin_field(session, "Slutt").fill(f"{day:%Y-%m-%d} 20:30")
        admin_field(session, "Tema").fill("Hva er KOLS?")
        admin_field(session, "Rom eller sted").fill(f"Auditoriet i {name}")
    page.get_by_role("tab", name="Påmelding").click()
    admin_field(page, "Status").select_option(label="Åpent for påmelding")
    publish_in_editor(page, TITLE)

    offering = OfferingPage.objects.get(title=TITLE, locale__language_code="nb")
    assert offering.live
    sessions = GroupSession.objects.filter(group__offering=offering).order_by("start")
    assert [(s.group.name, timezone.localtime(s.start).strftime("%H:%M")) for s in sessions] == [
        ("Oslo", "18:00"),
        ("Bergen", "18:00"),
    ]
    # Stored in UTC: 18:00 in Oslo is 17:00 UTC in winter and 16:00 UTC in summer.
    assert [s.start.astimezone(datetime.UTC).hour for s in sessions] == [17, 16]

    # A confidentiality notice and a course programme under the offering.
    offering_row(page).get_by_role("link", name=re.compile(r"^Legg en underside til")).click()
    choose_page_type(page, "Informasjon om taushetsplikt")
    admin_field(page, "Tittel").fill(NOTICE_TITLE)
    fill_rich_text(page, "Tekst", "Alle som deltar, har taushetsplikt om det andre deltakere forteller.")
    # Draftail hands its content to the form a moment after the typing stops.
    expect(page.locator("input[name=body]")).to_have_value(re.compile("deltakere forteller"))
    publish_in_editor(page, NOTICE_TITLE)

    # Published, the notice leads back to the offering's own explorer.
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    page.get_by_role("link", name="Legg til underside").click()
    choose_page_type(page, "Kursprogram")
    admin_field(page, "Tittel").fill("Kursprogram")
    days = page.get_by_role("region", name="Dag for dag", exact=True)
    days.get_by_role("button", name=re.compile("Insert a block|Sett inn en blokk")).click()
    page.get_by_role("option", name="Dag", exact=True).click()
    admin_field(days, "Tittel").fill("Dag 1")
    admin_field(days, "Start").fill("18:00")
    admin_field(days, "Slutt").fill("20:30")
    admin_field(days, "Tema").fill("Hva er KOLS, og hvordan puster vi?")
    admin_field(days, "Foredragsholdere").fill("Lungesykepleier")
    publish_in_editor(page, "Kursprogram")

    # The offering links to its notice: chosen in the page chooser, from the offering's sub-pages.
    page.get_by_role("button", name="Handlinger").click()
    page.get_by_role("navigation", name=re.compile("^(Actions|Handlinger)$")).get_by_role(
        "link", name="Endre", exact=True
    ).click()
    page.get_by_role("tab", name="Påmelding").click()
    page.get_by_role("button", name="Velg en side (Informasjon om taushetsplikt)").click()
    chooser = page.get_by_role("dialog")
    # With a page tree per language, the chooser starts at the root, in the page's language.
    expect(chooser.get_by_text("Norsk bokmål").first).to_be_visible()
    chooser.get_by_role("row").filter(has_text="Lærings- og mestringstilbud").get_by_role(
        "link", name="Utforsk"
    ).click()
    chooser.get_by_role("row").filter(has_text=TITLE).get_by_role("link", name="Utforsk").click()
    chooser.get_by_role("link", name=NOTICE_TITLE, exact=True).click()
    expect(chooser).to_be_hidden()
    expect(page.get_by_role("tabpanel", name="Påmelding")).to_contain_text(NOTICE_TITLE)
    publish_in_editor(page, TITLE)

    # The registration form, with one question of the editor's own.
    offering_row(page).get_by_role("link", name=re.compile(r"^Utforsk undersider av")).click()
    page.get_by_role("link", name="Legg til underside").click()
    choose_page_type(page, "Påmeldingsskjema")
    admin_field(page, "Tittel").fill("Påmelding")
    # The form shows the offering's groups and places, set on the offering.
    expect(page.get_by_role("region", name="Åpning og stenging, plasser og venteliste")).to_contain_text(
        "Bergen"
    )
    page.get_by_role("button", name="Legg til Spørsmål").click()
    question = page.get_by_role("region", name="Spørsmål 1", exact=True)
    admin_field(question, "Feltnavn").fill(QUESTION)
    admin_field(question, "Felttype").select_option(label="Enkeltlinje tekst")
    publish_in_editor(page, "Påmelding")

    offering.refresh_from_db()
    notice = ConfidentialityNoticePage.objects.get(title=NOTICE_TITLE, locale__language_code="nb")
    assert offering.confidentiality_notice_id == notice.pk and notice.live and notice.version == 1
    programme = CourseProgrammePage.objects.get(title="Kursprogram", path__startswith=offering.path)
    assert programme.live and programme.days[0].value["title"] == "Dag 1"
    form = RegistrationFormPage.objects.get(path__startswith=offering.path)
    assert form.live and [field.label for field in form.form_fields.all()] == [QUESTION]

    # As the public: the catalogue lists the offering, ...
    page.goto(demo_site("/"))
    card = page.locator(".lms-card").filter(has=page.get_by_role("link", name=TITLE))
    expect(card).to_have_count(1)
    expect(card.locator(".lms-state")).to_have_text("Påmeldingen er åpen")
    card.get_by_role("link", name=TITLE).click()

    # ... its page shows both groups with their sessions in Norwegian time, the notice and the programme, ...
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for name, places, day, offset in GROUPS:
        group = page.locator(".lms-group").filter(has=page.get_by_role("heading", name=name, exact=True))
        expect(group).to_contain_text(f"{places} plasser")
        row = group.get_by_role("listitem").filter(has_text="Hva er KOLS?")
        expect(row.locator("time")).to_have_attribute("datetime", f"{day:%Y-%m-%d}T18:00:00{offset}")
        expect(row).to_contain_text("18.00–20.30")
        expect(row).to_contain_text(f"Auditoriet i {name}")
    main = page.locator("main")
    expect(main.get_by_role("link", name=NOTICE_TITLE).first).to_be_visible()
    main.get_by_role("link", name="Kursprogram").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kursprogram")
    expect(page.locator("main")).to_contain_text("Hva er KOLS, og hvordan puster vi?")
    page.go_back()

    # ... and the form offers both groups, the editor's question and the notice.
    page.locator("#registration").get_by_role("link", name="Meld deg på").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Påmelding")
    choices = page.locator("fieldset#id_group")
    expect(choices.get_by_label(re.compile(r"^Oslo"))).to_be_visible()
    expect(choices).to_contain_text("Oslo (12 ledige plasser)")
    expect(choices).to_contain_text("Bergen (8 ledige plasser)")
    expect(page.get_by_label(QUESTION)).to_be_visible()
    expect(page.locator(".lms-form").get_by_role("link", name=NOTICE_TITLE)).to_be_visible()
