"""Parallel page trees per language (Wagtail's internationalisation).

Bokmål is the original tree; nynorsk and English get aliases of every page (`mirror_page_trees`), which
editors turn into translations. A version in another language shows, and registers for, the places of
the original's groups, and the language switcher and hreflang links go to each language's version.
"""

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Locale, Page, Site
from wagtail.test.utils.form_data import querydict_from_html

from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration
from lms_forms.participants.imports import ImportForm
from lms_pages.models import OfferingPage, Status
from lms_pages.translations import mirror_page_trees
from tests.factories import OfferingPageFactory
from tests.test_registration import (
    _registration_settings,  # noqa: F401 -- the fixture, for this module's tests
    field_errors,
    form_data,
    make_offering,
    occupancy,
    soup_of,
    text_of,
)


def text(element):
    return " ".join(element.get_text(" ").split())


def switcher(soup):
    return {link["hreflang"]: link["href"] for link in soup.select("nav.language-switcher a")}


def alternates(soup):
    return {link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate]")}


def version(page, code):
    return page.get_translation(Locale.objects.get(language_code=code)).specific


@pytest.fixture
def setup(catalogue):
    """An offering with two groups of two places and a form, mirrored into nynorsk and English."""
    setup = make_offering(catalogue, places=2, groups=("Oslo", "Bergen"), health_field=False)
    mirror_page_trees(Site.objects.get(is_default_site=True))
    return setup


def translate(page, code, **fields):
    """Turn the alias in `code` into a translation with its own `fields`, as an editor does."""
    alias = version(page, code)
    alias.alias_of = None
    for name, value in fields.items():
        setattr(alias, name, value)
    alias.save_revision().publish()
    return OfferingPage.objects.get(pk=alias.pk) if isinstance(alias, OfferingPage) else alias


def test_every_page_gets_a_version_in_each_language_once(setup):
    originals = Page.objects.filter(locale__language_code="nb", depth__gt=1).count()
    for code in ("nn", "en", "se"):
        versions = Page.objects.filter(locale__language_code=code)
        assert versions.count() == originals
        assert all(page.alias_of_id for page in versions)
    assert mirror_page_trees(Site.objects.get(is_default_site=True)) == {"en": 0, "nn": 0, "se": 0}


def test_the_command_mirrors_pages_added_since(setup, catalogue, capsys):
    OfferingPage.objects.get(pk=setup.offering.pk)
    added = OfferingPageFactory(parent=catalogue, title="Nytt kurs", slug="nytt-kurs")
    call_command("mirror_page_trees")
    assert "3 aliaser laget." in capsys.readouterr().out
    assert added.has_translation(Locale.objects.get(language_code="nn"))


def full(path):
    return f"http://testserver{path}"


def test_an_untranslated_page_is_shown_in_its_own_language_with_a_notice(setup, client, get_soup):
    response = client.get("/en/hodepineskolen/")
    assert response["Content-Language"] == "nb"
    soup = soup_of(response)
    # A bokmål page, marked as one, interface included; the notice is in the language asked for.
    assert soup.html["lang"] == "nb"
    notice = soup.select_one("main .lms-language-notice")
    assert notice["lang"] == "en"
    assert text(notice) == "This page is only available in Norwegian Bokmål."
    assert soup.find("a", string="Meld deg på")["href"] == "/en/hodepineskolen/pamelding/"
    trail = [(text(link), link["href"]) for link in soup.select("nav.breadcrumbs a")]
    assert trail[0] == ("Kurs og tilbud", "/en/")
    # It leads back through the address asked for, and is not offered as an English page.
    assert switcher(soup) == {
        "nb": "/hodepineskolen/",
        "nn": "/nn/hodepineskolen/",
        "en": "/en/hodepineskolen/",
        "se": "/se/hodepineskolen/",
    }
    assert soup.select_one("nav.language-switcher a[aria-current]")["hreflang"] == "en"
    assert alternates(soup) == {"nb": full("/hodepineskolen/")}
    assert soup.select_one("link[rel=canonical]")["href"] == full("/hodepineskolen/")


