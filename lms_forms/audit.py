"""Wagtail's audit log for participant lists: who did what to which offering's list, and how many rows.

Entries are written against the offering page, so they appear in its history and in the site history
report. They carry counts and formats only, never a name, an email or an answer.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import LogFormatter, log

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


class ParticipantLogFormatter(LogFormatter):
    """Formats an entry from its data: rows, and a status or a format where there is one."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        rows = data.get("rows", 0)
        return self.describe(rows, data)

    def describe(self, rows, data):
        raise NotImplementedError


class Viewed(ParticipantLogFormatter):
    label = _("View participants")

    def describe(self, rows, data):
        return ngettext("Viewed %(rows)d participant", "Viewed %(rows)d participants", rows) % {"rows": rows}


class Exported(ParticipantLogFormatter):
    label = _("Export participants")

    def describe(self, rows, data):
        return ngettext(
            "Exported %(rows)d participant as %(format)s",
            "Exported %(rows)d participants as %(format)s",
            rows,
        ) % {"rows": rows, "format": data.get("format", "")}


class Imported(ParticipantLogFormatter):
    label = _("Import participants")

    def describe(self, rows, data):
        return _("Imported participants: %(new)d new, %(updated)d updated, %(unchanged)d unchanged") % {
            "new": data.get("new", 0),
            "updated": data.get("updated", 0),
            "unchanged": data.get("unchanged", 0),
        }


class StatusChanged(ParticipantLogFormatter):
    label = _("Change participants' status")

    def describe(self, rows, data):
        return ngettext(
            "Changed the status of %(rows)d participant to %(status)s",
            "Changed the status of %(rows)d participants to %(status)s",
            rows,
        ) % {"rows": rows, "status": data.get("status", "")}


class Edited(ParticipantLogFormatter):
    label = _("Edit a participant")

    def describe(self, rows, data):
        return _("Edited a participant's status or note")


class Deleted(ParticipantLogFormatter):
    label = _("Delete participants")

    def describe(self, rows, data):
        return ngettext("Deleted %(rows)d participant", "Deleted %(rows)d participants", rows) % {
            "rows": rows
        }


class Purged(ParticipantLogFormatter):
    label = _("Delete personal data past the retention period")

    def describe(self, rows, data):
        return ngettext(
            "Deleted the personal data of %(rows)d participant: the retention period had run out",
            "Deleted the personal data of %(rows)d participants: the retention period had run out",
            rows,
        ) % {"rows": rows}


class SubjectExported(ParticipantLogFormatter):
    label = _("Export one person's data")

    def describe(self, rows, data):
        return ngettext(
            "Exported one person's data: %(rows)d registration",
            "Exported one person's data: %(rows)d registrations",
            rows,
        ) % {"rows": rows}


class Erased(ParticipantLogFormatter):
    label = _("Erase one person's data")

    def describe(self, rows, data):
        return ngettext(
            "Erased one person's data at their request: %(rows)d registration",
            "Erased one person's data at their request: %(rows)d registrations",
            rows,
        ) % {"rows": rows}


FORMATTERS = {
    VIEWED: Viewed,
    EXPORTED: Exported,
    IMPORTED: Imported,
    STATUS_CHANGED: StatusChanged,
    EDITED: Edited,
    DELETED: Deleted,
    PURGED: Purged,
    SUBJECT_EXPORTED: SubjectExported,
    ERASED: Erased,
}


def register_actions(actions):
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)


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
