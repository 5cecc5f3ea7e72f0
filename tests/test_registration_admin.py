"""What editors see of registrations in the Wagtail admin, and how they build a registration form."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration, RegistrationFormPage
from lms_pages.models import GroupOccupancy
from tests.factories import OfferingPageFactory, add_group, oslo


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "secret")
    client.force_login(user)
    return client


@pytest.fixture
def offering_with_form(catalogue):
    offering = OfferingPageFactory(parent=catalogue, title="Hodepineskolen")
    group = add_group(offering, "Oslo", places=12, sessions=[oslo(2030, 1, 15, 18)])
    form_page = offering.add_child(
        instance=RegistrationFormPage(title="Meld interesse", slug="meld-interesse")
    )
    GroupOccupancy.objects.create(group=group, places_taken=1, waiting=0)
    Registration.objects.create(
        page=form_page,
        offering=offering,
        group=group,
        group_name=group.name,
        name="Kari Nordmann",
        email="kari@example.org",
        status=RegistrationStatus.PLACE,
        notice_version=2,
        form_data={},
    )
    return offering, group, form_page


def test_the_offering_edit_form_shows_places_taken_and_left_per_group(editor_client, offering_with_form):
    offering, _group, _form_page = offering_with_form
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[offering.pk]))
    assert response.status_code == 200
    assert "Opptatte plasser: 1 av 12 (ledige: 11)." in " ".join(response.content.decode().split())


def test_the_registrations_list_shows_the_typed_columns(editor_client, offering_with_form):
    _offering, _group, form_page = offering_with_form
    response = editor_client.get(reverse("wagtailforms:list_submissions", args=[form_page.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Kari Nordmann", "kari@example.org", "Oslo", "Har plass"):
        assert text in content


def test_an_editor_adds_a_registration_form_under_an_offering(editor_client, catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    url = reverse("wagtailadmin_pages:add", args=["lms_forms", "registrationformpage", offering.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["title"] = "Påmelding"
    data["slug"] = "pamelding"
    data["form_fields-TOTAL_FORMS"] = "1"
    data["form_fields-0-label"] = "Hva ønsker du å lære?"
    data["form_fields-0-field_type"] = "multiline"
    data["form_fields-0-required"] = ""
    data["form_fields-0-ORDER"] = "1"
    data["action-publish"] = "publish"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = RegistrationFormPage.objects.child_of(offering).get()
    assert page.live
    assert [field.label for field in page.form_fields.all()] == ["Hva ønsker du å lære?"]


def test_an_unknown_placeholder_in_the_confirmation_email_is_refused(editor_client, catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    url = reverse("wagtailadmin_pages:add", args=["lms_forms", "registrationformpage", offering.pk])
    data = querydict_from_html(editor_client.get(url).content.decode(), form_id="page-edit-form")
    data["title"] = "Påmelding"
    data["slug"] = "pamelding"
    data["confirmation_text"] = "Hei {navn}, velkommen til {offering}. {"
    data["action-publish"] = "publish"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert not RegistrationFormPage.objects.exists()


def test_the_form_page_shows_the_offerings_registration_settings_and_places(
    editor_client, offering_with_form
):
    offering, _group, form_page = offering_with_form
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[form_page.pk]))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")]
        for row in soup.select("table.listing tbody tr")
    ]
    assert ["Oslo", "12", "1", "11", "0"] in rows
    assert soup.select_one(f"a[href='{reverse('wagtailadmin_pages:edit', args=[offering.pk])}']")
