"""The Participants area in the Wagtail admin: who registered, their status, bulk actions and export.

Only users with the `lms_forms.manage_participants` permission (the "Course administrators" group) see
any of it, whatever their page permissions. Views, exports, status changes and deletions are written to
the audit log (lms_forms.audit) with counts only.
"""

import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import (
    ChoicesFieldListFilter,
    DateFieldListFilter,
    RelatedFieldListFilter,
    SimpleListFilter,
)
from django.contrib.admin.options import IncorrectLookupParameters
from django.core import signing
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.files import File
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import DeleteView, EditView, IndexView, InspectView

from lms_pages.models import OfferingGroup, OfferingPage
from lms_pages.translations import originals

from . import audit
from .exports import EXPORT_FORMATS, export_filename, export_response
from .imports import ImportFileError, import_participants, read_participant_file
from .models import Registration, RegistrationStatus, can_manage_participants
from .person import person_view
from .registration import OverCapacity, lock_groups, recount_groups, set_status
from .resources import ParticipantResource, questions_of
from .retention import retentions

BULK_FORM_ID = "lms-participants-bulk"

# The statuses an administrator can give several people at once.
BULK_ACTIONS = {
    RegistrationStatus.PLACE: _("Give a place"),
    RegistrationStatus.WAITING: _("Move to the waiting list"),
    RegistrationStatus.CANCELLED: _("Cancel the registration"),
    RegistrationStatus.ATTENDED: _("Mark as attended"),
    RegistrationStatus.NO_SHOW: _("Mark as no-show"),
}


def over_capacity_message(error):
    return "; ".join(
        str(
            _("%(group)s would have %(holding)d people with a place, for %(places)d places")
            % {"group": group.name, "holding": holding, "places": group.places}
        )
        for group, holding in error.groups
    )


class ParticipantPermissionHelper(PermissionHelper):
    """Everything hangs on the one participant permission; participants are added by registering or
    by import, never created by hand."""

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


# modeladmin's own filter template introduces each filter with "By <name>", in English whatever the admin's
# language, and as plain text; ours gives each its name as a heading under "Filter".
FILTER_TEMPLATE = "lms_forms/participants/filter.html"


class OfferingFilter(RelatedFieldListFilter):
    template = FILTER_TEMPLATE

    def field_choices(self, field, request, model_admin):
        # Registrations belong to the originals, never to an offering's translations or aliases.
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [
            (offering.pk, str(offering))
            for offering in originals(OfferingPage.objects.order_by(*ordering or ["title"]))
        ]


class StatusFilter(ChoicesFieldListFilter):
    template = FILTER_TEMPLATE


class SubmittedFilter(DateFieldListFilter):
    template = FILTER_TEMPLATE


class GroupFilter(SimpleListFilter):
    """The groups of the chosen offering (of every offering when none is chosen)."""

    title = _("group")
    template = FILTER_TEMPLATE
    parameter_name = "group"

    def lookups(self, request, model_admin):
        groups = (
            OfferingGroup.objects.filter(offering__in=originals(OfferingPage.objects.all()))
            .select_related("offering")
            .order_by("offering__title", "sort_order")
        )
        offering = request.GET.get("offering__page_ptr__exact")
        if offering and offering.isdigit():
            groups = groups.filter(offering_id=offering)
        return [(str(group.pk), f"{group.offering.title}: {group.name}") for group in groups]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(group_id=value)
        return queryset


class ParticipantForm(WagtailAdminModelForm):
    confirm_over_capacity = forms.BooleanField(
        label=_("Give the place even though the group is full"),
        required=False,
        help_text=_("Tick only after checking with the organiser that there is room."),
    )


