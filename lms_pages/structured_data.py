"""schema.org JSON-LD for an offering: a Course with a CourseInstance per group and an Offer."""

import json

from django.utils import timezone
from django.utils.html import strip_tags

from .models import Format, PriceType, RegistrationState
from .translations import localized

COURSE_MODE = {Format.ON_SITE: "onsite", Format.DIGITAL: "online", Format.HYBRID: "blended"}


# How each registration state reads as a schema.org ItemAvailability.
AVAILABILITY = {
    RegistrationState.OPEN: "InStock",
    RegistrationState.WAITING_LIST: "BackOrder",
    RegistrationState.FULL: "SoldOut",
    RegistrationState.NOT_YET_OPEN: "PreOrder",
    RegistrationState.CLOSED: "Discontinued",
    RegistrationState.CANCELLED: "Discontinued",
}


def _place(venue):
    address = {"@type": "PostalAddress", "addressLocality": venue.municipality, "addressCountry": "NO"}
    if venue.street_address:
        address["streetAddress"] = venue.street_address
    if venue.postal_code:
        address["postalCode"] = venue.postal_code
    if venue.region:
        address["addressRegion"] = venue.region
    return {"@type": "Place", "name": venue.name, "address": address}


def _location(offering, group):
    locations = []
    venue = group.venue or offering.venue
    if offering.format in (Format.ON_SITE, Format.HYBRID) and venue:
        locations.append(_place(venue))
    if offering.format in (Format.DIGITAL, Format.HYBRID):
        # The meeting link is for participants only; the platform's name is enough here.
        locations.append({"@type": "VirtualLocation", "name": offering.digital_platform or "Digital"})
    if len(locations) == 1:
        return locations[0]
    return locations or None


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def offering_json_ld(offering, request, groups):
    url = offering.get_full_url(request)
    provider = None
    if offering.organiser:
        provider = {"@type": "Organization", "name": offering.organiser.name}
        if offering.organiser.url:
            provider["url"] = offering.organiser.url

    instances = []
    for group in groups:
        sessions = group.sessions_in_order()
        instance = {
            "@type": "CourseInstance",
            "name": group.name,
            "courseMode": COURSE_MODE.get(offering.format, "onsite"),
        }
        location = _location(offering, group)
        if location:
            instance["location"] = location
        if sessions:
            instance["startDate"] = _iso(sessions[0].start)
            instance["endDate"] = _iso(sessions[-1].end or sessions[-1].start)
            instance["courseSchedule"] = {
                "@type": "Schedule",
                "repeatCount": len(sessions),
                "scheduleTimezone": "Europe/Oslo",
            }
        if group.capacity is not None:
            instance["maximumAttendeeCapacity"] = group.capacity
            instance["remainingAttendeeCapacity"] = group.places_left
        instances.append(instance)

    offer = {
        "@type": "Offer",
        "category": "Free" if offering.price_type == PriceType.FREE else "Paid",
        "price": str(offering.price_amount or 0),
        "priceCurrency": "NOK",
        "url": url,
    }
    availability = AVAILABILITY.get(offering.registration_state())
    if availability:
        offer["availability"] = f"https://schema.org/{availability}"
    if offering.registration_opens:
        offer["validFrom"] = _iso(offering.registration_opens)
    if offering.registration_closes:
        offer["validThrough"] = _iso(offering.registration_closes)

    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": offering.title,
        "description": offering.search_description or offering.introduction,
        "url": url,
        "inLanguage": [language.code for language in offering.languages.all()] or ["nb"],
        "isAccessibleForFree": offering.price_type == PriceType.FREE,
        "hasCourseInstance": instances,
        "offers": [offer],
    }
    if provider:
        data["provider"] = provider
    if offering.min_age:
        data["typicalAgeRange"] = f"{offering.min_age}-{offering.max_age or ''}"
    audiences = [str(audience) for audience in offering.audiences.all()]
    if audiences:
        data["audience"] = [{"@type": "Audience", "audienceType": name} for name in audiences]
    topics = [topic.name for topic in localized(offering.topics.all())]
    if topics:
        data["about"] = topics
    if offering.requirements:
        data["coursePrerequisites"] = strip_tags(offering.requirements)
    return data


def dump_json_ld(data):
    """JSON safe to put inside a <script> element."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
