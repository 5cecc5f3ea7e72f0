"""Course certificates of attendance: who has one, what it says, the participant's signed link, the
course administrator's downloads (one, or an offering's in one PDF), their audit and permissions."""

import datetime
import io
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import PageLogEntry

from lms_forms import audit
from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration
from lms_forms.services import certificates
from lms_forms.services.attendance import mark
from lms_forms.tokens import CANCEL_SALT, CERTIFICATE_SALT, make_token, reference_from_token
from tests.factories import OrganisationFactory, add_session, oslo, translation_in
from tests.test_registration import make_offering
from tests.test_reminders import person

FIRST, SECOND, THIRD = oslo(2030, 1, 15, 18), oslo(2030, 2, 12, 18), oslo(2030, 3, 12, 18)


def grant(page, **fields):
    page.certificate = True
    page.certificate_hours = Decimal("18")
    page.certificate_text = "Kurset dekket hodepine hos barn og unge."
    page.certificate_signed_by = "Ola Lege, avdelingsoverlege"
    for name, value in fields.items():
        setattr(page, name, value)
    page.save()


@pytest.fixture
def course(catalogue):
    setup = make_offering(catalogue, organiser=OrganisationFactory(name="Oslo universitetssykehus"))
    grant(setup.page, sessions_to_attend=2)
    add_session(setup.group, SECOND)
    add_session(setup.group, THIRD)
    setup.sessions = sorted(setup.group.sessions.all(), key=lambda session: session.start)
    setup.kari = person(setup, "Kari Nordmann", "kari@example.org")
    setup.per = person(setup, "Per Hansen", "per@example.org")
    setup.siri = person(setup, "Siri Berg", "siri@example.org")
    return setup


def attend(registration, sessions, user):
    """Mark `registration` present at `sessions` and absent at the others of the group (after the last)."""
    for session in sorted(registration.group.sessions.all(), key=lambda session: session.start):
        mark(registration, session, session in sessions, user=user, now=THIRD)
    registration.refresh_from_db()
    return registration


@pytest.fixture
def attended(course, course_admin):
    """Kari came to all three sessions, Siri to two (the rule asks two), Per to one."""
    attend(course.kari, course.sessions, course_admin)
    attend(course.siri, course.sessions[1:], course_admin)
    attend(course.per, course.sessions[:1], course_admin)
    assert [course.kari.status, course.siri.status, course.per.status] == [
        RegistrationStatus.ATTENDED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.NO_SHOW,
    ]
    return course


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def link_path(registration):
    return urlsplit(certificates.certificate_link(registration)).path


# Who has one


def test_those_who_met_the_rule_have_one_and_the_others_not(attended):
    assert list(certificates.holders(attended.offering.pk)) == [attended.kari, attended.siri]
    assert certificates.has_certificate(attended.kari)
    assert not certificates.has_certificate(attended.per)  # did not show up often enough
    assert certificates.certificate_of(attended.per) is None


def test_nobody_has_one_when_the_form_grants_none(attended):
    attended.page.certificate = False
    attended.page.save()
    assert not certificates.holders(attended.offering.pk).exists()
    assert not certificates.grants_certificates(attended.offering.pk)
    assert certificates.certificate_of(attended.kari) is None


def test_nobody_has_one_once_the_personal_data_are_deleted(attended):
    Registration.objects.filter(pk=attended.kari.pk).update(name="", anonymised_at=timezone.now())
    assert list(certificates.holders(attended.offering.pk)) == [attended.siri]


def test_a_place_not_yet_attended_has_none(course):
    assert course.kari.status == RegistrationStatus.PLACE
    assert certificates.certificate_of(course.kari) is None
    assert certificates.grants_certificates(course.offering.pk)


# What it says


def test_the_certificate_names_the_participant_offering_dates_hours_organiser_and_signer(attended):
    certificate = certificates.certificate_of(attended.siri, today=datetime.date(2030, 3, 20))
    reader, (text,) = pdf_text(certificates.render([certificate]))
    assert "Kursbevis" in text
    assert "Siri Berg" in text and "Kari Nordmann" not in text
    assert "Hodepineskolen" in text and "Oslo" in text
    assert "15. januar 2030 – 12. mars 2030" in text  # the group's first and last session
    assert "2 av 3 samlinger: 12. februar 2030, 12. mars 2030" in text  # those she came to
    assert "18 timer" in text
    assert "Oslo universitetssykehus" in text
    assert "Ola Lege, avdelingsoverlege" in text
    assert "Kurset dekket hodepine hos barn og unge." in text
    assert "Utstedt 20. mars 2030" in text
    assert reader.metadata.title == "Kursbevis: Hodepineskolen"


