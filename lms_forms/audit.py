"""Wagtail's audit log for participant lists: who did what to which offering's list, and how many rows.

Entries are written against the offering page, so they appear in its history and in the site history
report. They carry counts and formats only, never a name, an email or an answer.
"""

from collections import Counter

from django.db.models import Count
from wagtail.log_actions import log

from lms_pages.models import OfferingPage

VIEWED = "lms_forms.participants.view"
EXPORTED = "lms_forms.participants.export"
IMPORTED = "lms_forms.participants.import"
STATUS_CHANGED = "lms_forms.participants.status"
EDITED = "lms_forms.participants.edit"
DELETED = "lms_forms.participants.delete"
PURGED = "lms_forms.participants.purge"
SUBJECT_EXPORTED = "lms_forms.participants.subject_export"
ERASED = "lms_forms.participants.erase"
MOVED = "lms_forms.participants.move"
ADDED = "lms_forms.participants.add"
EMAIL_RESENT = "lms_forms.participants.resend"
PLACES_OFFERED = "lms_forms.participants.offer"
OFFERS_EXPIRED = "lms_forms.participants.offer_expired"
ATTENDANCE_MARKED = "lms_forms.participants.attendance"
CERTIFICATES_DOWNLOADED = "lms_forms.participants.certificates"


def log_for_offerings(action, user, rows_per_offering, **data):
    """One entry per offering: `rows_per_offering` maps an offering's id to its number of rows."""
    offerings = OfferingPage.objects.filter(pk__in=[pk for pk, rows in rows_per_offering.items() if rows])
    for offering in offerings:
        log(
            instance=offering, action=action, user=user, data={"rows": rows_per_offering[offering.pk], **data}
        )


def rows_per_offering(queryset):
    """{offering id: rows} for a queryset of registrations, in one query."""
    return dict(
        queryset.order_by().values("offering").annotate(rows=Count("pk")).values_list("offering", "rows")
    )


def count_per_offering(registrations):
    """{offering id: rows} for registrations already read."""
    return Counter(registration.offering_id for registration in registrations)