def test_the_notice_leads_to_the_site_in_the_language_asked_for_where_it_has_one(setup, catalogue, get_soup):
    translate(catalogue, "nn", title="Kurs og tilbod")
    soup = get_soup("/nn/hodepineskolen/")
    notice = soup.select_one(".lms-language-notice")
    assert notice["lang"] == "nn"
    assert text(notice) == "Denne sida finst berre på norsk bokmål. Gå til sidene våre på nynorsk"
    assert notice.a["href"] == "/nn/"
    # Northern Sami has no reviewed interface: the notice is in bokmål, and marked so.
    sami = get_soup("/se/hodepineskolen/").select_one(".lms-language-notice")
    assert sami["lang"] == "nb"
    assert text(sami) == "Denne siden finnes bare på norsk bokmål."
    # A page in the language asked for has none.
    assert get_soup("/hodepineskolen/").select_one(".lms-language-notice") is None
    assert get_soup("/nn/").select_one(".lms-language-notice") is None


def test_the_switcher_goes_to_a_translation_under_its_own_address(setup, get_soup):
    translate(setup.offering, "nn", title="Hovudpineskulen", slug="hovudpineskulen")
    soup = get_soup("/hodepineskolen/")
    assert switcher(soup)["nn"] == "/nn/hovudpineskulen/"
    nynorsk = get_soup("/nn/hovudpineskulen/")
    assert text(nynorsk.find("h1")) == "Hovudpineskulen"
    assert nynorsk.html["lang"] == "nn"
    assert nynorsk.select_one(".lms-language-notice") is None
    assert switcher(nynorsk) == {
        "nb": "/hodepineskolen/",
        "nn": "/nn/hovudpineskulen/",
        "en": "/en/hodepineskolen/",
        "se": "/se/hodepineskolen/",
    }
    assert alternates(nynorsk) == {"nb": full("/hodepineskolen/"), "nn": full("/nn/hovudpineskulen/")}


def test_a_page_without_a_version_leads_to_that_languages_home_page(setup, catalogue, get_soup):
    OfferingPageFactory(parent=catalogue, title="Bare på bokmål", slug="bare-bokmal")
    soup = get_soup("/bare-bokmal/")
    assert switcher(soup) == {"nb": "/bare-bokmal/", "nn": "/nn/", "en": "/en/", "se": "/se/"}
    assert alternates(soup) == {"nb": full("/bare-bokmal/")}


def test_without_a_tree_a_language_shows_the_original_with_a_notice(catalogue, get_soup):
    setup = make_offering(catalogue, places=2, health_field=False)
    soup = get_soup("/nn" + setup.offering.url)
    assert soup.html["lang"] == "nb"
    assert soup.select_one(".lms-language-notice")["lang"] == "nn"
    assert switcher(soup) == {
        "nb": "/hodepineskolen/",
        "nn": "/nn/hodepineskolen/",
        "en": "/en/hodepineskolen/",
        "se": "/se/hodepineskolen/",
    }
    assert alternates(soup) == {"nb": full("/hodepineskolen/")}


def register_through(client, page, setup, **overrides):
    """POST the form of `page` (a version of setup.page), choosing the group from that page's form."""
    data = form_data(setup, **overrides)
    return client.post(page.url, data)


def test_a_translation_registers_for_the_originals_places(setup, client, get_soup):
    nynorsk_form = version(setup.page, "nn")
    form = get_soup(nynorsk_form.url)
    choices = {
        text(label) for label in form.select("input[name=group] + label, label:has(input[name=group])")
    }
    assert any("Oslo" in choice for choice in choices)
    values = {int(radio["value"]) for radio in form.select("input[name=group]")}
    assert values == {group.pk for group in setup.groups}

    response = register_through(client, nynorsk_form, setup)
    assert response.status_code == 302, field_errors(response)
    registration = Registration.objects.get()
    assert registration.offering_id == setup.offering.pk
    assert registration.group_id == setup.group.pk
    assert registration.page_id == nynorsk_form.pk
    assert registration.language == "nb"  # the language of the form's text: an alias shows bokmål
    assert occupancy(setup.group).places_taken == 1
    assert text_of(client.get(response["Location"])).count("Hodepineskolen") >= 1

    # The same person in another language is the same registration.
    english_form = version(setup.page, "en")
    again = register_through(client, english_form, setup, birth_date="1990-05-17")
    assert again.status_code == 409, field_errors(again)
    assert Registration.objects.count() == 1


