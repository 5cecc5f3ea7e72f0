"""iCalendar files of an offering's sessions, for visitors' own calendars, and of one session."""

import datetime
import re
import zoneinfo
from urllib.parse import urlsplit

from django.utils import timezone
from icalendar import Calendar, Event, vText

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
# Meeting links are for participants only and never leave the site in a calendar file.
LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def _without_links(text):
    return " ".join(LINK.sub("", text).split())


def offering_calendar(offering, request, groups=None):
    """The sessions of the offering's groups (or of `groups`) as an iCalendar file."""
    sessions = [
        (group, session)
        for group in (offering.groups.all() if groups is None else groups)
        for session in group.sessions_in_order()
    ]
    return _calendar(offering, sessions, event_host(offering, request), offering.get_full_url(request))


def event_host(offering, request=None):
    """The host name in the events' ids: the offering's site's, so the id of a session is the same in
    every file that carries it (a download, a reminder), whatever address it was fetched from."""
    parts = offering.get_url_parts(request)
    host = urlsplit(parts[1]).hostname if parts else None
    if host:
        return host
    return request.get_host().split(":")[0] if request else "lms.invalid"


def session_calendar(offering, group, session, *, url, uid_session=None):
    """One session as an iCalendar file, e.g. attached to a reminder. `uid_session`: the session whose
    id names the event (the original's, when `session` is a translation's), so the event a participant
    imported from the offering's calendar is updated, not duplicated."""
    return _calendar(offering, [(group, session)], event_host(offering), url, uid_session=uid_session)


def _calendar(offering, sessions, host, url, uid_session=None):
    calendar = Calendar()
    calendar.add("prodid", "-//Lærings- og mestringstilbud//NO")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", offering.title)
    calendar.add("x-wr-timezone", "Europe/Oslo")
    stamp = offering.last_published_at or timezone.now()
    for group, session in sessions:
        event = Event()
        # Stable across downloads, so a calendar that imports the file again updates, not duplicates.
        event.add("uid", f"lms-session-{(uid_session or session).pk}@{host}")
        event.add("dtstamp", stamp.astimezone(datetime.UTC))
        event.add("dtstart", session.start.astimezone(OSLO))
        if session.end:
            event.add("dtend", session.end.astimezone(OSLO))
        summary = f"{offering.title} – {group.name}"
        if session.topic:
            summary = f"{summary}: {_without_links(session.topic)}"
        event.add("summary", summary)
        if offering.joining_instructions and not (session.venue or group.venue or offering.venue):
            event.add("description", _without_links(offering.joining_instructions))
        location = session_location(offering, group, session)
        if location:
            event.add("location", vText(location))
        if url:
            event.add("url", url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def session_location(offering, group, session):
    """Where, in words; a digital session names its platform but never carries the meeting link."""
    venue = session.venue or group.venue or offering.venue
    parts = []
    if session.place_note:
        parts.append(_without_links(session.place_note))
    if venue:
        parts.append(str(venue))
        if venue.address_line and venue.street_address:
            parts.append(venue.address_line)
    elif offering.digital_platform:
        parts.append(offering.digital_platform)
    return ", ".join(part for part in parts if part)
