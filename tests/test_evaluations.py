"""Evaluation: invitations once a group's session is over (each sent once, to those who took part), one
anonymous set of answers per invitation, and results that show no breakdown below the threshold."""

import csv
import io
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from lms_forms.choices import RegistrationStatus
from lms_forms.models import (
    EvaluationField,
    EvaluationFormPage,
    EvaluationInvitation,
    EvaluationResponse,
    Registration,
)
from lms_forms.models.evaluation import InviteAfter
from lms_forms.services.attendance import mark
from lms_forms.services.evaluations import results, send_evaluation_invitations
from tests.factories import add_session, oslo
from tests.test_registration import make_offering
from tests.test_reminders import person

AFTER = oslo(2030, 1, 16, 12)  # the day after make_offering's one session
LINK = re.compile(r"https?://\S+/evaluering/[\w-]+/")


def add_evaluation(offering, **fields):
    page = offering.add_child(
        instance=EvaluationFormPage(
            title="Evaluering", slug="evaluering", thank_you_text="<p>Takk!</p>", **fields
        )
    )
    EvaluationField.objects.create(
        page=page,
        label="Hvor nyttig var kurset alt i alt?",
        field_type="scale",
        low_label="Ikke nyttig",
        high_label="Svært nyttig",
        required=True,
        sort_order=0,
    )
    EvaluationField.objects.create(
        page=page,
        label="Hva likte du best?",
        field_type="radio",
        choices="Temaene\nGruppen\nKursleder",
        sort_order=1,
    )
    EvaluationField.objects.create(
        page=page, label="Noe vi kan gjøre bedre?", field_type="multiline", required=False, sort_order=2
    )
    return page


@pytest.fixture
def course(catalogue):
    setup = make_offering(catalogue)
    setup.evaluation = add_evaluation(setup.offering)
    setup.people = [person(setup, f"Deltaker {n}", f"d{n}@example.org") for n in range(7)]
    setup.waiting = person(setup, "Venter", "venter@example.org", status=RegistrationStatus.WAITING)
    return setup


def links():
    return [LINK.search(message.body).group(0) for message in mail.outbox]


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


def names():
    """The questions' field names, as Wagtail makes them from their labels."""
    return [field.clean_name for field in EvaluationField.objects.order_by("page_id", "sort_order")[:3]]


def answer(client, link, score, liked="Gruppen", better=""):
    scale, choice, text = names()
    return client.post(path_of(link), {scale: str(score), choice: liked, text: better})


# Invitations


def test_everyone_with_a_place_is_invited_once_after_the_last_session(course):
    assert send_evaluation_invitations(now=oslo(2030, 1, 15, 19)) == {"sent": 0, "failed": 0}  # not over yet
    assert send_evaluation_invitations(now=AFTER) == {"sent": 7, "failed": 0}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in course.people)
    message = mail.outbox[0]
    assert message.subject == "Hvordan var det? Hodepineskolen"
    assert "anonyme" in message.body
    assert send_evaluation_invitations(now=AFTER)["sent"] == 0
    assert EvaluationInvitation.objects.filter(sent_at__isnull=False).count() == 7


def test_when_attendance_was_taken_only_those_present_are_invited(course, course_admin):
    session = course.group.sessions.get()
    for number, registration in enumerate(course.people):
        mark(registration, session, number < 5, user=course_admin, now=session.start)
    assert send_evaluation_invitations(now=AFTER)["sent"] == 5


def test_after_each_session_invites_after_every_one_and_the_answers_keep_the_session(course, client):
    course.evaluation.invite_after = InviteAfter.EACH_SESSION
    course.evaluation.save()
    add_session(course.group, oslo(2030, 1, 16, 9), oslo(2030, 1, 16, 15))
    assert send_evaluation_invitations(now=AFTER)["sent"] == 7  # the first day only
    answer(client, links()[0], 8)
    assert send_evaluation_invitations(now=oslo(2030, 1, 16, 16))["sent"] == 7  # the second
    assert EvaluationResponse.objects.get().session == course.group.sessions.order_by("start").first()


def test_no_invitation_for_a_session_long_past(course):
    assert send_evaluation_invitations(now=oslo(2030, 2, 15))["sent"] == 0


# Answering


def test_the_link_opens_the_form_once_and_the_answer_is_anonymous(course, client):
    send_evaluation_invitations(now=AFTER)
    link = links()[0]

    page = client.get(path_of(link))
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    scale = soup.select_one("fieldset.lms-scale")
    assert scale.legend.get_text(strip=True) == "Hvor nyttig var kurset alt i alt?"
    assert len(scale.select("input[type=radio]")) == 11
    assert "0 betyr: Ikke nyttig. 10 betyr: Svært nyttig." in scale.get_text(" ", strip=True)

    response = answer(client, link, 9, better="Mer tid til gruppearbeid")
    assert response.status_code == 200 and "Takk for svarene dine" in response.content.decode()
    stored = EvaluationResponse.objects.get()
    assert stored.answers == dict(zip(names(), [9, "Gruppen", "Mer tid til gruppearbeid"], strict=True))
    assert stored.registration is None and stored.group == course.group
    assert not hasattr(stored, "invitation")

    again = answer(client, link, 2)
    assert "allerede besvart" in again.content.decode()
    assert client.get(path_of(link)).status_code == 200
    assert EvaluationResponse.objects.count() == 1


def test_a_form_that_is_not_anonymous_keeps_who_answered(course, client):
    course.evaluation.anonymous = False
    course.evaluation.save()
    send_evaluation_invitations(now=AFTER)
    answer(client, links()[0], 7)
    assert EvaluationResponse.objects.get().registration is not None


