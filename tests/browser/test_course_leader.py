"""A course leader's day, in a browser, on a phone and on a desktop: taking attendance in the Participants
admin (a tap saves at once, another leader's marks show up on the open page, and the roll works without
JavaScript), printing the list as a PDF, a participant answering the evaluation through the link in
their invitation (errors, the 0–10 scale by keyboard, thanks, a link used once), and the results as
charts with their numbers beside them.

One demo load per screen size: each test walks the whole day, so the module stays fast.
"""

import io
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from lms_forms.choices import RegistrationStatus
from lms_forms.models import (
    Attendance,
    EvaluationFormPage,
    EvaluationInvitation,
    EvaluationResponse,
    Registration,
)
from lms_forms.services.attendance import ON_THE_ROLL, mark
from lms_forms.services.evaluations import evaluation_link
from lms_pages.models import GroupSession, OfferingPage

from .helpers import assert_no_axe_violations, log_in_to_admin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COURSE_ADMINISTRATORS = "Course administrators"  # the group the migrations create
LEADER = ("kursleder", "kursleder-passord", "Kari", "Kursleder")
SECOND_LEADER = ("medleder", "medleder-passord", "Ola", "Medleder")

# The demo's Mestringstreff: ten people with a place in its one group, "Demo Deltaker 1" to "10".
COPING = "Mestringstreff"
COPING_GROUP = "Sandefjord"
# The demo's evaluation of Kurs i helsepedagogikk: a required 0–10 scale, a choice of day, an optional
# scale and free text; 17 anonymous answers from an earlier round.
EVALUATED_OFFERING = "/kurs-i-helsepedagogikk/"
EVALUATION = EVALUATED_OFFERING + "evaluering/"
PARTICIPANT = "Demo Deltaker 9"
TAKEAWAY = "Å lage et opplegg sammen med brukerrepresentantene."


def admin_url(site, name, *args):
    return site(reverse(name, args=args))


def make_leader(username, password, first_name, last_name):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", password, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get(name=COURSE_ADMINISTRATORS))
    return user


@pytest.fixture
def leaders(demo_site):
    return make_leader(*LEADER), make_leader(*SECOND_LEADER)


@pytest.fixture
def invitation(demo_site):
    """An invitation to the demo's evaluation, as the scheduled run makes and sends one, for a person
    with a place at the demo's Mestringstreff (the evaluated course has nobody registered in the demo).
    Returns it with the link the email gives."""
    evaluation = EvaluationFormPage.objects.get(url_path__endswith=EVALUATION, locale__language_code="nb")
    registration = Registration.objects.get(name=PARTICIPANT, status=RegistrationStatus.PLACE)
    session = GroupSession.objects.filter(group=registration.group).order_by("start").last()
    now = timezone.now()
    invitation = EvaluationInvitation.objects.create(
        page=evaluation,
        registration=registration,
        session=session,
        claim=uuid.uuid4(),
        claimed_at=now,
        sent_at=now,
    )
    link = evaluation_link(invitation, evaluation)
    assert link.startswith(demo_site(EVALUATION)), link
    return invitation, link


def person(page, registration):
    return page.locator(f"#p-{registration.pk}")


def button(page, registration, label):
    return person(page, registration).get_by_role("button", name=label)


def expect_marked(page, registration, present):
    """The roll shows `registration` as present (True), absent (False) or not marked (None)."""
    expect(button(page, registration, "Til stede")).to_have_attribute(
        "aria-pressed", "true" if present else "false"
    )
    expect(button(page, registration, "Fraværende")).to_have_attribute(
        "aria-pressed", "true" if present is False else "false"
    )


def roll_size(session):
    return Registration.objects.filter(group=session.group, status__in=ON_THE_ROLL).count()


def stored_mark(registration, session):
    return (
        Attendance.objects.filter(registration=registration, session=session)
        .values_list("present", flat=True)
        .first()
    )


def expect_counts(page, present, absent, unmarked):
    for key, count in (("present", present), ("absent", absent), ("open", unmarked)):
        expect(page.locator(f"[data-count={key}]")).to_have_text(str(count))


# Attendance ------------------------------------------------------------------------------------------


