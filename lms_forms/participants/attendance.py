"""Taking attendance in the admin: the sessions to mark, one session's roll on a phone or tablet (a tap
saves at once; other leaders' taps show up while the page is open), and its printable list as a PDF."""

import datetime

from django.contrib import messages
from django.db.models import OuterRef
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms_pages.formats import local_format
from lms_pages.models import GroupSession, OfferingPage

from ..models import Attendance, Registration
from ..pdf import pdf_response, render_pdf
from ..permissions import participants_only
from ..services.attendance import ON_THE_ROLL, counted, mark, session_roll
from ..services.status import ChangeRefused
from . import scope

# The sessions listed without a chosen offering: those of the last month and the next two.
RECENT = datetime.timedelta(days=31)
COMING = datetime.timedelta(days=62)


@participants_only
def sessions_view(request):
    now = timezone.now()
    offerings = scope.offerings(
        request, OfferingPage.objects.filter(groups__isnull=False).distinct()
    ).order_by("title")
    chosen = None
    sessions = GroupSession.objects.filter(group__offering__in=offerings)
    if request.GET.get("offering", "").isdigit():
        chosen = offerings.filter(pk=int(request.GET["offering"])).first()
    if chosen is not None:
        sessions = sessions.filter(group__offering=chosen)
    else:
        sessions = sessions.filter(start__gte=now - RECENT, start__lte=now + COMING)
    on_roll = Registration.objects.filter(group=OuterRef("group"), status__in=ON_THE_ROLL)
    marks = Attendance.objects.filter(session=OuterRef("pk"))
    sessions = (
        sessions.select_related("group__offering")
        .annotate(
            on_roll=counted(on_roll, "group"),
            present=counted(marks.filter(present=True), "session"),
            absent=counted(marks.filter(present=False), "session"),
        )
        .order_by("start", "pk")
    )
    today = timezone.localdate(now)
    rows = list(sessions)
    for session in rows:
        session.is_today = timezone.localdate(session.start) == today
    return TemplateResponse(
        request,
        "lms_forms/participants/attendance_sessions.html",
        {"sessions": rows, "offerings": offerings, "chosen": chosen},
    )


def _session(request, pk):
    return get_object_or_404(
        scope.sessions(request).select_related(
            "group__offering", "group__venue", "venue", "group__offering__venue"
        ),
        pk=pk,
    )


def _row_json(registration):
    return {
        "id": registration.pk,
        "present": registration.present,
        "status": str(registration.get_status_display()),
        "marked": _("Marked by %(name)s at %(time)s")
        % {"name": registration.marked_by_name, "time": local_format(registration.marked_at, "time")}
        if registration.marked_by_name
        else "",
    }


@participants_only
@require_http_methods(["GET", "POST"])
def session_view(request, pk):
    """The roll. A POST marks one person (registration, present=1|0); answered in JSON when the page's
    script sent it, else by showing the roll again."""
    session = _session(request, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method == "POST":
        chosen = request.POST.get("registration", "")
        registration = (
            Registration.objects.filter(pk=int(chosen), group_id=session.group_id).first()
            if chosen.isdigit()
            else None
        )
        present = request.POST.get("present")
        error = None
        if registration is None or present not in ("0", "1"):
            error = _("Choose a participant and whether they were present.")
        else:
            try:
                mark(registration, session, present == "1", user=request.user)
            except ChangeRefused as refused:
                error = refused.message
        if wants_json:
            if error:
                return JsonResponse({"error": error}, status=400)
            return JsonResponse({"rows": [_row_json(person) for person in session_roll(session)]})
        if error:
            messages.error(request, error)
        url = reverse("participants_modeladmin_attendance_session", args=[session.pk])
        return redirect(f"{url}#p-{registration.pk}" if registration is not None else url)
    roll = session_roll(session)
    if wants_json or request.GET.get("format") == "json":
        return JsonResponse({"rows": [_row_json(person) for person in roll]})
    return TemplateResponse(
        request,
        "lms_forms/participants/attendance_session.html",
        {
            "session": session,
            "group": session.group,
            "offering": session.group.offering,
            "roll": roll,
            "present_count": sum(1 for person in roll if person.present),
            "absent_count": sum(1 for person in roll if person.present is False),
            "open_count": sum(1 for person in roll if person.present is None),
        },
    )


@participants_only
def session_pdf_view(request, pk):
    """The printable attendance list; ?signatures=1 adds a column to sign in."""
    session = _session(request, pk)
    roll = session_roll(session)
    offering = session.group.offering
    signatures = request.GET.get("signatures") == "1"
    content = render_pdf(
        "lms_forms/participants/attendance_list_pdf.html",
        {
            "session": session,
            "group": session.group,
            "offering": offering,
            "roll": roll,
            "signatures": signatures,
            "printed_at": timezone.now(),
        },
        request,
    )
    name = slugify(f"{offering.slug}-{session.group.name}-{timezone.localtime(session.start):%Y-%m-%d}")
    return pdf_response(content, f"{name or 'oppmote'}.pdf")