class ParticipantIndexView(IndexView):
    """The filtered list; ?export=<format> downloads exactly the list shown, across all its pages."""

    FORMATS = tuple(EXPORT_FORMATS)
    # The area's name in the menu, not the model's ("Registrations").
    page_title = _("Participants")

    def dispatch(self, request, *args, **kwargs):
        # PostgreSQL refuses text holding a NUL character, so a search or filter with one would end in a
        # server error rather than an empty list; no name, email or filter value can hold one.
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            raise BadRequest
        return super().dispatch(request, *args, **kwargs)

    def get_filters(self, request):
        filter_specs, has_filters, remaining, use_distinct = super().get_filters(request)
        # What no filter takes is applied as a database lookup of its own. Keep the plain value of a
        # filtered field (?status=waiting); refuse the others (any field, any operator, e.g. a regular
        # expression), which could fail in the database instead of finding nothing.
        filtered = {item[0] if isinstance(item, tuple | list) else item for item in self.list_filter}
        if any(key not in filtered for key in remaining):
            raise BadRequest
        return filter_specs, has_filters, remaining, use_distinct

    def get_queryset(self, request=None):
        try:
            return super().get_queryset(request)
        except IncorrectLookupParameters:  # a filter's value of the wrong kind, e.g. a date that is none
            raise BadRequest from None

    def as_spreadsheet(self, queryset, spreadsheet_format):
        audit.log_for_offerings(
            audit.EXPORTED, self.request.user, audit.rows_per_offering(queryset), format=spreadsheet_format
        )
        offerings = queryset.order_by().values("offering").distinct()
        resource = ParticipantResource(questions=questions_of(offerings))
        offering_ids = list(offerings.values_list("offering", flat=True)[:2])
        offering = queryset.first().offering if len(offering_ids) == 1 else None
        return export_response(
            queryset, spreadsheet_format, export_filename(offering, spreadsheet_format), resource=resource
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = list(context["object_list"])
        per_offering = Counter(registration.offering_id for registration in shown)
        audit.log_for_offerings(audit.VIEWED, self.request.user, per_offering)
        groups = list(
            OfferingGroup.objects.filter(pk__in=self.queryset.order_by().values("group"))
            .select_related("offering", "occupancy")
            .order_by("offering__title", "sort_order")
        )
        retention = retentions({group.offering_id for group in groups}) if groups else {}
        for group in groups:
            group.retention = retention.get(group.offering_id)
        query = self.request.GET.copy()
        query.pop(self.PAGE_VAR, None)
        context.update(
            groups=groups,
            bulk_form_id=BULK_FORM_ID,
            bulk_actions=list(BULK_ACTIONS.items()),
            export_formats=[
                (key, format_.label, f"?{_with(query, self.EXPORT_VAR, key)}")
                for key, format_ in EXPORT_FORMATS.items()
            ],
            return_to=self.request.get_full_path(),
        )
        return context


def _with(query, key, value):
    query = query.copy()
    query[key] = value
    return query.urlencode()


class ParticipantEditView(EditView):
    """Status and note; a status change goes through set_status so places and counts stay right."""

    def form_valid(self, form):
        registration = self.instance
        status = form.cleaned_data["status"]
        try:
            with transaction.atomic():
                if status != form.initial.get("status"):
                    set_status(
                        [registration],
                        status,
                        allow_over_capacity=form.cleaned_data.get("confirm_over_capacity", False),
                    )
                Registration.objects.filter(pk=registration.pk).update(
                    note=form.cleaned_data["note"], updated_at=timezone.now()
                )
        except OverCapacity as error:
            form.add_error("status", over_capacity_message(error))
            return self.form_invalid(form)
        audit.log_for_offerings(audit.EDITED, self.request.user, {registration.offering_id: 1})
        messages.success(self.request, _("The participant was saved."))
        return redirect(self.index_url)


class ParticipantInspectView(InspectView):
    def get_context_data(self, **kwargs):
        audit.log_for_offerings(audit.VIEWED, self.request.user, {self.instance.offering_id: 1})
        context = super().get_context_data(**kwargs)
        registration = self.instance
        labels = registration.field_labels or {}
        context["answers"] = [
            (labels.get(name, name), ", ".join(map(str, value)) if isinstance(value, list) else value)
            for name, value in registration.answers.items()
        ]
        return context


class ParticipantDeleteView(DeleteView):
    def post(self, request, *args, **kwargs):
        registration = self.instance
        with transaction.atomic():
            groups = lock_groups([registration.group_id] if registration.group_id else [])
            registration.delete()
            recount_groups(groups)
        audit.log_for_offerings(audit.DELETED, request.user, {registration.offering_id: 1})
        messages.success(request, _("The participant was deleted."))
        return redirect(self.index_url)


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
        "submit_time",
        "notice_version",
        "notice_accepted_at",
        "health_consent_at",
        "source",
        "note",
    ]
    list_display = ("select", "name", "email", "offering", "group_name", "status", "submit_time")
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
        [FieldPanel("status"), FieldPanel("note"), FieldPanel("confirm_over_capacity")],
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

    def get_admin_urls_for_registration(self):
        from django.urls import path

        return (
            *super().get_admin_urls_for_registration(),
            path(
                f"{self.url_helper.base_url_path}/bulk/",
                bulk_action,
                name=self.url_helper.get_action_url_name("bulk"),
            ),
            path(
                f"{self.url_helper.base_url_path}/import/",
                import_view,
                name=self.url_helper.get_action_url_name("import"),
            ),
            path(
                f"{self.url_helper.base_url_path}/person/",
                person_view,
                name=self.url_helper.get_action_url_name("person"),
            ),
        )


