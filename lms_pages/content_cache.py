"""Cached values derived from published content, all dropped at once whenever content changes.

Every key carries the current content version; publishing, moving or deleting a page, or saving a
vocabulary or the site settings, sets a new version, so no stale entry is ever read again.
"""

import uuid

from django.conf import settings
from django.core.cache import cache

CONTENT_VERSION_KEY = "lms_pages:content-version"
# A safety net for caches that are not shared between processes (e.g. local memory), where another
# process's new version is not seen: nothing is staler than this. A shared cache (Redis) sees every new
# version at once, so its entries may live as long as the content (LMS_CONTENT_CACHE_TIMEOUT).
DEFAULT_TIMEOUT = 300


def timeout():
    return getattr(settings, "LMS_CONTENT_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def bump_content_version():
    """Called when content changes, so every cached value is rebuilt."""
    cache.set(CONTENT_VERSION_KEY, uuid.uuid4().hex, None)


def content_version():
    return cache.get_or_set(CONTENT_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def get_or_build(name, build, is_fresh=None):
    """The cached value for `name` at the current content version, built by `build()` when missing, or
    when `is_fresh(value)` says that time has made it stale."""
    key = f"lms_pages:{name}:{content_version()}"
    value = cache.get(key)
    if value is None or (is_fresh is not None and not is_fresh(value)):
        value = build()
        cache.set(key, value, timeout())
    return value
