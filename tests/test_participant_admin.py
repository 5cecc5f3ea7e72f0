"""The Participants area: who may see it, the list with its filters and counts, status changes, audit log."""

import io
import json

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageLogEntry

from lms_forms.choices import RegistrationStatus
from lms_forms.models import Registration
from lms_forms.services.locking import recount_places
from lms_pages.models import GroupOccupancy
from tests.test_registration import make_offering

INDEX = "participants_modeladmin_index"
PERSONAL = ("Kari Nordmann", "kari@example.org", "Ola Nordmann", "ola@example.org", "migrene")


def add_registration(setup, group, name, email, status=RegistrationStatus.PLACE, **fields):
    registration = Registration.objects.create(
        page=setup.page,
        offering=setup.offering,
        group=group,
        group_name=group.name,
        name=name,
        email=email,
        status=status,
        form_data={"diagnose": "migrene"},
        field_labels={"diagnose": "Diagnose"},
        **fields,
    )
    recount_places([group.pk])
    return registration


@pytest.fixture
def setup(catalogue):
    """Hodepineskolen with Oslo (2 places, both taken, one waiting) and Bergen (2 places, one taken)."""
    setup = make_offering(catalogue, places=2, groups=("Oslo", "Bergen"))
    oslo, bergen = setup.groups
    setup.kari = add_registration(setup, oslo, "Kari Nordmann", "kari@example.org")
    setup.per = add_registration(setup, oslo, "Per Hansen", "per@example.org")
    setup.ola = add_registration(setup, oslo, "Ola Nordmann", "ola@example.org", RegistrationStatus.WAITING)
    setup.siri = add_registration(setup, bergen, "Siri Berg", "siri@example.org")
    return setup


def counts(group):
    occupancy = GroupOccupancy.objects.get(group=group)
    return occupancy.places_taken, occupancy.waiting