def test_the_places_left_are_the_same_in_every_language(setup, client, get_soup):
    register_through(client, setup.page, setup, email="a@example.org")
    for prefix in ("", "/nn", "/en"):
        soup = get_soup(f"{prefix}/hodepineskolen/")
        oslo = soup.select(".lms-group")[0]
        assert "1" in text(oslo.select_one(".lms-group__meta")), prefix


def test_a_full_original_puts_translations_on_the_waiting_list(setup, client, get_soup):
    for number, group in enumerate(setup.groups):
        for seat in range(2):
            response = register_through(
                client, setup.page, setup, email=f"p{number}{seat}@example.org", group=str(group.pk)
            )
            assert response.status_code == 302
    translate(setup.offering, "nn", title="Hovudpineskulen", slug="hovudpineskulen")
    assert "ventelista" in text(get_soup("/nn/hovudpineskulen/").select_one(".lms-registration"))
    # The nynorsk tree's catalogue is still an alias, a bokmål page: its card of the translation says
    # so in bokmål, around the nynorsk title, which is marked as nynorsk.
    card = get_soup("/nn/").select_one(".lms-card")
    assert "ventelisten er åpen" in text(card)
    assert card.select_one(".lms-card__title")["lang"] == "nn"
    response = register_through(client, version(setup.page, "nn"), setup, email="late@example.org")
    assert response.status_code == 302
    late = Registration.objects.get(email="late@example.org")
    assert late.status == RegistrationStatus.WAITING
    assert late.offering_id == setup.offering.pk
    assert occupancy(setup.group).waiting == 1


def test_a_translated_offering_names_the_groups_in_its_language(setup, get_soup):
    nynorsk = translate(setup.offering, "nn", title="Hovudpineskulen", slug="hovudpineskulen")
    oslo = nynorsk.groups.get(name="Oslo")
    oslo.name = "Oslo sentrum"
    oslo.save()
    form = get_soup(version(setup.page, "nn").url)
    labels = text(form.select_one("fieldset"))
    assert "Oslo sentrum" in labels


@pytest.mark.parametrize("path, expected", [("/hodepineskolen/", 15), ("/nn/hodepineskolen/", 24)])
def test_query_counts_with_three_page_trees(setup, client, django_assert_num_queries, path, expected):
    """Pinned. On a site of one language the offering page costs 14 (tests/test_query_counts.py); with
    three trees the bokmål page reads its versions for the switcher (15). The nynorsk alias also finds
    the nynorsk home page, checks an alias's view restrictions in Wagtail's own way, reads the
    original's groups with their places, looks the confidentiality notice up in nynorsk and, for the notice
    that the page is only in bokmål, whether the site's home page is translated into nynorsk (24)."""
    client.get(path)
    with django_assert_num_queries(expected):
        response = client.get(path)
    assert response.status_code == 200
    assert soup_of(response).select(".lms-group")


def test_a_translation_keeps_the_originals_registration_settings(setup, get_soup):
    nynorsk = translate(setup.offering, "nn", title="Hovudpineskulen", slug="hovudpineskulen")
    original = OfferingPage.objects.get(pk=setup.offering.pk)
    original.status = Status.CLOSED
    original.save_revision().publish()
    assert OfferingPage.objects.get(pk=nynorsk.pk).status == Status.CLOSED
    filtered = get_soup("/nn/?open=on")
    assert "Hovudpineskulen" not in text(filtered.select_one("main"))

    # Publishing the translation with the old settings takes the original's back.
    stale = OfferingPage.objects.get(pk=nynorsk.pk)
    stale.status = Status.OPEN
    stale.save_revision().publish()
    assert OfferingPage.objects.get(pk=nynorsk.pk).status == Status.CLOSED


def test_the_admin_shows_a_translations_places_as_counted_on_the_original(setup, client, admin_user):
    register_through(client, setup.page, setup)
    nynorsk = translate(setup.offering, "nn", title="Hovudpineskulen", slug="hovudpineskulen")
    client.force_login(admin_user)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[nynorsk.pk]))
    assert response.status_code == 200
    page = text_of(response)
    assert "Plassene telles på originalsiden, Hodepineskolen." in page
    assert "Opptatte plasser: 1 av 2 (ledige: 1)." in page


