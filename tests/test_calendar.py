"""The offering's sessions as an iCalendar file, for a visitor's own calendar."""

import datetime
import re

import icalendar
import pytest

from tests.factories import OfferingPageFactory, VenueFactory, add_group, oslo

UTC = datetime.UTC
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


@pytest.fixture
def offering(catalogue):
    offering = OfferingPageFactory(parent=catalogue, title="Hodepineskolen")
    add_group(
        offering,
        "Oslo",
        venue=VenueFactory(
            name="Ullevål sykehus", street_address="Kirkeveien 166", postal_code="0450", municipality="Oslo"
        ),
        sessions=[
            # 17:00 UTC in winter (UTC+1) and 16:00 UTC in summer (UTC+2) are both 18:00 in Oslo.
            {
                "start": datetime.datetime(2030, 1, 15, 17, tzinfo=UTC),
                "end": datetime.datetime(2030, 1, 15, 19, tzinfo=UTC),
                "topic": "Hva er hodepine?",
                "place_note": "Auditorium 2",
            },
            {
                "start": datetime.datetime(2030, 6, 11, 16, tzinfo=UTC),
                "end": datetime.datetime(2030, 6, 11, 18, 30, tzinfo=UTC),
                "topic": "Medisiner",
            },
        ],
    )
    add_group(
        offering,
        "Digital",
        sessions=[
            {
                "start": oslo(2030, 3, 31, 10),  # the first day of summer time
                "place_note": "Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
                "topic": "Oppstart, se www.example.org/mote eller HTTP://EXAMPLE.ORG/x",
            }
        ],
    )
    # Another offering's session is not in this offering's file.
    add_group(OfferingPageFactory(parent=catalogue), "Annen", sessions=[oslo(2030, 1, 15, 18)])
    return offering


@pytest.fixture
def download(client):
    def get(offering):
        response = client.get(f"{offering.url}kalender/")
        assert response.status_code == 200
        return response

    return get


def events(response):
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_served_as_a_calendar_file(offering, download):
    response = download(offering)
    assert response["Content-Type"].split(";")[0] == "text/calendar"
    assert response["Content-Disposition"] == 'attachment; filename="hodepineskolen.ics"'


def test_one_event_per_session_in_oslo_wall_time(offering, download):
    by_summary = {str(event["SUMMARY"]): event for event in events(download(offering))}
    assert set(by_summary) == {
        "Hodepineskolen – Oslo: Hva er hodepine?",
        "Hodepineskolen – Oslo: Medisiner",
        "Hodepineskolen – Digital: Oppstart, se eller",
    }
    winter = by_summary["Hodepineskolen – Oslo: Hva er hodepine?"]
    summer = by_summary["Hodepineskolen – Oslo: Medisiner"]
    first_summer_day = by_summary["Hodepineskolen – Digital: Oppstart, se eller"]
    expected = [
        (winter, "DTSTART", b"20300115T180000"),
        (winter, "DTEND", b"20300115T200000"),
        (summer, "DTSTART", b"20300611T180000"),
        (summer, "DTEND", b"20300611T203000"),
        (first_summer_day, "DTSTART", b"20300331T100000"),
    ]
    for event, name, wall_time in expected:
        assert event[name].params["TZID"] == "Europe/Oslo"
        assert event[name].to_ical() == wall_time
    assert winter.decoded("DTSTART") == datetime.datetime(2030, 1, 15, 17, tzinfo=UTC)
    assert summer.decoded("DTSTART") == datetime.datetime(2030, 6, 11, 16, tzinfo=UTC)
    assert "DTEND" not in first_summer_day
    assert str(winter["LOCATION"]).startswith("Auditorium 2, Ullevål sykehus")
    assert "Kirkeveien 166, 0450 Oslo" in str(winter["LOCATION"])


def test_the_file_describes_europe_oslo(offering, download):
    calendar = icalendar.Calendar.from_ical(download(offering).content)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]


def test_uids_are_unique_and_stable_across_downloads(offering, download):
    first = [str(event["UID"]) for event in events(download(offering))]
    second = [str(event["UID"]) for event in events(download(offering))]
    assert len(set(first)) == 3
    assert sorted(first) == sorted(second)


def test_a_draft_offering_has_no_calendar(catalogue, client):
    draft = OfferingPageFactory(parent=catalogue, title="Utkast", live=False)
    add_group(draft, "Oslo", sessions=[oslo(2030, 1, 15, 18)])
    assert client.get(f"{draft.url}kalender/").status_code == 404


def test_meeting_links_never_leave_the_site(offering, download):
    (digital,) = [event for event in events(download(offering)) if "Digital" in str(event["SUMMARY"])]
    assert str(digital["LOCATION"]).startswith("Teams:")
    for event in events(download(offering)):
        for name in ("LOCATION", "SUMMARY", "DESCRIPTION"):
            assert not LINK.search(str(event.get(name, ""))), (name, str(event.get(name)))
