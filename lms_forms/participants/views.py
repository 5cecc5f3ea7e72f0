"""The participant admin's views: the list (and its downloads), a participant's page, its edit form,
moving to another group, adding someone by hand, sending an email again, and deletion. Every change
goes through lms_forms.services, which lock, recount, offer freed places and write the audit log."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail_modeladmin.views import DeleteView, EditView, IndexView, InspectView

from lms_pages.models import OfferingGroup, OfferingPage

from .. import audit
from ..choices import RegistrationStatus
from ..models.access import sites_open_to_every_administrator
from ..permissions import can_manage_participants
from ..services.retention import retentions
from ..services.status import (
    ChangeRefused,
    OverCapacity,
    add_participant,
    delete_registration,
    edit_participant,
    move_to_group,
    resend_email,
)
from ..transfer.exporting import EXPORT_FORMATS, export_filename, export_response
from ..validators import NAME_MAX_LENGTH, normalise_phone, reject_control_characters
from . import scope
from .bulk import BULK_ACTIONS, BULK_FORM_ID, over_capacity_message
from .certificates import offering_certificates_url, participant_certificate


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
        offering_ids = list(queryset.order_by().values_list("offering", flat=True).distinct()[:2])
        offering = OfferingPage.objects.get(pk=offering_ids[0]) if len(offering_ids) == 1 else None
        return export_response(queryset, spreadsheet_format, export_filename(offering, spreadsheet_format))

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
            open_sites=(
                [site.site_name or site.hostname for site in sites_open_to_every_administrator()]
                if self.request.user.has_perm("lms_forms.change_participantaccess")
                else []
            ),
            certificates_url=offering_certificates_url(groups),
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


class ParticipantForm(WagtailAdminModelForm):
    """Status, note and corrections of name, email and phone."""

    confirm_over_capacity = forms.BooleanField(
        label=_("Give the place even though the group is full"),
        required=False,
        help_text=_("Tick only after checking with the organiser that there is room."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "note"):
            if name in self.fields:
                self.fields[name].validators.append(reject_control_characters)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        if phone == self.instance.phone:
            return phone  # as stored (e.g. imported long ago): a note can be written without fixing it
        return normalise_phone(phone)


class InScope:
    """A participant's own page, form or deletion: another site's participant is not found (404)."""

    def dispatch(self, request, *args, **kwargs):
        if (
            can_manage_participants(request.user)
            and not scope.participants(request).filter(pk=self.instance.pk).exists()
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ParticipantEditView(InScope, EditView):
    """A status change and corrections go through the status service, so places and counts stay right."""

    def form_valid(self, form):
        registration = self.instance
        data = form.cleaned_data
        try:
            edit_participant(
                registration,
                user=self.request.user,
                status=data["status"],
                note=data["note"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                allow_over_capacity=data.get("confirm_over_capacity", False),
            )
        except OverCapacity as error:
            form.add_error("status", over_capacity_message(error))
            return self.form_invalid(form)
        except ChangeRefused as refused:
            form.add_error(refused.field, refused.message)
            return self.form_invalid(form)
        messages.success(self.request, _("The participant was saved."))
        return redirect(self.index_url)


class ParticipantInspectView(InScope, InspectView):
    def get_context_data(self, **kwargs):
        audit.log_for_offerings(audit.VIEWED, self.request.user, {self.instance.offering_id: 1})
        context = super().get_context_data(**kwargs)
        registration = self.instance
        labels = registration.field_labels or {}
        context["answers"] = [
            (labels.get(name, name), ", ".join(map(str, value)) if isinstance(value, list) else value)
            for name, value in registration.answers.items()
        ]
        context["move_form"] = MoveForm(registration=registration)
        context["certificate"] = participant_certificate(registration)
        return context


class ParticipantDeleteView(InScope, DeleteView):
    def post(self, request, *args, **kwargs):
        delete_registration(self.instance, user=request.user)
        messages.success(request, _("The participant was deleted."))
        return redirect(self.index_url)


# Moving to another group, adding by hand and sending again: small views of their own.


def _participant(request, pk):
    if not can_manage_participants(request.user):
        raise PermissionDenied
    return get_object_or_404(scope.participants(request), pk=pk)


class MoveForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Move to the group"), queryset=OfferingGroup.objects.none())
    confirm_over_capacity = forms.BooleanField(
        label=_("Move even though the group is full"),
        required=False,
        help_text=_("Tick only after checking with the organiser that there is room."),
    )

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = OfferingGroup.objects.filter(
            offering_id=registration.offering_id
        ).exclude(pk=registration.group_id)


@require_POST
def move_view(request, pk):
    registration = _participant(request, pk)
    form = MoveForm(request.POST, registration=registration)
    inspect_url = reverse("participants_modeladmin_inspect", args=[pk])
    if form.is_valid():
        try:
            move_to_group(
                registration,
                form.cleaned_data["group"],
                user=request.user,
                allow_over_capacity=form.cleaned_data["confirm_over_capacity"],
            )
        except OverCapacity as error:
            messages.error(request, over_capacity_message(error))
        except ChangeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Moved to %(group)s.") % {"group": form.cleaned_data["group"].name})
    else:
        messages.error(request, _("Choose a group to move to."))
    return redirect(inspect_url)


@require_POST
def resend_view(request, pk):
    registration = _participant(request, pk)
    resend_email(registration, user=request.user)
    messages.success(request, _("The email is being sent again."))
    return redirect(reverse("participants_modeladmin_inspect", args=[pk]))


class AddParticipantForm(forms.Form):
    offering = forms.ModelChoiceField(label=_("Offering"), queryset=OfferingPage.objects.none())
    group = forms.ModelChoiceField(label=_("Group"), queryset=OfferingGroup.objects.none(), required=False)
    name = forms.CharField(
        label=_("Full name"), max_length=NAME_MAX_LENGTH, validators=[reject_control_characters]
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("A place if there is room, else the waiting list"))]
        + [(status.value, status.label) for status in (RegistrationStatus.PLACE, RegistrationStatus.WAITING)],
    )
    confirm_over_capacity = forms.BooleanField(
        label=_("Give the place even though the group is full"), required=False
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = scope.offerings(request).order_by("title")
        self.fields["group"].queryset = scope.groups(request).select_related("offering")
        self.fields["group"].label_from_instance = lambda group: f"{group.offering.title}: {group.name}"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


def add_view(request):
    if not can_manage_participants(request.user):
        raise PermissionDenied
    form = AddParticipantForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = add_participant(
                data["offering"],
                data["group"],
                user=request.user,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                status=data["status"] or None,
                allow_over_capacity=data["confirm_over_capacity"],
            )
        except OverCapacity as error:
            form.add_error("group", over_capacity_message(error))
        except ChangeRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                _("%(name)s was added: %(status)s.")
                % {"name": registration.name, "status": registration.get_status_display()},
            )
            return redirect(
                f"{reverse('participants_modeladmin_index')}?offering__page_ptr__exact={registration.offering_id}"
            )
    return TemplateResponse(request, "lms_forms/participants/add.html", {"form": form})