def take_attendance(site, page, second_leader):
    """The leader opens the day's roll through the admin and marks two people; another leader's mark
    shows up on the open page. Returns the session and the people marked, in order."""
    page.goto(admin_url(site, "participants_modeladmin_index"))
    page.get_by_role("link", name="Oppmøte", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oppmøte")
    page.get_by_label("Tilbud").select_option(label=COPING)
    page.get_by_role("button", name="Vis").click()
    sessions = page.locator("table.lms-attendance-sessions tbody tr")
    expect(sessions.first).to_be_visible()
    coping = OfferingPage.objects.get(title=COPING, locale__language_code="nb")
    expect(sessions).to_have_count(GroupSession.objects.filter(group__offering=coping).count())
    expect(sessions.first).to_contain_text(f"{COPING}: {COPING_GROUP}")
    assert_no_axe_violations(page, "the sessions to take attendance at")

    sessions.first.get_by_role("rowheader").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/attendance/\d+/$"))
    session = GroupSession.objects.get(pk=int(re.search(r"/attendance/(\d+)/$", page.url).group(1)))
    assert session == GroupSession.objects.filter(group__offering=coping).order_by("start", "pk").first()
    roll = Registration.objects.filter(group=session.group, status=RegistrationStatus.PLACE)
    size = roll.count()
    kari, ola, siri, per = (roll.get(name=f"Demo Deltaker {number}") for number in (1, 2, 3, 4))
    expect(page.locator(".lms-roll__person")).to_have_count(size)
    expect_counts(page, 0, 0, size)
    for registration in (kari, ola, siri, per):
        expect_marked(page, registration, None)
    assert_no_axe_violations(page, "the roll, nobody marked")

    # Each tap saves at once, without leaving the page; the status region says what was saved.
    page.evaluate("() => { window.lmsSamePage = true; }")
    status = page.locator("[data-lms-attendance-status]")
    expect(status).to_have_attribute("role", "status")
    button(page, kari, "Til stede").click()
    expect(status).to_have_text("Lagret: Demo Deltaker 1 til stede")
    expect_marked(page, kari, True)
    button(page, ola, "Fraværende").click()
    expect(status).to_have_text("Lagret: Demo Deltaker 2 fraværende")
    expect_marked(page, ola, False)
    expect_marked(page, kari, True)
    expect_counts(page, 1, 1, size - 2)
    assert page.evaluate("() => window.lmsSamePage === true"), "marking reloaded the page"
    assert page.url.endswith(f"/attendance/{session.pk}/"), page.url
    assert stored_mark(kari, session) is True
    assert stored_mark(ola, session) is False
    expect(person(page, kari).locator("[data-marked]")).to_contain_text("Markert av Kari Kursleder kl.")
    for registration in (kari, ola):
        registration.refresh_from_db()
        expect(person(page, registration).locator("[data-status]")).to_have_text(
            str(registration.get_status_display())
        )
    assert_no_axe_violations(page, "the roll, two marked")

    # A second leader marks Siri on a phone of their own: the open roll shows it within its refresh.
    mark(siri, session, True, user=second_leader)
    expect(button(page, siri, "Til stede")).to_have_attribute("aria-pressed", "true", timeout=15_000)
    expect_marked(page, siri, True)
    expect(person(page, siri).locator("[data-marked]")).to_contain_text("Markert av Ola Medleder kl.")
    expect_counts(page, 2, 1, size - 3)
    expect_marked(page, kari, True)
    expect_marked(page, ola, False)
    assert page.evaluate("() => window.lmsSamePage === true"), "the refresh reloaded the page"
    return session, (kari, ola, siri, per)


def take_attendance_without_javascript(site, browser, page, viewport, session, people):
    """Without JavaScript each button posts its form, and the roll comes back showing the mark."""
    kari, ola, siri, per = people
    context = browser.new_context(
        viewport=viewport, locale="nb-NO", timezone_id="Europe/Oslo", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    context.add_cookies(page.context.cookies())  # the same leader, logged in
    try:
        plain = context.new_page()
        url = admin_url(site, "participants_modeladmin_attendance_session", session.pk)
        plain.goto(url)
        # The marks made so far, as the server shows them.
        expect_marked(plain, kari, True)
        expect_marked(plain, ola, False)
        expect_marked(plain, siri, True)
        expect_marked(plain, per, None)
        expect_counts(plain, 2, 1, roll_size(session) - 3)

        # By keyboard: the form posts, and the roll comes back at Per, marked absent.
        button(plain, per, "Fraværende").focus()
        with plain.expect_navigation():
            plain.keyboard.press("Enter")
        assert plain.url == f"{url}#p-{per.pk}", plain.url
        expect_marked(plain, per, False)
        expect_counts(plain, 2, 2, roll_size(session) - 4)
        assert stored_mark(per, session) is False

        # By a tap: a correction, Per came after all. Nothing may cover the button.
        present = button(plain, per, "Til stede")
        present.scroll_into_view_if_needed()
        on_top = present.evaluate(
            """button => {
                const box = button.getBoundingClientRect();
                const element = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
                return {button: button.contains(element), element: element.outerHTML.slice(0, 160)};
            }"""
        )
        assert on_top["button"], (
            f"without JavaScript, at {viewport['width']} px, the Present button is covered by "
            f"{on_top['element']}"
        )
        with plain.expect_navigation():
            present.click()
        expect_marked(plain, per, True)
        assert stored_mark(per, session) is True
    finally:
        context.close()


def print_the_list(site, page, session, people):
    """The printable list is a PDF with every name on the roll and the marks made."""
    response = page.request.get(admin_url(site, "participants_modeladmin_attendance_pdf", session.pk))
    assert response.ok, response.status
    assert response.headers["content-type"].split(";")[0] == "application/pdf", response.headers
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
    text = re.sub(r"[ \t]+", " ", text)
    for registration in Registration.objects.filter(group=session.group, status__in=ON_THE_ROLL):
        assert registration.name in text, f"{registration.name} is not in the PDF:\n{text}"
    kari, ola, siri, per = people
    for registration, answer in ((kari, "Ja"), (ola, "Nei"), (siri, "Ja")):
        assert re.search(rf"{re.escape(registration.name)}\s+{answer}\b", text), (
            f"{registration.name} is not marked {answer} in the PDF:\n{text}"
        )
    assert not re.search(rf"{re.escape(per.name)}\s+(Ja|Nei)\b", text), f"{per.name} is marked:\n{text}"


# Evaluation ------------------------------------------------------------------------------------------


def answer_the_evaluation(browser, viewport, invitation, link):
    """The participant opens the link from their email, in a browser of their own. Returns the
    questions' field names: the required scale, the choice of day, the optional scale, the text."""
    evaluation = EvaluationFormPage.objects.get(url_path__endswith=EVALUATION, locale__language_code="nb")
    questions = evaluation.get_form_fields()
    scale, day, prepared, takeaway = (question.clean_name for question in questions)
    assert [question.field_type for question in questions] == ["scale", "radio", "scale", "multiline"]
    before = set(EvaluationResponse.objects.values_list("pk", flat=True))

    context = browser.new_context(viewport=viewport, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Evaluering av kurset")
        expect(page.locator(".lms-lead")).to_contain_text("Kurs i helsepedagogikk")
        score = page.locator(f"fieldset#id_{scale}")
        expect(score.locator("legend")).to_contain_text(questions[0].label)
        expect(score.get_by_role("radio")).to_have_count(11)
        assert_no_axe_violations(page, "the evaluation form, empty")

        # Sent without the required score: the error summary takes focus and leads to the scale.
        page.get_by_role("button", name="Send svar").click()
        page.wait_for_load_state()
        summary = page.locator(".lms-error-summary")
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile(r"^Feil: "))
        hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs == [f"#id_{scale}"], hrefs
        expect(score).to_have_class(re.compile(r"\blms-field--error\b"))
        expect(score).to_have_attribute("aria-describedby", re.compile(rf"\bid_{scale}_error\b"))
        assert not set(EvaluationResponse.objects.values_list("pk", flat=True)) - before
        assert_no_axe_violations(page, "the evaluation form, with an error")

        # By keyboard: from the summary, Tab reaches the scale's first point, which shows its focus on
        # the label; the arrow keys move the choice along the scale.
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.name") == scale:
                break
        else:
            raise AssertionError(f"Tab never reached the scale; focus is on {focused(page)}")
        first = score.locator(f"#id_{scale}_0")
        expect(first).to_be_focused()
        assert_focus_ring(page)
        page.keyboard.press("ArrowRight")
        expect(score.locator(f"#id_{scale}_1")).to_be_focused()
        expect(score.locator(f"#id_{scale}_1")).to_be_checked()
        assert_focus_ring(page)
        page.keyboard.press("ArrowRight")
        expect(score.locator("input:checked")).to_have_value("2")
        page.keyboard.press("ArrowLeft")
        expect(score.locator("input:checked")).to_have_value("1")

        # Answered with a tap on the score's label, a day, and a few words; the optional scale is left.
        score.locator(".lms-scale__points").get_by_text("8", exact=True).click()
        expect(score.get_by_role("radio", name="8", exact=True)).to_be_checked()
        expect(score.locator("input:checked")).to_have_count(1)
        page.locator(f"#id_{day}").get_by_label("Dag 2", exact=True).check()
        page.locator(f"#id_{takeaway}").fill(TAKEAWAY)
        page.get_by_role("button", name="Send svar").click()
        page.wait_for_load_state()
        thanks = page.get_by_role("status")
        expect(thanks.get_by_role("heading", level=2)).to_have_text("Takk for svarene dine")
        expect(thanks).to_contain_text("Vi går gjennom svarene sammen med kommuneregionene")
        expect(page.get_by_role("button", name="Send svar")).to_have_count(0)

        (new,) = EvaluationResponse.objects.exclude(pk__in=before)
        assert new.answers == {scale: 8, day: "Dag 2", takeaway: TAKEAWAY}, new.answers
        assert new.registration_id is None
        assert new.page_id == evaluation.pk
        assert new.group_id == invitation.session.group_id
        invitation.refresh_from_db()
        assert invitation.used

        # The link is used: opening it again says so, and offers no form.
        page.goto(link)
        expect(page.get_by_role("status")).to_have_text(
            "Denne evalueringen er allerede besvart med denne lenken. Takk!"
        )
        expect(page.locator("form.lms-form")).to_have_count(0)
        assert_no_axe_violations(page, "the evaluation, already answered")
        assert EvaluationResponse.objects.exclude(pk__in=before).count() == 1
    finally:
        context.close()
    return evaluation, (scale, day, prepared, takeaway)


def focused(page):
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " name: document.activeElement.name || ''})"
    )


def assert_focus_ring(page):
    """The focused scale point matches :focus-visible, and its label draws the focus ring."""
    ring = page.evaluate(
        """() => {
            const input = document.activeElement;
            const label = document.querySelector(`label[for="${input.id}"]`);
            const style = getComputedStyle(label);
            return {
                focusVisible: input.matches(":focus-visible"),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== "none",
                label: label.textContent.trim(),
            };
        }"""
    )
    assert ring["focusVisible"], f"the scale point {ring['label']} does not match :focus-visible"
    assert ring["outline"] or ring["shadow"], f"the label {ring['label']} shows no focus ring: {ring}"


def read_the_results(site, page, viewport, evaluation, names):
    """The results: a chart per question with choices, each named and with its numbers beside it."""
    scale, day, prepared, takeaway = names
    responses = list(EvaluationResponse.objects.filter(page=evaluation).values_list("answers", flat=True))
    assert len(responses) == 18  # the demo's 17 and the one just given
    page.goto(admin_url(site, "participants_modeladmin_evaluation", evaluation.pk))
    # 18 answers, one of them through the one invitation sent.
    expect(page.locator(".lms-results__facts dd")).to_have_text(["18", "1", "100 %"])

    charts = page.locator("svg.lms-chart[role=img]")
    expect(charts).to_have_count(3)
    expected = [(questions_label(evaluation, name), name) for name in (scale, day, prepared)]
    for index, (label, name) in enumerate(expected):
        chart = charts.nth(index)
        expect(chart).to_have_accessible_name(re.compile(rf"^{re.escape(label)}\s"))
        table = chart.locator("xpath=following-sibling::table[1]")
        expect(table).to_have_count(1)
        expect(table.locator("caption")).to_have_text(label)
        rows = table.locator("tbody tr")
        counts = {
            row.locator("th").inner_text().strip(): int(row.locator("td").inner_text()) for row in rows.all()
        }
        given = [answers[name] for answers in responses if name in answers]
        if name == day:
            assert counts == {f"Dag {n}": given.count(f"Dag {n}") for n in (1, 2, 3)}, counts
        else:
            assert counts == {str(point): [int(v) for v in given].count(point) for point in range(11)}, counts
        chart_box, table_box = chart.bounding_box(), table.bounding_box()
        if viewport["width"] >= 1000:
            # Side by side: the table to the right of its chart, level with it.
            assert table_box["x"] >= chart_box["x"] + chart_box["width"] - 1, (label, chart_box, table_box)
            assert abs(table_box["y"] - chart_box["y"]) < 40, (label, chart_box, table_box)
        else:
            # Stacked on a phone, each within the screen's width.
            for box in (chart_box, table_box):
                assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (label, box)
    expect(page.locator(".lms-results__texts")).to_contain_text(TAKEAWAY)
    assert_no_axe_violations(page, "the evaluation's results")


def questions_label(evaluation, name):
    return next(question.label for question in evaluation.get_form_fields() if question.clean_name == name)


# The day ---------------------------------------------------------------------------------------------


def test_a_course_leader_takes_attendance_and_reads_the_evaluation(
    demo_site, leaders, invitation, browser, page, viewport
):
    _leader, second_leader = leaders
    invitation, link = invitation
    username, password, _first, _last = LEADER
    log_in_to_admin(page, demo_site, username, password)

    session, people = take_attendance(demo_site, page, second_leader)
    print_the_list(demo_site, page, session, people)

    evaluation, names = answer_the_evaluation(browser, viewport, invitation, link)
    read_the_results(demo_site, page, viewport, evaluation, names)

    take_attendance_without_javascript(demo_site, browser, page, viewport, session, people)
