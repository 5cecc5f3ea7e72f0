"""How the participant entries of Wagtail's audit log read in the admin: counts, never personal values."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import LogFormatter

from .. import audit


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
        fields = data.get("fields")
        if not fields:
            return _("Edited a participant's status or note")
        return _("Edited a participant: %(fields)s") % {"fields": ", ".join(map(str, fields))}


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


class Moved(ParticipantLogFormatter):
    label = _("Move participants to another group")

    def describe(self, rows, data):
        return ngettext(
            "Moved %(rows)d participant to another group",
            "Moved %(rows)d participants to another group",
            rows,
        ) % {"rows": rows}


class Added(ParticipantLogFormatter):
    label = _("Add a participant by hand")

    def describe(self, rows, data):
        return _("Added a participant by hand")


class EmailResent(ParticipantLogFormatter):
    label = _("Send a participant's email again")

    def describe(self, rows, data):
        return _("Sent a participant's email again")


class PlacesOffered(ParticipantLogFormatter):
    label = _("Offer freed places to the waiting list")

    def describe(self, rows, data):
        return ngettext(
            "Offered a freed place to %(rows)d person on the waiting list",
            "Offered freed places to %(rows)d people on the waiting list",
            rows,
        ) % {"rows": rows}


class OffersExpired(ParticipantLogFormatter):
    label = _("End offers not answered in time")

    def describe(self, rows, data):
        return ngettext(
            "Ended %(rows)d offer not answered in time", "Ended %(rows)d offers not answered in time", rows
        ) % {"rows": rows}


class AttendanceMarked(ParticipantLogFormatter):
    label = _("Mark attendance")

    def describe(self, rows, data):
        if data.get("present"):
            return _("Marked a participant present at a session")
        return _("Marked a participant absent from a session")


class CertificatesDownloaded(ParticipantLogFormatter):
    label = _("Download certificates of attendance")

    def describe(self, rows, data):
        return ngettext(
            "Downloaded %(rows)d certificate of attendance",
            "Downloaded %(rows)d certificates of attendance",
            rows,
        ) % {"rows": rows}


FORMATTERS = {
    audit.VIEWED: Viewed,
    audit.EXPORTED: Exported,
    audit.IMPORTED: Imported,
    audit.STATUS_CHANGED: StatusChanged,
    audit.EDITED: Edited,
    audit.DELETED: Deleted,
    audit.PURGED: Purged,
    audit.SUBJECT_EXPORTED: SubjectExported,
    audit.ERASED: Erased,
    audit.MOVED: Moved,
    audit.ADDED: Added,
    audit.EMAIL_RESENT: EmailResent,
    audit.PLACES_OFFERED: PlacesOffered,
    audit.OFFERS_EXPIRED: OffersExpired,
    audit.ATTENDANCE_MARKED: AttendanceMarked,
    audit.CERTIFICATES_DOWNLOADED: CertificatesDownloaded,
}


def register_actions(actions):
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
