"""The Participants area in the Wagtail admin: who registered, their status, and what can be done.

Only users with the `lms_forms.manage_participants` permission (the "Course administrators" group) see
any of it, whatever their page permissions.
"""

from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from lms_pages.formats import local_format

from ..choices import EmailState, RegistrationStatus
from ..models import Registration
from ..permissions import can_manage_participants
from ..services.attendance import with_attendance
from .attendance import session_pdf_view, session_view, sessions_view
from .bulk import BULK_FORM_ID, bulk_action
from .certificates import offering_certificates_view, participant_certificate_view
from .evaluations import evaluations_view, export_view, results_view
from .filters import GroupFilter, OfferingFilter, StatusFilter, SubmittedFilter
from .imports import import_view
from .person import person_view
from .scope import scope_of
from .views import (
    ParticipantDeleteView,
    ParticipantEditView,
    ParticipantForm,
    ParticipantIndexView,
    ParticipantInspectView,
    add_view,
    move_view,
    resend_view,
)


class ParticipantPermissionHelper(PermissionHelper):
    """Everything hangs on the one participant permission. People are added by registering, by import
    or through "Add a participant" (not modeladmin's own create view)."""

    def user_can_list(self, user):
        return can_manage_participants(user)

    def user_can_create(self, user):
        return False

    def user_can_inspect_obj(self, user, obj):
        return can_manage_participants(user)

    def user_can_edit_obj(self, user, obj):
        return can_manage_participants(user)

    def user_can_delete_obj(self, user, obj):
        return can_manage_participants(user)


class ParticipantAdmin(ModelAdmin):
    model = Registration
    menu_label = _("Participants")
    menu_icon = "group"
    menu_order = 250
    add_to_admin_menu = True
    base_url_path = "participants"
    permission_helper_class = ParticipantPermissionHelper
    index_view_class = ParticipantIndexView
    edit_view_class = ParticipantEditView
    inspect_view_class = ParticipantInspectView
    delete_view_class = ParticipantDeleteView
    index_template_name = "lms_forms/participants/index.html"
    inspect_template_name = "lms_forms/participants/inspect.html"
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "email",
        "phone",
        "birth_date",
        "offering",
        "group_name",
        "status",
        "offer_expires_at",
        "companion_of",
        "submit_time",
        "notice_version",
        "notice_accepted_at",
        "health_consent_at",
        "source",
        "email_state",
        "note",
    ]
    list_display = (
        "select",
        "name",
        "email",
        "offering",
        "group_name",
        "status_shown",
        "attendance_shown",
        "submit_time",
    )
    list_display_add_buttons = "name"
    list_filter = (
        ("offering", OfferingFilter),
        GroupFilter,
        ("status", StatusFilter),
        ("submit_time", SubmittedFilter),
    )
    list_select_related = ("offering",)
    search_fields = ("name", "email")
    ordering = ("offering__title", "group_name", "submit_time", "pk")
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("status"),
            FieldPanel("confirm_over_capacity"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("email"), FieldPanel("phone")]),
            FieldPanel("note"),
        ],
        base_form_class=ParticipantForm,
    )

    def select(self, registration):
        # Belongs to the bulk-action form above the list through its `form` attribute.
        return format_html(
            '<input type="checkbox" name="selected" value="{}" form="{}" aria-label="{}">',
            registration.pk,
            BULK_FORM_ID,
            _("Select %(name)s") % {"name": registration.name},
        )

    select.short_description = _("Select")

    def status_shown(self, registration):
        """The status, with an offer's deadline and an email that could not be sent."""
        parts = [str(registration.get_status_display())]
        if registration.status == RegistrationStatus.OFFERED and registration.offer_expires_at:
            parts.append(
                str(
                    _("answer by %(deadline)s")
                    % {"deadline": local_format(registration.offer_expires_at, "datetime")}
                )
            )
        if registration.email_state == EmailState.FAILED:
            parts.append(str(_("email not sent")))
        if registration.is_companion:
            parts.append(str(_("companion")))
        return ", ".join(parts)

    status_shown.short_description = _("Status")
    status_shown.admin_order_field = "status"

    def get_queryset(self, request):
        return with_attendance(scope_of(request).restrict(super().get_queryset(request), through="offering"))

    def attendance_shown(self, registration):
        """Sessions attended of the group's sessions, once someone has been marked."""
        if not registration.sessions_marked:
            return "–"
        return _("%(attended)d of %(sessions)d") % {
            "attended": registration.sessions_attended,
            "sessions": registration.group_sessions,
        }

    attendance_shown.short_description = _("Attended")

    def get_admin_urls_for_registration(self):
        base = self.url_helper.base_url_path
        name = self.url_helper.get_action_url_name
        return (
            *super().get_admin_urls_for_registration(),
            path(f"{base}/bulk/", bulk_action, name=name("bulk")),
            path(f"{base}/import/", import_view, name=name("import")),
            path(f"{base}/person/", person_view, name=name("person")),
            path(f"{base}/add/", add_view, name=name("add")),
            path(f"{base}/<int:pk>/move/", move_view, name=name("move")),
            path(f"{base}/<int:pk>/resend/", resend_view, name=name("resend")),
            path(f"{base}/attendance/", sessions_view, name=name("attendance")),
            path(f"{base}/attendance/<int:pk>/", session_view, name=name("attendance_session")),
            path(f"{base}/attendance/<int:pk>/list.pdf", session_pdf_view, name=name("attendance_pdf")),
            path(f"{base}/certificates/<int:pk>/", offering_certificates_view, name=name("certificates")),
            path(f"{base}/<int:pk>/certificate.pdf", participant_certificate_view, name=name("certificate")),
            path(f"{base}/evaluations/", evaluations_view, name=name("evaluations")),
            path(f"{base}/evaluations/<int:pk>/", results_view, name=name("evaluation")),
            path(
                f"{base}/evaluations/<int:pk>/<str:export_format>/",
                export_view,
                name=name("evaluation_export"),
            ),
        )