def text(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def admin_urls(setup):
    """Every participant URL, with the method to call it."""
    index = reverse(INDEX)
    return [
        ("get", index),
        ("get", index + "?export=xlsx"),
        ("get", index + "?export=csv"),
        ("get", reverse("participants_modeladmin_inspect", args=[setup.kari.pk])),
        ("get", reverse("participants_modeladmin_edit", args=[setup.kari.pk])),
        ("get", reverse("participants_modeladmin_delete", args=[setup.kari.pk])),
        ("post", reverse("participants_modeladmin_delete", args=[setup.kari.pk])),
        ("post", reverse("participants_modeladmin_bulk")),
        ("get", reverse("participants_modeladmin_import")),
        ("get", reverse("wagtailforms:list_submissions", args=[setup.page.pk])),
        ("get", reverse("wagtailforms:list_submissions", args=[setup.page.pk]) + "?export=csv"),
    ]


# Permissions


@pytest.mark.django_db
class TestPermissions:
    def test_the_migration_creates_the_course_administrators_group(self):
        group = Group.objects.get(name="Course administrators")
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert {"access_admin", "manage_participants"} <= codenames

    def test_a_page_editor_reaches_no_participant_url_and_sees_no_personal_data(
        self, client, setup, page_editor
    ):
        client.force_login(page_editor)
        for method, url in admin_urls(setup):
            data = {"selected": [setup.kari.pk], "action": "cancelled"} if method == "post" else None
            response = getattr(client, method)(url, data)
            assert response.status_code in (302, 403), url
            body = response.content.decode(errors="replace")
            for value in PERSONAL:
                assert value not in body, (url, value)
        assert Registration.objects.filter(pk=setup.kari.pk, status=RegistrationStatus.PLACE).exists()

    def test_a_page_editor_has_no_participants_menu_item(self, client, setup, page_editor):
        client.force_login(page_editor)
        response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        assert reverse(INDEX) not in response.content.decode()

    def test_anonymous_visitors_are_sent_to_the_login(self, client, setup):
        for method, url in admin_urls(setup):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert "/login/" in response["Location"], url

    def test_a_course_administrator_reaches_every_participant_url(self, client, setup, course_admin):
        client.force_login(course_admin)
        assert reverse(INDEX) in client.get(reverse("wagtailadmin_home")).content.decode()
        for method, url in admin_urls(setup):
            # Wagtail's own form-submission views follow page permissions, which this user lacks.
            if method == "post" or url.startswith("/admin/forms/"):
                continue
            assert client.get(url).status_code == 200, url


# The list


@pytest.mark.django_db
class TestList:
    def test_lists_everyone_with_the_counts_per_group(self, client, setup, course_admin):
        client.force_login(course_admin)
        response = client.get(reverse(INDEX))
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        rows = {
            row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.find_all("td")]
            for row in soup.select("table.listing tbody tr")
            if row.th
        }
        # offering, places, taken, left, waiting, when the personal data are deleted (90 days after
        # the session on 15 January 2030)
        assert rows["Oslo"] == ["Hodepineskolen", "2", "2", "0", "1", "15. april 2030"]
        assert rows["Bergen"] == ["Hodepineskolen", "2", "1", "1", "0", "15. april 2030"]
        for name in ("Kari Nordmann", "Per Hansen", "Ola Nordmann", "Siri Berg"):
            assert name in text(response)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("status=waiting", {"Ola Nordmann"}),
            ("q=nordmann", {"Kari Nordmann", "Ola Nordmann"}),
            ("q=siri%40example.org", {"Siri Berg"}),
        ],
    )
    def test_filters_and_search(self, client, setup, course_admin, query, expected):
        client.force_login(course_admin)
        response = client.get(f"{reverse(INDEX)}?{query}")
        body = text(response)
        everyone = {"Kari Nordmann", "Per Hansen", "Ola Nordmann", "Siri Berg"}
        assert {name for name in everyone if name in body} == expected

    def test_filter_by_group_and_by_offering(self, client, setup, catalogue, course_admin):
        other = make_offering(catalogue, title="Mestringstreff", groups=("Oslo",))
        add_registration(other, other.group, "Turid Annen", "turid@example.org")
        client.force_login(course_admin)
        by_group = text(client.get(f"{reverse(INDEX)}?group={setup.groups[1].pk}"))
        assert "Siri Berg" in by_group and "Kari Nordmann" not in by_group
        by_offering = text(client.get(f"{reverse(INDEX)}?offering__page_ptr__exact={other.offering.pk}"))
        assert "Turid Annen" in by_offering and "Kari Nordmann" not in by_offering

    def test_export_downloads_exactly_the_filtered_list(self, client, setup, course_admin):
        client.force_login(course_admin)
        response = client.get(f"{reverse(INDEX)}?status=place&export=xlsx")
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
        names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert names == {"Kari Nordmann", "Per Hansen", "Siri Berg"}

    def test_the_inspect_view_shows_the_answers(self, client, setup, course_admin):
        client.force_login(course_admin)
        body = text(client.get(reverse("participants_modeladmin_inspect", args=[setup.kari.pk])))
        assert "Diagnose" in body and "migrene" in body


# Status changes


def bulk(client, status, *registrations, confirm=False):
    data = {"action": status, "selected": [r.pk for r in registrations], "return_to": reverse(INDEX)}
    if confirm:
        data["confirm"] = "1"
    return client.post(reverse("participants_modeladmin_bulk"), data)


