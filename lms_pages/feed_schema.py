"""The OpenAPI 3.1 description of the offerings feed (lms_pages.feed), served at feed/openapi.json.

Its schemas are JSON Schema 2020-12, so the tests check every feed answer against them, and a regional
catalogue can check every item it takes in.
"""

from django.http import JsonResponse
from django.urls import reverse

from .feed import FEED_URL_NAME

DATE_TIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
NULLABLE_URL = {"type": ["string", "null"], "format": "uri"}

SCHEMAS = {
    "Place": {
        "type": "object",
        "required": ["@type", "name"],
        "properties": {
            "@type": {"enum": ["Place"]},
            "name": {"type": "string"},
            "address": {
                "type": "object",
                "required": ["@type", "addressLocality", "addressCountry"],
                "properties": {
                    "@type": {"enum": ["PostalAddress"]},
                    "streetAddress": {"type": "string"},
                    "postalCode": {"type": "string"},
                    "addressLocality": {"type": "string"},
                    "addressRegion": {"type": "string"},
                    "addressCountry": {"type": "string"},
                },
            },
        },
    },
    "VirtualLocation": {
        "type": "object",
        "required": ["@type", "name"],
        "properties": {"@type": {"enum": ["VirtualLocation"]}, "name": {"type": "string"}},
    },
    "Location": {
        "oneOf": [
            {"$ref": "#/components/schemas/Place"},
            {"$ref": "#/components/schemas/VirtualLocation"},
            {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Place"},
                        {"$ref": "#/components/schemas/VirtualLocation"},
                    ]
                },
            },
        ]
    },
    "Session": {
        "description": "One meeting of a group.",
        "type": "object",
        "required": ["@type", "startDate"],
        "properties": {"@type": {"enum": ["Event"]}, "startDate": DATE_TIME, "endDate": DATE_TIME},
    },
    "CourseInstance": {
        "description": "A group of the offering, with its sessions and places.",
        "type": "object",
        "required": ["@type", "name", "courseMode", "subEvent"],
        "properties": {
            "@type": {"enum": ["CourseInstance"]},
            "name": {"type": "string"},
            "courseMode": {"enum": ["onsite", "online", "blended"]},
            "location": {"$ref": "#/components/schemas/Location"},
            "startDate": DATE_TIME,
            "endDate": DATE_TIME,
            "courseSchedule": {"type": "object"},
            "maximumAttendeeCapacity": {"type": "integer", "minimum": 0},
            "remainingAttendeeCapacity": {"type": "integer", "minimum": 0},
            "subEvent": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}},
        },
    },
    "Offer": {
        "type": "object",
        "required": ["@type", "category", "price", "priceCurrency", "url"],
        "properties": {
            "@type": {"enum": ["Offer"]},
            "category": {"enum": ["Free", "Paid"]},
            "price": {"type": "string", "pattern": r"^\d+(\.\d+)?$"},
            "priceCurrency": {"enum": ["NOK"]},
            "url": URL,
            "availability": {"type": "string", "format": "uri"},
            "validFrom": DATE_TIME,
            "validThrough": DATE_TIME,
        },
    },
    "Course": {
        "description": "A live offering of the site, in the language of the site's own page tree.",
        "type": "object",
        "required": [
            "@type",
            "identifier",
            "name",
            "url",
            "inLanguage",
            "hasCourseInstance",
            "offers",
            "additionalProperty",
        ],
        "properties": {
            "@type": {"enum": ["Course"]},
            "identifier": {"type": "string", "description": "The same for the offering in every language."},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "url": URL,
            "dateModified": DATE_TIME,
            "inLanguage": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "isAccessibleForFree": {"type": "boolean"},
            "provider": {
                "type": "object",
                "required": ["@type", "name"],
                "properties": {"@type": {"enum": ["Organization"]}, "name": {"type": "string"}, "url": URL},
            },
            "typicalAgeRange": {"type": "string"},
            "audience": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@type", "audienceType"],
                    "properties": {"@type": {"enum": ["Audience"]}, "audienceType": {"type": "string"}},
                },
            },
            "about": {"type": "array", "items": {"type": "string"}},
            "coursePrerequisites": {"type": "string"},
            "hasCourseInstance": {"type": "array", "items": {"$ref": "#/components/schemas/CourseInstance"}},
            "offers": {"type": "array", "items": {"$ref": "#/components/schemas/Offer"}, "minItems": 1},
            "additionalProperty": {
                "description": "registrationState: open, waiting_list, full, not_yet_open, closed, cancelled, "
                "postponed, planned, recruited or not_required.",
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@type", "propertyID", "value"],
                    "properties": {
                        "@type": {"enum": ["PropertyValue"]},
                        "propertyID": {"enum": ["registrationState"]},
                        "value": {"type": "string"},
                    },
                },
            },
            "potentialAction": {
                "type": "object",
                "required": ["@type", "target"],
                "properties": {"@type": {"enum": ["RegisterAction"]}, "target": URL},
            },
            "workTranslation": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@type", "inLanguage", "url"],
                    "properties": {
                        "@type": {"enum": ["Course"]},
                        "inLanguage": {"type": "string"},
                        "url": URL,
                    },
                },
            },
        },
    },
    "OfferingsFeed": {
        "type": "object",
        "required": [
            "@context",
            "@type",
            "name",
            "url",
            "numberOfItems",
            "page",
            "pageCount",
            "next",
            "previous",
            "dataFeedElement",
        ],
        "properties": {
            "@context": {"enum": ["https://schema.org"]},
            "@type": {"enum": ["DataFeed"]},
            "name": {"type": "string"},
            "url": URL,
            "provider": {"type": "object"},
            "numberOfItems": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pageCount": {"type": "integer", "minimum": 1},
            "next": NULLABLE_URL,
            "previous": NULLABLE_URL,
            "dataFeedElement": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}},
        },
    },
}


def openapi_document(feed_path):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Offerings feed",
            "version": "1.0",
            "description": "The live learning and coping offerings of this site as schema.org Course objects. "
            "Read-only, public, no personal data. Answers carry an ETag (send If-None-Match for a 304) "
            "and Cache-Control.",
        },
        "paths": {
            feed_path: {
                "get": {
                    "summary": "The site's live offerings, a page at a time, in the order of the page tree.",
                    "parameters": [
                        {
                            "name": "page",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "default": 1},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of offerings.",
                            "headers": {"ETag": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/OfferingsFeed"}}
                            },
                        },
                        "304": {"description": "Unchanged since the ETag sent in If-None-Match."},
                        "404": {"description": "No such page."},
                    },
                }
            }
        },
        "components": {"schemas": SCHEMAS},
    }


def openapi_schema(request):
    return JsonResponse(openapi_document(reverse(FEED_URL_NAME)))