@require_POST
def bulk_action(request):
    """Give several people a new status. Giving places beyond a group's places asks for confirmation."""
    if not can_manage_participants(request.user):
        raise PermissionDenied
    return_to = request.POST.get("return_to", "")
    if not url_has_allowed_host_and_scheme(
        return_to, {request.get_host()}, require_https=request.is_secure()
    ):
        return_to = ParticipantAdmin().url_helper.index_url
    status = request.POST.get("action", "")
    ids = [value for value in request.POST.getlist("selected") if value.isdigit()]
    if status not in BULK_ACTIONS:
        messages.error(request, _("Choose what to do with the selected participants."))
        return redirect(return_to)
    if not ids:
        messages.error(request, _("Select at least one participant."))
        return redirect(return_to)
    registrations = Registration.objects.filter(pk__in=ids)
    per_offering = audit.rows_per_offering(registrations)
    try:
        changed = set_status(registrations, status, allow_over_capacity=request.POST.get("confirm") == "1")
    except OverCapacity as error:
        return TemplateResponse(
            request,
            "lms_forms/participants/confirm_over_capacity.html",
            {
                "message": over_capacity_message(error),
                "action": status,
                "action_label": BULK_ACTIONS[status],
                "selected": ids,
                "return_to": return_to,
                "count": len(ids),
            },
        )
    audit.log_for_offerings(audit.STATUS_CHANGED, request.user, per_offering, status=status)
    messages.success(
        request,
        ngettext(
            "%(count)d participant now has the status “%(status)s”.",
            "%(count)d participants now have the status “%(status)s”.",
            changed,
        )
        % {"count": changed, "status": RegistrationStatus(status).label},
    )
    return redirect(return_to)


# Import: upload, preview (a dry run), confirm. Between the two steps the file waits in a private
# folder under a random name, referred to by a signed token that only the same user can use, for an hour.

IMPORT_SALT = "lms_forms.participants.import"
IMPORT_MAX_AGE = 3600


def import_folder():
    folder = Path(getattr(settings, "LMS_IMPORT_DIR", "") or Path(tempfile.gettempdir()) / "lms-imports")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Files left by an upload that was never confirmed hold personal data: remove them once stale.
    stale = time.time() - IMPORT_MAX_AGE
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    return folder


class ImportForm(forms.Form):
    offering = forms.ModelChoiceField(
        label=_("Offering"),
        queryset=OfferingPage.objects.none(),
        help_text=_("People are matched by email within this offering: updated, never duplicated."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (comma or semicolon separated) or Excel (.xlsx), with a heading row."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Participants belong to the originals, not to their translations or aliases.
        self.fields["offering"].queryset = originals(OfferingPage.objects.order_by("title"))


def import_view(request):
    if not can_manage_participants(request.user):
        raise PermissionDenied
    template = "lms_forms/participants/import.html"
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request, template)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(request, template, {"form": form})
    offering = form.cleaned_data["offering"]
    upload = form.cleaned_data["file"]
    try:
        dataset = read_participant_file(upload)
        report = import_participants(offering, dataset, dry_run=True)
    except ImportFileError as error:
        form.add_error("file", error.message)
        return TemplateResponse(request, template, {"form": form})
    token = None
    if not report.has_errors:
        name = f"{uuid.uuid4().hex}.upload"
        upload.seek(0)
        with (import_folder() / name).open("wb") as stored:
            for chunk in upload.chunks():
                stored.write(chunk)
        token = signing.dumps(
            {"file": name, "name": upload.name, "offering": offering.pk, "user": request.user.pk},
            salt=IMPORT_SALT,
        )
    return TemplateResponse(
        request, template, {"form": form, "report": report, "offering": offering, "token": token}
    )


def _confirm_import(request, template):
    try:
        ticket = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:
        ticket = None
    path = import_folder() / ticket["file"] if ticket else None
    offering = OfferingPage.objects.filter(pk=ticket["offering"]).first() if ticket else None
    if ticket is None or ticket["user"] != request.user.pk or offering is None or not path.is_file():
        messages.error(request, _("The preview has expired. Upload the file again."))
        return redirect("participants_modeladmin_import")
    try:
        with path.open("rb") as stored:
            report = import_participants(offering, read_participant_file(File(stored, name=ticket["name"])))
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect("participants_modeladmin_import")
    finally:
        path.unlink(missing_ok=True)
    if report.has_errors:  # the list or the offering changed since the preview; nothing was stored
        return TemplateResponse(
            request, template, {"form": ImportForm(), "report": report, "offering": offering}
        )
    audit.log_for_offerings(
        audit.IMPORTED,
        request.user,
        {offering.pk: report.new + report.updated + report.unchanged},
        new=report.new,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    messages.success(
        request,
        _("Imported into %(offering)s: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "offering": offering.title,
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return redirect(f"{ParticipantAdmin().url_helper.index_url}?offering__page_ptr__exact={offering.pk}")