def test_a_page_an_editor_adds_gets_its_versions_at_once(setup, catalogue, client, admin_user):
    client.force_login(admin_user)
    url = reverse("wagtailadmin_pages:add", args=["lms_pages", "informationpage", catalogue.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.setdefault("body-count", "0")
    data.update({"title": "Om oss", "slug": "om-oss", "action-publish": "action-publish"})
    response = client.post(url, data)
    assert response.status_code == 302
    added = Page.objects.get(slug="om-oss", locale__language_code="nb")
    for code in ("nn", "en"):
        assert version(added, code).alias_of_id == added.pk


def test_a_translated_question_keeps_the_originals_name_for_its_answer(catalogue, client):
    setup = make_offering(catalogue, places=2)  # with a question that asks about health
    mirror_page_trees(Site.objects.get(is_default_site=True))
    nynorsk_form = version(setup.page, "nn")
    nynorsk_form.alias_of = None
    nynorsk_form.save_revision().publish()
    question = nynorsk_form.form_fields.get()
    question.label = "Diagnose eller plager"
    question.save()

    response = register_through(client, nynorsk_form, setup, diagnose="migrene")
    assert response.status_code == 302, field_errors(response)
    registration = Registration.objects.get()
    assert registration.answer("diagnose") == "migrene"
    assert registration.field_labels == {"diagnose": "Diagnose eller plager"}
    assert registration.sensitive_answers == {"diagnose": "migrene"}  # still encrypted at rest


def test_participant_lists_are_the_originals(setup, client, admin_user, tmp_path):
    nynorsk = version(setup.offering, "nn")
    register_through(client, version(setup.page, "nn"), setup)
    request = RequestFactory().get("/admin/participants/import/")
    request.user = admin_user
    form = ImportForm(request=request)
    assert list(form.fields["offering"].queryset) == [OfferingPage.objects.get(pk=setup.offering.pk)]

    # The slug is shared by the original and its aliases; the command finds the original, and a
    # version's page id stands for it too.
    for offering in ("hodepineskolen", str(nynorsk.pk)):
        output = tmp_path / f"{offering}.json"
        call_command(
            "export_participants", "--offering", offering, "--format", "json", "--output", str(output)
        )
        assert '"kari@example.org"' in output.read_text()


def test_a_sami_page_marks_its_text_as_sami_inside_a_bokmal_interface(setup, catalogue, client):
    from tests.factories import InformationPageFactory, translation_in

    original = InformationPageFactory(
        parent=catalogue, title="Hva er lærings- og mestringstilbud?", slug="hva"
    )
    sami = translation_in(
        original,
        "se",
        # Lines of the helsenorge page's Sami version (seed 003): no Sami is written here.
        title="Maŋimusat ođastuvvon 2023 guovvamánnu 15",
        introduction="Sisdoalu lea almmuhan Nasjonal kompetansetjeneste for læring og mestring innen helse.",
    )
    response = client.get(sami.url)
    assert response["Content-Language"] == "se"
    soup = soup_of(response)
    # No reviewed Sami interface exists: the frame is bokmål and says so; the page's own text is Sami.
    assert soup.html["lang"] == "nb"
    assert soup.find("h1")["lang"] == "se"
    assert soup.select_one(".lms-lead")["lang"] == "se"
    assert soup.select_one(".lms-language-notice") is None
    assert soup.find("a", string="Gå til hovedinnholdet")
    assert alternates(soup) == {"nb": full(original.url), "se": full(sami.url)}


def test_the_extensions_own_frame_says_the_language_too(setup, get_soup, settings):
    del settings.LMS_BASE_TEMPLATE  # a host without a frame of its own: lms_pages/base.html
    soup = get_soup("/en/hodepineskolen/")
    assert soup.html["lang"] == "nb"
    assert soup.select_one("main .lms-language-notice")["lang"] == "en"
    assert soup.select_one("link[rel=canonical]")["href"] == full("/hodepineskolen/")
    assert alternates(soup) == {"nb": full("/hodepineskolen/")}