def test_bad_answers_are_refused_with_a_summary_and_store_nothing(course, client):
    send_evaluation_invitations(now=AFTER)
    link = links()[0]
    for score in ("11", "-1", "ni", ""):
        response = client.post(path_of(link), {"hvor_nyttig_var_kurset_alt_i_alt": score})
        assert response.status_code == 400
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.select_one(".lms-error-summary a[href='#id_hvor_nyttig_var_kurset_alt_i_alt']")
    assert not EvaluationResponse.objects.exists()
    assert not EvaluationInvitation.objects.filter(used=True).exists()


def test_a_wrong_or_foreign_link_does_not_open_the_form(course, client, catalogue):
    send_evaluation_invitations(now=AFTER)
    link = links()[0]
    assert client.get(path_of(link)[:-5] + "xxxx/").status_code == 404
    other = make_offering(catalogue, title="Annet kurs")
    other_page = add_evaluation(other.offering)
    token = path_of(link).rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"{other_page.url}{token}/").status_code == 404
    about = client.get(course.evaluation.url)
    assert "får en egen lenke" in about.content.decode()


# Results


def answer_all(course, client, scores):
    send_evaluation_invitations(now=AFTER)
    for link, score in zip(links(), scores, strict=False):
        answer(client, link, score, liked="Temaene" if score > 5 else "Gruppen", better=f"Svar {score}")


def test_below_the_threshold_there_is_no_breakdown(course, client):
    answer_all(course, client, [8, 9, 3, 10])
    shown = results(course.evaluation)
    assert (shown["answers"], shown["invited"], shown["shown"]) == (4, 7, False)
    assert all("distribution" not in question and "texts" not in question for question in shown["questions"])


def test_results_give_the_distribution_mean_median_rate_and_texts(course, client):
    answer_all(course, client, [8, 9, 3, 10, 8, 6])
    shown = results(course.evaluation)
    assert shown["answers"] == 6 and shown["shown"] is True
    assert shown["rate"] == pytest.approx(6 / 7)
    scale, liked, better = shown["questions"]
    assert dict(scale["distribution"]) == {**dict.fromkeys(range(11), 0), 3: 1, 6: 1, 8: 2, 9: 1, 10: 1}
    assert scale["mean"] == pytest.approx(44 / 6)
    assert scale["median"] == 8
    assert liked["distribution"] == [("Temaene", 5), ("Gruppen", 1), ("Kursleder", 0)]
    assert better["texts"] == sorted(f"Svar {score}" for score in [8, 9, 3, 10, 8, 6])


def test_the_results_page_draws_each_chart_with_its_numbers_beside_it(course, client, course_admin):
    answer_all(course, client, [8, 9, 3, 10, 8, 6])
    client.force_login(course_admin)
    response = client.get(reverse("participants_modeladmin_evaluation", args=[course.evaluation.pk]))
    soup = BeautifulSoup(response.content, "html.parser")
    charts = soup.select("svg.lms-chart[role=img]")
    assert len(charts) == 2
    assert len(charts[0].select("rect")) == 11
    heights = [float(rect["height"]) for rect in charts[0].select("rect")]
    assert heights[8] == max(heights) and heights[0] == 0
    table = soup.select("table.lms-results__table")[0]
    assert [row.get_text(" ", strip=True) for row in table.select("tbody tr")][8] == "8 2"
    text = soup.get_text(" ", strip=True)
    assert "Gjennomsnitt 7,3" in text and "Median 8,0" in text
    assert "Svarprosent 86 %" in text


def test_the_download_has_one_row_per_answer_and_neutralises_formulas(course, client, course_admin):
    answer_all(course, client, [8, 9, 3, 10, 8])
    send_evaluation_invitations(now=AFTER)
    answer(client, links()[5], 7, better='=HYPERLINK("http://x")')
    client.force_login(course_admin)
    url = reverse("participants_modeladmin_evaluation_export", args=[course.evaluation.pk, "csv"])
    response = client.get(url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Besvart",
        "Gruppe",
        "Hvor nyttig var kurset alt i alt?",
        "Hva likte du best?",
        "Noe vi kan gjøre bedre?",
    ]
    assert len(rows) == 7
    assert '\'=HYPERLINK("http://x")' in [row[4] for row in rows]


def test_under_the_threshold_nothing_can_be_downloaded(course, client, course_admin):
    answer_all(course, client, [8, 9])
    client.force_login(course_admin)
    url = reverse("participants_modeladmin_evaluation_export", args=[course.evaluation.pk, "xlsx"])
    assert client.get(url).status_code == 302


def test_only_course_administrators_see_results(course, client, page_editor):
    client.force_login(page_editor)
    for url in (
        reverse("participants_modeladmin_evaluations"),
        reverse("participants_modeladmin_evaluation", args=[course.evaluation.pk]),
        reverse("participants_modeladmin_evaluation_export", args=[course.evaluation.pk, "csv"]),
    ):
        assert client.get(url).status_code in (302, 403)


def test_the_invitation_carries_the_certificate_link_to_those_who_have_one(course, client):
    course.page.certificate = True
    course.page.save()
    attended = course.people[0]
    Registration.objects.filter(pk=attended.pk).update(status=RegistrationStatus.ATTENDED)
    send_evaluation_invitations(now=AFTER)
    by_person = {message.to[0]: message.body for message in mail.outbox}
    assert "Kursbeviset ditt finner du her:" in by_person[attended.email]
    link = re.search(r"https?://\S+/kursbevis/[\w-]+/", by_person[attended.email]).group(0)
    response = client.get(path_of(link))
    assert response["Content-Type"] == "application/pdf"
    assert "kursbevis" not in by_person[course.people[1].email]
