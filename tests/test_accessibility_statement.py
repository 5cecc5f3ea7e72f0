"""The accessibility statement Norwegian websites must have: its page, its place in the footer, the demo's."""

import datetime

import pytest
from wagtail.models import Site

from lms_pages.models import AccessibilityIssue, AccessibilityStatementPage, LmsSiteSettings


def text(node):
    return " ".join(node.get_text(" ").split())


@pytest.fixture
def statement(catalogue):
    page = AccessibilityStatementPage(
        title="Tilgjengelighetserklæring",
        slug="tilgjengelighet",
        introduction="Slik gjør vi nettstedet tilgjengelig.",
        conformance="partial",
        assessed_on=datetime.date(2026, 10, 1),
        assessment_method="external",
        official_statement_url="https://uustatus.no/nb/erklaringer/publisert/eksempel",
    )
    page.known_issues = [
        AccessibilityIssue(
            description="PDF-ene mangler merket struktur.",
            criterion="1.3.1 Informasjon og relasjoner",
            planned_fix=datetime.date(2027, 3, 1),
        )
    ]
    catalogue.add_child(instance=page)
    page.save_revision().publish()
    settings = LmsSiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.email = "uu@example.org"
    settings.accessibility_statement = page
    settings.save()
    return page


@pytest.mark.django_db
class TestStatementPage:
    def test_says_how_far_the_site_meets_the_requirements(self, statement, get_soup):
        page = text(get_soup(statement.url))
        assert "Nettstedet oppfyller kravene delvis" in page
        assert "WCAG" in page and "2.1" in page

    def test_lists_what_does_not_work_and_when_it_will(self, statement, get_soup):
        issues = get_soup(statement.url).select_one("#lms-a11y-issues").find_parent("section")
        assert "PDF-ene mangler merket struktur." in text(issues)
        assert "1.3.1 Informasjon og relasjoner" in text(issues)
        assert issues.select_one("time[datetime='2027-03-01']")

    def test_without_known_issues_it_says_so(self, statement, get_soup):
        statement.known_issues = []
        statement.conformance = "full"
        statement.save_revision().publish()
        page = text(get_soup(statement.url))
        assert "Nettstedet oppfyller kravene" in page
        assert "Vi kjenner ikke til noe" in page

    def test_feedback_goes_to_the_site_address_unless_it_has_its_own(self, statement, get_soup):
        soup = get_soup(statement.url)
        assert soup.select_one("a[href='mailto:uu@example.org']")
        statement.feedback_email = "tilgjengelighet@example.org"
        statement.save_revision().publish()
        assert get_soup(statement.url).select_one("a[href='mailto:tilgjengelighet@example.org']")

    def test_names_the_authority_and_links_the_official_statement(self, statement, get_soup):
        soup = get_soup(statement.url)
        assert soup.select_one("a[href='https://www.uutilsynet.no/']")
        assert soup.select_one("a[href='https://uustatus.no/nb/erklaringer/publisert/eksempel']")
        assert "ekstern" in text(soup).lower()

    def test_the_footer_links_it(self, statement, get_soup):
        footer = get_soup("/").select_one(".site-footer")
        assert footer.select_one("a[href='/tilgjengelighet/']")

    def test_one_per_parent(self, statement, catalogue):
        assert not AccessibilityStatementPage.can_create_at(catalogue)


@pytest.mark.django_db
def test_the_demo_statement_replaces_an_earlier_information_page(db):
    """An earlier demo had the statement as an information page at the same address; loading again
    replaces it instead of refusing."""
    from django.core.management import call_command

    from fixtures.content.information import ACCESSIBILITY_SLUG
    from lms_pages.models import InformationPage

    call_command("load_demo", no_admin=True, verbosity=0)
    # The hospital's statement (the Nordhordland site has one of its own).
    hospital = Site.objects.get(is_default_site=True).root_page
    bokmal = {"slug": ACCESSIBILITY_SLUG, "locale__language_code": "nb", "path__startswith": hospital.path}
    statement = AccessibilityStatementPage.objects.get(**bokmal)
    parent = statement.get_parent()
    statement.delete()
    parent.refresh_from_db()
    parent.add_child(instance=InformationPage(title="Tilgjengelighetserklæring", slug=ACCESSIBILITY_SLUG))

    call_command("load_demo", no_admin=True, verbosity=0)
    statement = AccessibilityStatementPage.objects.get(**bokmal)
    assert not InformationPage.objects.filter(**bokmal).exists()
    assert statement.known_issues.count() == 1
    settings = LmsSiteSettings.for_site(Site.objects.get(is_default_site=True))
    assert settings.accessibility_statement_id == statement.pk