@pytest.mark.django_db
class TestStatusChanges:
    def test_giving_a_place_beyond_capacity_asks_for_confirmation(self, client, setup, course_admin):
        oslo = setup.groups[0]
        client.force_login(course_admin)
        response = bulk(client, RegistrationStatus.PLACE, setup.ola)
        assert response.status_code == 200
        assert "Oslo" in text(response)
        assert Registration.objects.get(pk=setup.ola.pk).status == RegistrationStatus.WAITING
        assert counts(oslo) == (2, 1)

        response = bulk(client, RegistrationStatus.PLACE, setup.ola, confirm=True)
        assert response.status_code == 302
        assert Registration.objects.get(pk=setup.ola.pk).status == RegistrationStatus.PLACE
        assert counts(oslo) == (3, 0)

    def test_cancelling_offers_the_freed_place_to_the_first_waiting(self, client, setup, course_admin):
        oslo = setup.groups[0]
        client.force_login(course_admin)
        assert bulk(client, RegistrationStatus.CANCELLED, setup.kari).status_code == 302
        ola = Registration.objects.get(pk=setup.ola.pk)
        assert ola.status == RegistrationStatus.OFFERED
        assert ola.offer_expires_at is not None
        assert counts(oslo) == (2, 0)  # the offered place is kept for Ola until the deadline

    @pytest.mark.parametrize(
        ("status", "oslo_counts"),
        [
            # Kari leaves her place: it is offered to Ola, who waited first; Kari is not offered it back.
            (RegistrationStatus.WAITING, (2, 1)),
            (RegistrationStatus.ATTENDED, (2, 1)),
            (RegistrationStatus.NO_SHOW, (2, 0)),
        ],
    )
    def test_each_bulk_action_keeps_the_counts_right(self, client, setup, course_admin, status, oslo_counts):
        client.force_login(course_admin)
        assert bulk(client, status, setup.kari).status_code == 302
        assert Registration.objects.get(pk=setup.kari.pk).status == status
        assert counts(setup.groups[0]) == oslo_counts

    def test_a_bulk_action_without_selection_or_action_changes_nothing(self, client, setup, course_admin):
        client.force_login(course_admin)
        assert bulk(client, RegistrationStatus.CANCELLED).status_code == 302
        assert bulk(client, "deleted", setup.kari).status_code == 302
        assert Registration.objects.get(pk=setup.kari.pk).status == RegistrationStatus.PLACE

    def test_editing_one_registration_changes_status_and_note(self, client, setup, course_admin):
        client.force_login(course_admin)
        url = reverse("participants_modeladmin_edit", args=[setup.ola.pk])
        contact = {"name": setup.ola.name, "email": setup.ola.email, "phone": setup.ola.phone}
        response = client.post(url, {"status": RegistrationStatus.PLACE, "note": "Ringt 12.1.", **contact})
        assert response.status_code == 200  # the group is full: asks for confirmation
        assert Registration.objects.get(pk=setup.ola.pk).status == RegistrationStatus.WAITING

        response = client.post(
            url,
            {
                "status": RegistrationStatus.PLACE,
                "note": "Ringt 12.1.",
                "confirm_over_capacity": "on",
                **contact,
            },
        )
        assert response.status_code == 302
        ola = Registration.objects.get(pk=setup.ola.pk)
        assert (ola.status, ola.note) == (RegistrationStatus.PLACE, "Ringt 12.1.")
        assert counts(setup.groups[0]) == (3, 0)

    def test_deleting_recounts_the_group(self, client, setup, course_admin):
        client.force_login(course_admin)
        response = client.post(reverse("participants_modeladmin_delete", args=[setup.kari.pk]))
        assert response.status_code == 302
        assert not Registration.objects.filter(pk=setup.kari.pk).exists()
        assert Registration.objects.get(pk=setup.ola.pk).status == RegistrationStatus.OFFERED
        assert counts(setup.groups[0]) == (2, 0)


# Audit log


@pytest.mark.django_db
class TestAudit:
    def entries(self, action):
        return list(PageLogEntry.objects.filter(action=action))

    def test_every_view_export_change_and_deletion_is_logged_without_personal_values(
        self, client, setup, course_admin
    ):
        client.force_login(course_admin)
        client.get(reverse(INDEX))
        response = client.get(f"{reverse(INDEX)}?export=csv")
        if response.streaming:
            b"".join(response.streaming_content)
        bulk(client, RegistrationStatus.ATTENDED, setup.kari, setup.per)
        client.post(reverse("participants_modeladmin_delete", args=[setup.siri.pk]))

        viewed = self.entries("lms_forms.participants.view")
        exported = self.entries("lms_forms.participants.export")
        changed = self.entries("lms_forms.participants.status")
        deleted = self.entries("lms_forms.participants.delete")
        assert [entry.data["rows"] for entry in viewed] == [4]
        assert [(entry.data["rows"], entry.data["format"]) for entry in exported] == [(4, "csv")]
        assert [(entry.data["rows"], entry.data["status"]) for entry in changed] == [(2, "attended")]
        assert [entry.data["rows"] for entry in deleted] == [1]
        for entry in (*viewed, *exported, *changed, *deleted):
            assert entry.user == course_admin
            assert entry.page_id == setup.offering.pk
            logged = json.dumps(entry.data) + entry.label + str(entry.message)
            for value in (*PERSONAL, "Per Hansen", "Siri Berg", "siri@example.org"):
                assert value not in logged

    def test_the_log_messages_are_readable(self, client, setup, course_admin):
        client.force_login(course_admin)
        bulk(client, RegistrationStatus.ATTENDED, setup.kari, setup.per)
        entry = PageLogEntry.objects.get(action="lms_forms.participants.status")
        assert "2" in str(entry.message)


