"""Several hospitals on one installation: a course administrator of one site never sees, exports,
imports, searches, changes or erases another site's participants, through any URL or command."""

import io
import re
import types

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from lms_forms.choices import RegistrationStatus
from lms_forms.models import OpeningNotice, ParticipantAccess, ParticipantScope, Registration
from lms_forms.participants.imports import IMPORT_SALT, import_folder
from lms_forms.wagtail_hooks import hide_registrations_without_permission
from tests.factories import CataloguePageFactory, add_session
from tests.test_certificates import grant
from tests.test_evaluations import add_evaluation
from tests.test_registration import make_offering
from tests.test_reminders import person

HOSPITAL_HOST = "localhost"
MUNICIPALITY_HOST = "kommune.example.org"


def site_of(catalogue, host, *, admins, name, email):
    """One site's offering (same title, so the same slug, on both sites), a person with a place, one
    waiting, a session tomorrow, an evaluation, certificates, an opening notice, and its administrators."""
    setup = make_offering(catalogue, title="Hodepineskolen")
    grant(setup.page, sessions_to_attend=1)
    setup.session = add_session(setup.group, timezone.now() + timezone.timedelta(days=1))
    setup.person = person(setup, name, email)
    setup.shared = person(setup, f"Kari på {host}", "kari@example.org", status=RegistrationStatus.WAITING)
    setup.evaluation = add_evaluation(setup.offering)
    setup.notice = OpeningNotice.objects.create(page=setup.page, email="kari@example.org")
    setup.site = Site.objects.get(root_page=catalogue)
    group = Group.objects.create(name=f"Course administrators, {host}")
    group.permissions.set(Group.objects.get(name="Course administrators").permissions.all())
    ParticipantAccess.for_site(setup.site).groups.add(group)
    setup.admin = admins.objects.create_user(f"admin-{host}", f"admin@{host}", "secret")
    setup.admin.groups.add(group)
    setup.host = host
    return setup


@pytest.fixture
def sites(catalogue, django_user_model):
    kommune = CataloguePageFactory(
        parent=Page.get_first_root_node(), title="Kommunens tilbud", slug="kommune"
    )
    Site.objects.create(hostname=MUNICIPALITY_HOST, port=80, root_page=kommune, site_name="Kommunen")
    Site.objects.filter(root_page=catalogue).update(hostname=HOSPITAL_HOST)
    hospital = site_of(
        catalogue, HOSPITAL_HOST, admins=django_user_model, name="Hanne Sykehus", email="hanne@example.org"
    )
    municipality = site_of(
        kommune, MUNICIPALITY_HOST, admins=django_user_model, name="Mari Kommune", email="mari@example.org"
    )
    return types.SimpleNamespace(hospital=hospital, municipality=municipality)


def pairs(sites):
    """(the administrator's site, the other site), both ways round."""
    return [(sites.hospital, sites.municipality), (sites.municipality, sites.hospital)]


def reaching_urls(other):
    """Every participant URL that names one of the other site's participants, offerings, sessions or
    evaluations: (method, url, data)."""
    person, pk = other.person, other.person.pk
    return [
        ("get", reverse("participants_modeladmin_inspect", args=[pk]), None),
        ("get", reverse("participants_modeladmin_edit", args=[pk]), None),
        ("post", reverse("participants_modeladmin_edit", args=[pk]), {"status": "cancelled", "name": "X"}),
        ("get", reverse("participants_modeladmin_delete", args=[pk]), None),
        ("post", reverse("participants_modeladmin_delete", args=[pk]), {}),
        ("post", reverse("participants_modeladmin_move", args=[pk]), {"group": other.groups[0].pk}),
        ("post", reverse("participants_modeladmin_resend", args=[pk]), {}),
        ("get", reverse("participants_modeladmin_certificate", args=[pk]), None),
        ("get", reverse("participants_modeladmin_certificates", args=[person.offering_id]), None),
        ("get", reverse("participants_modeladmin_attendance_session", args=[other.session.pk]), None),
        (
            "post",
            reverse("participants_modeladmin_attendance_session", args=[other.session.pk]),
            {
                "registration": pk,
                "present": "1",
            },
        ),
        ("get", reverse("participants_modeladmin_attendance_pdf", args=[other.session.pk]), None),
        ("get", reverse("participants_modeladmin_evaluation", args=[other.evaluation.pk]), None),
        (
            "get",
            reverse("participants_modeladmin_evaluation_export", args=[other.evaluation.pk, "csv"]),
            None,
        ),
    ]