def test_hours_with_tenths_and_without_hours_the_dates_only(attended):
    attended.page.certificate_hours = Decimal("7.5")
    attended.page.save()
    _reader, (text,) = pdf_text(certificates.render([certificates.certificate_of(attended.kari)]))
    assert "7,5 timer" in text

    attended.page.certificate_hours = None
    attended.page.save()
    _reader, (text,) = pdf_text(certificates.render([certificates.certificate_of(attended.kari)]))
    assert "timer" not in text and "Omfang" not in text
    assert "15. januar 2030 – 12. mars 2030" in text


def test_a_status_set_by_hand_without_marks_gives_the_groups_dates(course):
    Registration.objects.filter(pk=course.kari.pk).update(status=RegistrationStatus.ATTENDED)
    _reader, (text,) = pdf_text(certificates.render([certificates.certificate_of(course.kari)]))
    assert "15. januar 2030 – 12. mars 2030" in text
    assert "Samlinger deltatt på" not in text


def test_the_pdf_is_tagged_with_its_language_and_title(attended):
    reader, _pages = pdf_text(certificates.render([certificates.certificate_of(attended.kari)]))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nb"


def test_an_english_registrant_gets_an_english_certificate_in_the_translations_words(
    course, course_admin, client
):
    english = translation_in(course.offering, "en", title="The headache school")
    english_form = translation_in(course.page, "en")
    english.groups.update(name="Oslo, evenings")
    emma = attend(
        person(course, "Emma Smith", "emma@example.org", language="en", page=english_form),
        course.sessions,
        course_admin,
    )

    response = client.get(link_path(emma))

    assert response.status_code == 200
    reader, (text,) = pdf_text(response.content)
    assert "Certificate of attendance" in text and "Kursbevis" not in text
    assert "Emma Smith" in text and "The headache school" in text and "Oslo, evenings" in text
    assert "15 January 2030 – 12 March 2030" in text
    assert "18 hours" in text
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_a_bulk_pdf_gives_each_certificate_in_its_holders_language(attended, course_admin):
    english_form = translation_in(attended.page, "en")
    emma = attend(
        person(attended, "Emma Smith", "emma@example.org", language="en", page=english_form),
        attended.sessions,
        course_admin,
    )
    shown = certificates.certificates(certificates.holders(attended.offering.pk))
    assert [certificate.registration for certificate in shown] == [emma, attended.kari, attended.siri]
    reader, pages = pdf_text(certificates.render(shown))
    assert "Certificate of attendance" in pages[0] and "Emma Smith" in pages[0]
    assert "Kursbevis" in pages[1] and "Kari Nordmann" in pages[1]
    assert reader.trailer["/Root"]["/Lang"] == "nb"  # the language most of them share


# The participant's signed link


