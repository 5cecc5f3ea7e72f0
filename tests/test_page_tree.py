"""Where an editor may create each page type: the admin offers only what these rules allow."""

import pytest
from wagtail.models import Page

from lms_forms.models import EvaluationFormPage, RegistrationFormPage
from lms_pages.models import (
    AccessibilityStatementPage,
    BrochurePage,
    CataloguePage,
    ConfidentialityNoticePage,
    CourseProgrammePage,
    InformationPage,
    OfferingPage,
    RegionalCataloguePage,
)
from tests.factories import (
    BrochurePageFactory,
    ConfidentialityNoticePageFactory,
    CourseProgrammePageFactory,
    InformationPageFactory,
    OfferingPageFactory,
)

pytestmark = pytest.mark.django_db

OFFERING_CHILDREN = {
    CourseProgrammePage,
    BrochurePage,
    ConfidentialityNoticePage,
    InformationPage,
    RegistrationFormPage,
    EvaluationFormPage,
}


def test_a_catalogue_can_be_created_under_the_root_and_an_ordinary_page():
    root = Page.get_first_root_node()
    assert CataloguePage.can_exist_under(root)
    assert CataloguePage.can_create_at(root)
    # A host site's own home page (Wagtail's welcome page) takes a catalogue too.
    assert CataloguePage.can_create_at(Page.objects.get(depth=2))
    assert CataloguePage.allowed_parent_page_models() == [Page]


def test_a_catalogue_holds_offerings_information_pages_and_notices(catalogue):
    assert set(CataloguePage.allowed_subpage_models()) == {
        OfferingPage,
        InformationPage,
        ConfidentialityNoticePage,
        AccessibilityStatementPage,
        RegionalCataloguePage,
    }
    assert OfferingPage.can_create_at(catalogue)
    assert InformationPage.can_create_at(catalogue)
    assert ConfidentialityNoticePage.can_create_at(catalogue)
    for model in (CataloguePage, CourseProgrammePage, BrochurePage):
        assert not model.can_create_at(catalogue), model


def test_an_offering_lives_only_in_a_catalogue(catalogue):
    assert OfferingPage.allowed_parent_page_models() == [CataloguePage]
    assert not OfferingPage.can_exist_under(Page.get_first_root_node())
    assert not OfferingPage.can_create_at(InformationPageFactory(parent=catalogue))
    assert not OfferingPage.can_create_at(OfferingPageFactory(parent=catalogue))


def test_an_offering_holds_its_programme_brochure_notice_and_information_pages(catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    assert set(OfferingPage.allowed_subpage_models()) == OFFERING_CHILDREN
    for model in OFFERING_CHILDREN:
        assert model.can_create_at(offering), model
    assert not CataloguePage.can_create_at(offering)


@pytest.mark.parametrize("model", [CourseProgrammePage, BrochurePage])
def test_programme_and_brochure_belong_to_an_offering_only(catalogue, model):
    assert model.allowed_parent_page_models() == [OfferingPage]
    assert not model.can_create_at(catalogue)
    assert not model.can_create_at(InformationPageFactory(parent=catalogue))
    assert not model.can_exist_under(Page.get_first_root_node())


def test_a_notice_sits_under_an_offering_or_a_catalogue(catalogue):
    assert set(ConfidentialityNoticePage.allowed_parent_page_models()) == {OfferingPage, CataloguePage}
    assert not ConfidentialityNoticePage.can_create_at(InformationPageFactory(parent=catalogue))
    assert not ConfidentialityNoticePage.can_exist_under(Page.get_first_root_node())


@pytest.mark.parametrize(
    "factory", [CourseProgrammePageFactory, BrochurePageFactory, ConfidentialityNoticePageFactory]
)
def test_programme_brochure_and_notice_are_leaves(catalogue, factory):
    page = factory(parent=OfferingPageFactory(parent=catalogue))
    assert page.specific_class.allowed_subpage_models() == []
    for model in (CataloguePage, OfferingPage, InformationPage, CourseProgrammePage):
        assert not model.can_create_at(page), model


def test_information_pages_nest_but_hold_nothing_else(catalogue):
    information = InformationPageFactory(parent=catalogue)
    assert InformationPage.allowed_subpage_models() == [InformationPage]
    assert InformationPage.can_create_at(information)
    assert not OfferingPage.can_create_at(information)


def test_a_registration_form_belongs_to_an_offering_and_there_is_one_per_offering(catalogue):
    offering = OfferingPageFactory(parent=catalogue)
    assert RegistrationFormPage.allowed_parent_page_models() == [OfferingPage]
    assert not RegistrationFormPage.can_create_at(catalogue)
    assert RegistrationFormPage.can_create_at(offering)
    offering.add_child(instance=RegistrationFormPage(title="Påmelding", slug="pamelding"))
    assert not RegistrationFormPage.can_create_at(offering)
    assert RegistrationFormPage.allowed_subpage_models() == []