def listing_urls(other):
    """The participant URLs that list, export or offer choices: the other site's must not be in them."""
    index = reverse("participants_modeladmin_index")
    return [
        index,
        index + "?export=csv",
        index + "?export=json",
        index + f"?offering__page_ptr__exact={other.offering.pk}",
        index + "?q=kari",
        reverse("participants_modeladmin_add"),
        reverse("participants_modeladmin_import"),
        reverse("participants_modeladmin_attendance"),
        reverse("participants_modeladmin_attendance") + f"?offering={other.offering.pk}",
        reverse("participants_modeladmin_evaluations"),
    ]


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def unchanged(other):
    """The other site's participants, notice and evaluation are as they were."""
    person = Registration.objects.get(pk=other.person.pk)
    assert (person.name, person.status, person.group_id) == (
        other.person.name,
        RegistrationStatus.PLACE,
        other.group.pk,
    )
    assert Registration.objects.get(pk=other.shared.pk).status == RegistrationStatus.WAITING
    assert Registration.objects.get(pk=other.shared.pk).anonymised_at is None
    assert OpeningNotice.objects.filter(pk=other.notice.pk).exists()
    assert not other.person.attendance.exists()


@pytest.mark.django_db
def test_no_url_reaches_the_other_sites_participants(client, sites):
    for own, other in pairs(sites):
        client.force_login(own.admin)
        for method, url, data in reaching_urls(other):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (own.host, method, url, response.status_code)
        unchanged(other)


@pytest.mark.django_db
def test_lists_exports_and_choices_show_only_the_own_site(client, sites):
    for own, other in pairs(sites):
        client.force_login(own.admin)
        for url in listing_urls(other):
            response = client.get(url)
            assert response.status_code == 200, (own.host, url)
            body = body_of(response)
            assert other.person.name not in body, (own.host, url)
            assert other.shared.name not in body, (own.host, url)
            for choice in (other.offering.pk, other.group.pk):
                assert not re.search(rf'<option value="{choice}"[ >]', body), (own.host, url, choice)
            assert not re.search(rf"[?&;]group={other.group.pk}\b", body), (own.host, url)
        index = body_of(client.get(reverse("participants_modeladmin_index") + "?export=csv"))
        assert own.person.name in index and own.shared.name in index
        attendance = client.get(reverse("participants_modeladmin_attendance")).content.decode()
        assert reverse("participants_modeladmin_attendance_session", args=[own.session.pk]) in attendance
        assert (
            reverse("participants_modeladmin_attendance_session", args=[other.session.pk]) not in attendance
        )


@pytest.mark.django_db
def test_bulk_actions_leave_the_other_sites_participants_alone(client, sites):
    own, other = sites.hospital, sites.municipality
    client.force_login(own.admin)
    client.post(
        reverse("participants_modeladmin_bulk"),
        {"action": "cancelled", "selected": [own.shared.pk, other.shared.pk, other.person.pk]},
    )
    assert Registration.objects.get(pk=own.shared.pk).status == RegistrationStatus.CANCELLED
    unchanged(other)


@pytest.mark.django_db
def test_adding_and_importing_refuse_the_other_sites_offering(client, sites, tmp_path, settings):
    own, other = sites.hospital, sites.municipality
    client.force_login(own.admin)
    before = Registration.objects.count()
    response = client.post(
        reverse("participants_modeladmin_add"),
        {
            "offering": other.offering.pk,
            "group": other.group.pk,
            "name": "Nils Ny",
            "email": "nils@example.org",
        },
    )
    assert response.status_code == 200  # the form again, with its error; nobody added
    assert Registration.objects.count() == before
    upload = io.BytesIO(b"navn,e-post\nNils Ny,nils@example.org\n")
    upload.name = "liste.csv"
    response = client.post(
        reverse("participants_modeladmin_import"), {"offering": other.offering.pk, "file": upload}
    )
    assert response.status_code == 200 and "token" not in response.context  # no preview to confirm
    # A preview token made for the other site's offering (as if the user had once seen it) is refused too.
    settings.LMS_IMPORT_DIR = str(tmp_path)
    name = "forged.upload"
    (import_folder() / name).write_bytes(b"navn,e-post\nNils Ny,nils@example.org\n")
    token = signing.dumps(
        {"file": name, "name": "liste.csv", "offering": other.offering.pk, "user": own.admin.pk},
        salt=IMPORT_SALT,
    )
    response = client.post(reverse("participants_modeladmin_import"), {"token": token})
    assert response.status_code == 302
    assert Registration.objects.count() == before
    unchanged(other)


@pytest.mark.django_db
def test_finding_and_erasing_a_person_stays_inside_the_site(client, sites):
    own, other = sites.hospital, sites.municipality
    client.force_login(own.admin)
    found = client.post(reverse("participants_modeladmin_person"), {"email": "kari@example.org"})
    assert own.shared.name in found.content.decode()
    assert other.shared.name not in found.content.decode()
    exported = client.post(
        reverse("participants_modeladmin_person"), {"email": "kari@example.org", "action": "export"}
    )
    assert own.shared.name in exported.content.decode() and other.shared.name not in exported.content.decode()
    client.post(
        reverse("participants_modeladmin_person"), {"email": "kari@example.org", "action": "erase-confirmed"}
    )
    assert Registration.objects.get(pk=own.shared.pk).anonymised_at is not None
    assert not OpeningNotice.objects.filter(pk=own.notice.pk).exists()
    unchanged(other)


