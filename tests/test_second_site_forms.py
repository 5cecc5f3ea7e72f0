"""A registration form on a second site keeps the visitor on that site: the confirmation, the
cancellation link and the opening notice's form are addresses on the host the visitor came by, not
absolute addresses built from the site's root URL (http, its port)."""

import pytest
from wagtail.models import Page, Site

from lms_forms.models import Registration
from tests.factories import CataloguePageFactory
from tests.test_registration import form_data, make_offering

HOST = "kommune.example.org"


@pytest.fixture
def second_site(catalogue, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.LMS_FORMS_MIN_FILL_SECONDS = 0
    root = CataloguePageFactory(parent=Page.get_first_root_node(), title="Kommunens tilbud", slug="kommune")
    Site.objects.create(hostname=HOST, port=80, root_page=root, site_name="Kommunen")
    return make_offering(root, title="Frisklivskurs")


@pytest.mark.django_db
def test_the_confirmation_and_the_cancellation_stay_on_the_visitors_site(client, second_site):
    form_path = "/frisklivskurs/pamelding/"
    response = client.post(form_path, form_data(second_site), HTTP_HOST=HOST, secure=True)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(form_path + "bekreftelse/"), location
    assert Registration.objects.filter(offering=second_site.offering).count() == 1
    confirmation = client.get(location, HTTP_HOST=HOST, secure=True)
    assert confirmation.status_code == 200
    assert f'href="{form_path}avmelding/' in confirmation.content.decode()
