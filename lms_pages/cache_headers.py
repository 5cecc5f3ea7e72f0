"""What a shared cache in front of the site (Varnish, a CDN) may keep of a page, and for how long.

A public page read by an anonymous visitor is the same for everyone, so it is marked `public` with
`s-maxage`: a shared cache keeps it until the page changes, when lms_pages.front_cache purges it, or until
the next moment at which time alone changes it (a session starts, registration opens or closes), whichever
comes first. Browsers get `max-age=0` and revalidate with the ETag (Django's ConditionalGetMiddleware), so
a page never looks older in a browser than in the shared cache.

The offerings feed (lms_pages.feed) is shared by the same rule. Everything else stays private: pages for
a logged-in editor (they carry the user bar), pages behind a view restriction, and pages that say
`shared_cache = False` (the registration and evaluation forms, which hold a CSRF token and a person's
answers).
"""

import math

from django.conf import settings
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Without a purge backend (WAGTAILFRONTENDCACHE) a shared cache is never told that a page changed, so it
# may keep one for a minute only; with one, for a day (LMS_FRONT_CACHE_SECONDS overrides both).
UNPURGED_SECONDS = 60
PURGED_SECONDS = 24 * 60 * 60


def purges_configured():
    """Whether a front cache is told of changed pages (Wagtail's WAGTAILFRONTENDCACHE)."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def shared_cache_seconds():
    default = PURGED_SECONDS if purges_configured() else UNPURGED_SECONDS
    return getattr(settings, "LMS_FRONT_CACHE_SECONDS", default)


def may_be_shared(page, request):
    """Whether this response of `page` is the same for every anonymous visitor."""
    if not getattr(page, "shared_cache", True) or request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return not page.get_view_restrictions().exists()


def set_cache_headers(page, request, response):
    """Mark a page's response as one a shared cache may keep, or as private."""
    if response.has_header("Cache-Control") or response.status_code != 200:
        return response
    if not may_be_shared(page, request):
        add_never_cache_headers(response)
        return response
    now = timezone.now()
    return mark_shared(response, page.front_cache_changes_at(now), now)


def mark_shared(response, changes_at, now):
    """Let shared caches keep the response until `changes_at` (None: until content changes)."""
    # Read by lms_pages.page_cache, which is told of every other change and may keep the page until then.
    response.unchanged_for = (
        None if changes_at is None else max(0, math.ceil((changes_at - now).total_seconds()))
    )
    seconds = shared_cache_seconds()
    if response.unchanged_for is not None:
        seconds = min(seconds, response.unchanged_for)
    patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
    return response
