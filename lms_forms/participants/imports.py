"""Importing a participant list in the admin: upload, preview (a dry run), confirm.

Between the two steps the file waits in a private folder under a random name, referred to by a signed
token that only the same user can use, for an hour.
"""

import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lms_pages.models import OfferingPage

from ..permissions import can_manage_participants
from ..transfer.files import ImportFileError, read_participant_file
from ..transfer.importing import import_participants
from . import scope

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

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        # Participants belong to the originals, not to their translations or aliases: those of the user's
        # sites.
        self.fields["offering"].queryset = scope.offerings(request).order_by("title")


def import_view(request):
    if not can_manage_participants(request.user):
        raise PermissionDenied
    template = "lms_forms/participants/import.html"
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request, template)
    form = ImportForm(request.POST or None, request.FILES or None, request=request)
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
    offering = scope.offerings(request).filter(pk=ticket["offering"]).first() if ticket else None
    if ticket is None or ticket["user"] != request.user.pk or offering is None or not path.is_file():
        messages.error(request, _("The preview has expired. Upload the file again."))
        return redirect("participants_modeladmin_import")
    try:
        with path.open("rb") as stored:
            # The administrator saw the preview, with any group it overfills, before confirming.
            report = import_participants(
                offering,
                read_participant_file(File(stored, name=ticket["name"])),
                allow_over_capacity=True,
                user=request.user,
            )
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect("participants_modeladmin_import")
    finally:
        path.unlink(missing_ok=True)
    if report.has_errors:  # the list or the offering changed since the preview; nothing was stored
        return TemplateResponse(
            request, template, {"form": ImportForm(request=request), "report": report, "offering": offering}
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
    return redirect(f"{reverse('participants_modeladmin_index')}?offering__page_ptr__exact={offering.pk}")
