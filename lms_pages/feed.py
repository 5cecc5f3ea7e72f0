"""A read-only feed of a site's live offerings as schema.org Course objects, for regional catalogues and
anyone else who lists them.

It holds what the offering pages show to everyone and no personal data: per offering its groups
(CourseInstance) with their sessions, places and places left, the registration state, the languages it
is taught in, its translations, and links to its page and its registration form. Paginated (`?page=`,
LMS_FEED_PAGE_SIZE a page), with an ETag and the pages' cache headers, and purged with them
(lms_pages.front_cache). Its OpenAPI schema is served beside it (lms_pages.feed_schema).
"""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch, Q
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from .cache_headers import mark_shared
from .models import LmsSiteSettings, OfferingGroup, OfferingPage
from .models.base import without_restricted
from .structured_data import offering_json_ld

DEFAULT_PAGE_SIZE = 50
FEED_URL_NAME = "lms_offerings_feed"


def page_size():
    return getattr(settings, "LMS_FEED_PAGE_SIZE", DEFAULT_PAGE_SIZE)


def site_offerings(site):
    """The site's live, public offerings in its own language tree, in the order of the page tree."""
    offerings = OfferingPage.objects.live().descendant_of(site.root_page).filter(alias_of__isnull=True)
    return (
        without_restricted(offerings)
        .select_related("organiser", "venue")
        .prefetch_related(
            "audiences",
            "topics",
            "languages",
            Prefetch("groups", queryset=OfferingGroup.objects.select_related("venue", "occupancy")),
            "groups__sessions",
        )
        .order_by("path")
    )


def feed_name(site):
    return LmsSiteSettings.for_site(site).texts.organisation_name or site.site_name or site.hostname


def feed_url(site):
    return site.root_url + reverse(FEED_URL_NAME)


def offerings_feed(request):
    site = Site.find_for_request(request)
    if site is None:
        return JsonResponse({"error": "No site answers to this address."}, status=404)
    paginator = Paginator(site_offerings(site), page_size())
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        return JsonResponse(
            {"error": f"There is no such page: pages are 1 to {paginator.num_pages}."}, status=404
        )
    offerings = list(page.object_list)
    now = timezone.now()
    items = feed_items(offerings, request, now)
    url = request.build_absolute_uri(reverse(FEED_URL_NAME))
    name = feed_name(site)
    data = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": name,
        "url": url,
        "provider": {"@type": "Organization", "name": name, "url": site.root_url},
        "numberOfItems": paginator.count,
        "page": page.number,
        "pageCount": paginator.num_pages,
        "next": f"{url}?page={page.next_page_number()}" if page.has_next() else None,
        "previous": f"{url}?page={page.previous_page_number()}" if page.has_previous() else None,
        "dataFeedElement": items,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    changes = [
        moment for moment in (offering.front_cache_changes_at(now) for offering in offerings) if moment
    ]
    return mark_shared(response, min(changes, default=None), now)


def feed_items(offerings, request, now):
    translations = _translations(offerings, request)
    forms = _registration_forms(offerings, request)
    items = []
    for offering in offerings:
        groups = list(offering.groups.all())
        item = offering_json_ld(offering, request, groups)
        del item["@context"]
        item["identifier"] = str(offering.translation_key)
        if offering.last_published_at:
            item["dateModified"] = timezone.localtime(offering.last_published_at).isoformat()
        item["additionalProperty"] = [
            {
                "@type": "PropertyValue",
                "propertyID": "registrationState",
                "value": offering.registration_state(now),
            }
        ]
        for instance, group in zip(item["hasCourseInstance"], groups, strict=True):
            instance["subEvent"] = [
                {
                    "@type": "Event",
                    "startDate": timezone.localtime(session.start).isoformat(),
                    **({"endDate": timezone.localtime(session.end).isoformat()} if session.end else {}),
                }
                for session in group.sessions_in_order()
            ]
        if offering.pk in forms:
            item["potentialAction"] = {"@type": "RegisterAction", "target": forms[offering.pk]}
        if translations.get(offering.translation_key):
            item["workTranslation"] = translations[offering.translation_key]
        items.append(item)
    return items


def _translations(offerings, request):
    """{translation key: [{inLanguage, url}]} of the offerings' real translations, in one query."""
    keys = [offering.translation_key for offering in offerings]
    if not keys:
        return {}
    own = {offering.pk for offering in offerings}
    versions = (
        OfferingPage.objects.live()
        .filter(translation_key__in=keys, alias_of__isnull=True)
        .exclude(pk__in=own)
        .select_related("locale")
        .order_by("locale__language_code")
    )
    found = {}
    for version in versions:
        url = version.get_full_url(request)
        if url:
            found.setdefault(version.translation_key, []).append(
                {"@type": "Course", "inLanguage": version.locale.language_code, "url": url}
            )
    return found


def _registration_forms(offerings, request):
    """{offering pk: the full URL of its live registration form}, for those people sign up for here."""
    signing_up = [offering for offering in offerings if offering.registers_on_site]
    if not signing_up:
        return {}
    children = Q()
    for offering in signing_up:
        children |= Q(path__startswith=offering.path, depth=offering.depth + 1)
    by_path = {offering.path: offering for offering in signing_up}
    forms = {}
    for child in without_restricted(Page.objects.live().filter(children)).order_by("path"):
        offering = by_path[child.path[: -Page.steplen]]
        if getattr(child.specific_class, "is_registration_form", False) and offering.pk not in forms:
            forms[offering.pk] = child.get_full_url(request)
    return forms