def test_the_signed_link_gives_the_participant_their_certificate_and_no_cache_keeps_it(attended, client):
    link = certificates.certificate_link(attended.kari)
    assert link.startswith("http") and attended.page.url in link
    response = client.get(urlsplit(link).path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    _reader, (text,) = pdf_text(response.content)
    assert "Kari Nordmann" in text


def test_a_link_is_good_only_for_its_own_registration_salt_and_form(attended, client, catalogue):
    page_url = attended.page.url + "kursbevis/{}/"
    other = make_offering(catalogue, title="Annet kurs")
    grant(other.page)
    stranger = person(other, "Ola Fremmed", "ola@example.org", status=RegistrationStatus.ATTENDED)
    for token in (
        make_token(attended.kari, CANCEL_SALT),  # a cancellation link opens no certificate
        make_token(stranger, CERTIFICATE_SALT),  # a registration of another form
        make_token(attended.per, CERTIFICATE_SALT),  # did not meet the rule
        "not-a-token",
    ):
        response = client.get(page_url.format(token))
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "Denne lenken virker ikke" in response.content.decode()
    # The stranger's own link works, on their own form.
    assert (
        client.get(other.page.url + f"kursbevis/{make_token(stranger, CERTIFICATE_SALT)}/").status_code == 200
    )


def test_the_link_gives_nothing_once_the_form_grants_no_certificates(attended, client):
    path = link_path(attended.kari)
    attended.page.certificate = False
    attended.page.save()
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# The course administrator's downloads


@pytest.fixture
def admin_client(client, course_admin):
    client.force_login(course_admin)
    return client


def test_the_bulk_pdf_has_a_page_for_each_who_met_the_rule_and_is_audited_without_names(
    attended, admin_client, course_admin
):
    response = admin_client.get(reverse("participants_modeladmin_certificates", args=[attended.offering.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kursbevis-hodepineskolen.pdf"'
    assert "no-store" in response["Cache-Control"]
    reader, pages = pdf_text(response.content)
    assert len(pages) == 2
    assert "Kari Nordmann" in pages[0] and "Siri Berg" in pages[1]
    assert not any("Per Hansen" in page for page in pages)
    assert reader.metadata.title == "Kursbevis: Hodepineskolen"

    entry = PageLogEntry.objects.get(action=audit.CERTIFICATES_DOWNLOADED)
    assert entry.user == course_admin and entry.page_id == attended.offering.pk
    assert entry.data == {"rows": 2}
    assert str(entry.message) == "Lastet ned 2 kursbevis"
    logged = json.dumps(entry.data) + str(entry.message)
    assert "Kari" not in logged and "Siri" not in logged


def test_the_bulk_pdfs_queries_do_not_grow_with_the_participants(course, course_admin):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            certificates.render(certificates.certificates(certificates.holders(course.offering.pk)))
        return len(captured)

    attend(course.kari, course.sessions, course_admin)
    few = queries()
    for n in range(5):
        attend(person(course, f"Deltaker {n}", f"d{n}@example.org"), course.sessions, course_admin)
    assert queries() == few


def test_the_bulk_download_without_anyone_who_met_the_rule_says_so(course, admin_client):
    response = admin_client.get(
        reverse("participants_modeladmin_certificates", args=[course.offering.pk]), follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"?offering__page_ptr__exact={course.offering.pk}")
    assert "Ingen i dette tilbudet har fått kursbevis ennå." in response.content.decode()
    assert not PageLogEntry.objects.filter(action=audit.CERTIFICATES_DOWNLOADED).exists()


def test_one_participants_certificate_in_the_admin(attended, admin_client):
    url = reverse("participants_modeladmin_certificate", args=[attended.siri.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    _reader, pages = pdf_text(response.content)
    assert len(pages) == 1 and "Siri Berg" in pages[0]
    assert PageLogEntry.objects.get(action=audit.CERTIFICATES_DOWNLOADED).data == {"rows": 1}

    response = admin_client.get(reverse("participants_modeladmin_certificate", args=[attended.per.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("participants_modeladmin_inspect", args=[attended.per.pk])


def test_the_participants_page_offers_the_pdf_and_the_link_to_copy_when_they_have_one(attended, admin_client):
    soup = BeautifulSoup(
        admin_client.get(reverse("participants_modeladmin_inspect", args=[attended.kari.pk])).content,
        "html.parser",
    )
    pdf = soup.find("a", string="Kursbevis (PDF)")
    assert pdf["href"] == reverse("participants_modeladmin_certificate", args=[attended.kari.pk])
    field = soup.find("input", id="lms-certificate-link")
    # The link carries a signing time, so it is compared by what it leads to: Kari's own certificate.
    expected = certificates.certificate_link(attended.kari)
    assert field["value"].rsplit("/", 2)[0] == expected.rsplit("/", 2)[0]
    token = field["value"].rstrip("/").rsplit("/", 1)[1]
    assert reference_from_token(token, CERTIFICATE_SALT) == str(attended.kari.reference)
    assert field.has_attr("readonly")
    assert soup.find("label", attrs={"for": "lms-certificate-link"}).get_text(strip=True)

    soup = BeautifulSoup(
        admin_client.get(reverse("participants_modeladmin_inspect", args=[attended.per.pk])).content,
        "html.parser",
    )
    assert soup.find("a", string="Kursbevis (PDF)") is None
    assert soup.find("input", id="lms-certificate-link") is None


def test_the_list_of_one_offering_that_grants_them_has_the_bulk_button(attended, admin_client, catalogue):
    index = reverse("participants_modeladmin_index")
    bulk = reverse("participants_modeladmin_certificates", args=[attended.offering.pk])

    def buttons(query):
        soup = BeautifulSoup(admin_client.get(index + query).content, "html.parser")
        return [a["href"] for a in soup.find_all("a", string="Kursbevis (PDF)")]

    assert buttons(f"?offering__page_ptr__exact={attended.offering.pk}") == [bulk]
    other = make_offering(catalogue, title="Annet kurs")
    person(other, "Ola Fremmed", "ola@example.org")
    assert buttons("") == []  # two offerings listed
    assert buttons(f"?offering__page_ptr__exact={other.offering.pk}") == []  # grants none


def test_a_page_editor_gets_no_certificate(attended, client, page_editor):
    client.force_login(page_editor)
    for url in (
        reverse("participants_modeladmin_certificates", args=[attended.offering.pk]),
        reverse("participants_modeladmin_certificate", args=[attended.kari.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.get("Content-Type") != "application/pdf"
        assert b"Kari" not in response.content
    assert not PageLogEntry.objects.filter(action=audit.CERTIFICATES_DOWNLOADED).exists()
