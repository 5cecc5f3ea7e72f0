"""A session as a participant's form page shows it: in the language of that form's offering page.

Registrations hold a place in a group of the original offering, but a participant who registered
through a translation reads the translation: its title, the group's name there (same key) and the
session's topic and place there (same start). A reminder or a notice of a change says it in those words,
and attaches the session as a calendar file whose event has the original session's id, so it updates
the event the participant may have imported from the offering's calendar.

    texts = SessionTexts()
    shown = texts.of(form_page, session)     # read once per form page and session, then kept
"""

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from lms_pages.formats import local_format
from lms_pages.ics import session_calendar, session_location
from lms_pages.models import GroupSession, OfferingPage


@dataclass
class ShownSession:
    offering: OfferingPage
    offering_title: str
    group_name: str
    session: GroupSession
    location: str
    url: str

    @property
    def is_digital(self):
        return not (self.session.venue or self.session.group.venue or self.offering.venue)

    def when(self):
        """ "Tuesday 15 January 2030, 18:00–20:00" in the active language."""
        start = local_format(self.session.start, "weekday_datetime")
        if not self.session.end:
            return start
        return _("%(start)s–%(end)s") % {"start": start, "end": local_format(self.session.end, "time")}

    def calendar(self, original_session):
        """The session as a calendar file: the same for everyone reading it, so it is made once."""
        if not hasattr(self, "_calendar"):
            self._calendar = self._make_calendar(original_session)
        return self._calendar

    def _make_calendar(self, original_session):
        return session_calendar(
            self.offering,
            self.session.group,
            self.session,
            url=self.url,
            uid_session=original_session,
        )


class SessionTexts:
    """Reads the offering pages behind form pages once, and each shown session once."""

    def __init__(self):
        self._offerings = {}
        self._shown = {}

    def offering_of(self, form_page):
        if form_page.pk not in self._offerings:
            offering = (
                OfferingPage.objects.filter(path=form_page.path[: -form_page.steplen])
                .select_related("venue")
                .first()
            )
            if offering is not None:
                prefetch_related_objects([offering], "groups__venue", "groups__sessions__venue")
            self._offerings[form_page.pk] = offering
        return self._offerings[form_page.pk]

    def of(self, form_page, session):
        """`session` (a session of the original's group) as `form_page`'s offering shows it."""
        key = (form_page.pk, session.pk)
        if key not in self._shown:
            self._shown[key] = self._build(form_page, session)
        return self._shown[key]

    def _build(self, form_page, session):
        group = session.group
        offering = self.offering_of(form_page) or group.offering
        shown_group = next((g for g in offering.groups.all() if g.key == group.key), None)
        shown_session = session
        if shown_group is not None:
            shown_session = next((s for s in shown_group.sessions.all() if s.start == session.start), session)
        else:
            shown_group = group
        if shown_session is not session:
            shown_session.group = shown_group
        url = offering.get_full_url() or ""
        return ShownSession(
            offering=offering,
            offering_title=offering.title,
            group_name=shown_group.name,
            session=shown_session,
            location=session_location(offering, shown_group, shown_session),
            url=url,
        )