@pytest.mark.django_db
def test_wagtails_form_listings_hide_the_other_sites_registration_forms(sites):
    own, other = sites.hospital, sites.municipality
    shown = set(
        hide_registrations_without_permission(own.admin, Page.objects.all()).values_list("pk", flat=True)
    )
    assert {own.page.pk, own.evaluation.pk} <= shown
    assert not {other.page.pk, other.evaluation.pk} & shown
    assert own.offering.pk in shown and other.offering.pk in shown  # other pages are not its business


@pytest.mark.django_db
def test_who_sees_which_site(sites, django_user_model, admin_user):
    both = {sites.hospital.person.pk, sites.municipality.person.pk}

    def seen(user):
        return (
            set(
                ParticipantScope.of(user)
                .restrict(Registration.objects.all(), through="offering")
                .values_list("pk", flat=True)
            )
            & both
        )

    assert seen(sites.hospital.admin) == {sites.hospital.person.pk}
    assert seen(admin_user) == both
    # A course administrator named on neither site sees neither, while both sites name their groups...
    plain = django_user_model.objects.create_user("kursadmin", "k@example.org", "secret")
    plain.groups.add(Group.objects.get(name="Course administrators"))
    assert seen(plain) == set()
    # ...and a site that names no group is seen by everyone who may manage participants.
    ParticipantAccess.for_site(sites.municipality.site).groups.clear()
    assert seen(plain) == {sites.municipality.person.pk}
    assert seen(sites.hospital.admin) == both
    # Nobody without the permission sees anything.
    editor = django_user_model.objects.create_user("redaktor", "r@example.org", "secret")
    assert seen(editor) == set()


@pytest.mark.django_db
def test_a_site_nested_inside_another_is_not_part_of_it(sites, django_user_model):
    nested_root = CataloguePageFactory(parent=sites.hospital.offering.get_parent(), title="Barn", slug="barn")
    nested = make_offering(nested_root, title="Barneskolen")
    child = person(nested, "Nora Nested", "nora@example.org")
    nested_site = Site.objects.create(hostname="barn.example.org", port=80, root_page=nested_root)
    ParticipantAccess.for_site(nested_site).groups.add(Group.objects.create(name="Barn"))
    scope = ParticipantScope.of(sites.hospital.admin)
    assert not scope.restrict(Registration.objects.filter(pk=child.pk), through="offering").exists()
    assert scope.restrict(
        Registration.objects.filter(pk=sites.hospital.person.pk), through="offering"
    ).exists()


# Commands


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_participants", *args, "--format", "csv", "--language", "en", stdout=out, stderr=err)
    return out.getvalue()


@pytest.mark.django_db
def test_the_export_command_takes_the_site(sites):
    with pytest.raises(CommandError, match="Several offerings"):
        export("--offering", "hodepineskolen")
    municipal = export("--offering", "hodepineskolen", "--site", MUNICIPALITY_HOST)
    assert sites.municipality.person.name in municipal and sites.hospital.person.name not in municipal
    hospital = export("--offering", "hodepineskolen", "--site", f"{HOSPITAL_HOST}:80")
    assert sites.hospital.person.name in hospital and sites.municipality.person.name not in hospital
    with pytest.raises(CommandError, match="No offering"):
        export("--offering", str(sites.municipality.offering.pk), "--site", HOSPITAL_HOST)
    with pytest.raises(CommandError, match="No site has the host name"):
        export("--offering", "hodepineskolen", "--site", "elsewhere.example.org")


@pytest.mark.django_db
def test_the_import_command_refuses_an_offering_of_another_site(sites, tmp_path):
    listing = tmp_path / "liste.csv"
    listing.write_text("navn,e-post\nNils Ny,nils@example.org\n", encoding="utf-8")
    before = Registration.objects.count()
    with pytest.raises(CommandError, match="No offering"):
        call_command(
            "import_participants",
            str(listing),
            "--offering",
            str(sites.municipality.offering.pk),
            "--site",
            HOSPITAL_HOST,
            "--language",
            "en",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Registration.objects.count() == before
    call_command(
        "import_participants",
        str(listing),
        "--offering",
        "hodepineskolen",
        "--site",
        MUNICIPALITY_HOST,
        "--allow-over-capacity",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Registration.objects.get(email="nils@example.org").offering_id == sites.municipality.offering.pk


@pytest.mark.django_db
def test_the_list_warns_of_a_site_that_names_no_group(client, sites, admin_user):
    client.force_login(admin_user)
    index = reverse("participants_modeladmin_index")
    assert (
        "Everyone who may manage participants sees"
        not in client.get(index, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    ParticipantAccess.for_site(sites.municipality.site).groups.clear()
    response = client.get(index)
    assert "Kommunen" in response.content.decode()
    assert (
        reverse("wagtailsettings:edit", args=["lms_forms", "participantaccess"]) in response.content.decode()
    )
    # A course administrator, who cannot change the access, is not shown it.
    client.force_login(sites.hospital.admin)
    assert (
        reverse("wagtailsettings:edit", args=["lms_forms", "participantaccess"])
        not in client.get(index).content.decode()
    )