# Import in the admin: upload, preview, confirm


def upload(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


IMPORT_CSV = "Navn;E-post;Gruppe\nTuva Lie;tuva@example.org;Bergen\nKari Nordmann;kari@example.org;Oslo\n"


@pytest.mark.django_db
class TestImport:
    def preview(self, client, setup, text=IMPORT_CSV):
        url = reverse("participants_modeladmin_import")
        return client.post(url, {"offering": setup.offering.pk, "file": upload("liste.csv", text)})

    def test_preview_stores_nothing_and_confirming_imports(self, client, setup, course_admin):
        client.force_login(course_admin)
        response = self.preview(client, setup)
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        # new, updated, unchanged, errors
        figures = [row.td.get_text(strip=True) for row in soup.select("section table")[0].select("tr")]
        assert figures == ["1", "0", "1", "0"]
        assert not Registration.objects.filter(email="tuva@example.org").exists()
        token = soup.select_one("input[name=token]")["value"]

        response = client.post(reverse("participants_modeladmin_import"), {"token": token})
        assert response.status_code == 302
        tuva = Registration.objects.get(email="tuva@example.org")
        assert (tuva.group_name, tuva.source) == ("Bergen", "import")
        assert counts(setup.groups[1]) == (2, 0)
        entry = PageLogEntry.objects.get(action="lms_forms.participants.import")
        assert (entry.data["new"], entry.data["unchanged"], entry.user) == (1, 1, course_admin)
        assert "tuva" not in json.dumps(entry.data).lower()

        # The token is used up with its file.
        response = client.post(reverse("participants_modeladmin_import"), {"token": token})
        assert response.status_code == 302
        assert Registration.objects.filter(email="tuva@example.org").count() == 1

    def test_errors_are_listed_with_row_column_and_value_and_nothing_is_offered(
        self, client, setup, course_admin
    ):
        client.force_login(course_admin)
        response = self.preview(client, setup, "Navn;E-post;Gruppe\nTuva Lie;ikke-en-adresse;Bergen\n")
        body = text(response)
        assert "ikke-en-adresse" in body and "2" in body
        assert BeautifulSoup(response.content, "html.parser").select_one("input[name=token]") is None
        assert Registration.objects.count() == 4

    def test_a_file_that_cannot_be_read_gets_a_message_on_the_field(self, client, setup, course_admin):
        client.force_login(course_admin)
        response = self.preview(client, setup, "")
        assert response.status_code == 200
        assert BeautifulSoup(response.content, "html.parser").select_one(".error-message") is not None

    def test_a_token_is_good_only_for_the_user_it_was_made_for(
        self, client, setup, course_admin, django_user_model
    ):
        client.force_login(course_admin)
        token = BeautifulSoup(self.preview(client, setup).content, "html.parser").select_one(
            "input[name=token]"
        )["value"]
        other = django_user_model.objects.create_user("annen", "annen@example.org", "secret")
        other.groups.add(Group.objects.get(name="Course administrators"))
        client.force_login(other)
        assert client.post(reverse("participants_modeladmin_import"), {"token": token}).status_code == 302
        assert not Registration.objects.filter(email="tuva@example.org").exists()
        assert client.post(reverse("participants_modeladmin_import"), {"token": "forged"}).status_code == 302
        assert not Registration.objects.filter(email="tuva@example.org").exists()


@pytest.mark.django_db
def test_the_commands_write_to_the_audit_log(setup, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "liste.csv"
    call_command(
        "export_participants", "--offering", str(setup.offering.pk), "--output", str(target), verbosity=0
    )
    call_command("import_participants", str(target), "--offering", str(setup.offering.pk), verbosity=0)
    exported = PageLogEntry.objects.get(action="lms_forms.participants.export")
    imported = PageLogEntry.objects.get(action="lms_forms.participants.import")
    assert (exported.data["rows"], exported.data["format"]) == (4, "csv")
    assert imported.data["unchanged"] == 4
