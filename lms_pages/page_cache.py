"""The application's own copy of whole public pages, for the reads that no front cache answers.

A response that lms_pages.cache_headers marks public (an anonymous visitor's view of a public page) is
kept in Django's cache, Redis in production, under its host and full address, until the next moment time
changes the page (a session starts, registration opens or closes), and at most for the content cache's
timeout (LMS_CONTENT_CACHE_TIMEOUT). Another site's public response (without that moment) is kept for its
`s-maxage`.

The key carries two versions, so a change is seen at once by every application server:
- the content version (lms_pages.content_cache), new on every publish, move, deletion, vocabulary or
  site settings change;
- the places version, new whenever the places left or a waiting list change.

A request with a session (an editor, or a visitor in the middle of a form's flow), or anything but a GET,
goes past it.

Turned on by LMS_PAGE_CACHE (production's settings); the middleware sits after the security headers'
middleware and before the session's, so that a page from the cache skips everything else.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_max_age

from .content_cache import CONTENT_VERSION_KEY, content_version
from .content_cache import timeout as content_cache_timeout

PLACES_VERSION_KEY = "lms_pages:places-version"


def bump_places_version():
    """Called when the places left or a waiting list change, so that no page shows the old counts."""
    cache.set(PLACES_VERSION_KEY, uuid.uuid4().hex, None)


def shared_seconds(response):
    """How long a shared cache may keep the response: its s-maxage when it is public; else 0."""
    cache_control = response.get("Cache-Control", "")
    if "public" not in cache_control or "private" in cache_control or "no-store" in cache_control:
        return 0
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name == "s-maxage" and value.isdigit():
            return int(value)
    return get_max_age(response) or 0


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "LMS_PAGE_CACHE", False) or not self.may_use(request):
            return self.get_response(request)
        key = self.key(request)
        response = cache.get(key)
        if response is not None:
            return response
        response = self.get_response(request)
        seconds = self.seconds(response)
        if seconds > 0 and response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, response, seconds)
        return response

    def seconds(self, response):
        shared = shared_seconds(response)
        if not shared or not hasattr(response, "unchanged_for"):
            return shared
        if response.unchanged_for is None:
            return content_cache_timeout()
        return min(response.unchanged_for, content_cache_timeout())

    def may_use(self, request):
        return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES

    def key(self, request):
        versions = cache.get_many([CONTENT_VERSION_KEY, PLACES_VERSION_KEY])
        content = versions.get(CONTENT_VERSION_KEY) or content_version()
        places = versions.get(PLACES_VERSION_KEY, "")
        address = hashlib.md5(
            f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        return f"lms_pages:page:{content}:{places}:{address}"
