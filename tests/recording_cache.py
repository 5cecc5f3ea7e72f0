"""A front cache backend for the tests: it keeps the URLs it is asked to purge in `purged`."""

from wagtail.contrib.frontend_cache.backends.base import BaseBackend

purged = []


class RecordingBackend(BaseBackend):
    def purge(self, url):
        purged.append(url)
