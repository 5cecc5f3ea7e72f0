"""Wagtail's HTTP purge backend, with a time limit.

Wagtail's `HTTPBackend` opens each PURGE without a timeout, so a front cache that accepts the connection
and never answers would hold the task worker that sends it for good. This one gives up after `TIMEOUT`
seconds (default 5), logs it like any other failed purge, and goes on with the next URL; the page is
then kept at most until its `s-maxage` runs out.
"""

import logging
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from wagtail import __version__
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest

logger = logging.getLogger("wagtail.frontendcache")

DEFAULT_TIMEOUT = 5


class TimeoutHTTPBackend(HTTPBackend):
    def __init__(self, params):
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", DEFAULT_TIMEOUT))
        super().__init__(params)

    def purge(self, url):
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        request = PurgeRequest(
            url=urlunsplit([self.cache_scheme, self.cache_netloc, parts.path, parts.query, parts.fragment]),
            headers={"Host": host, "User-Agent": "Wagtail-frontendcache/" + __version__},
        )
        try:
            with urlopen(request, timeout=self.timeout):  # noqa: S310 - the configured LOCATION's scheme
                pass
        except HTTPError as error:
            logger.error(
                "Couldn't purge '%s' from HTTP cache. HTTPError: %d %s", url, error.code, error.reason
            )
        except URLError as error:
            logger.error("Couldn't purge '%s' from HTTP cache. URLError: %s", url, error.reason)
        except (TimeoutError, OSError) as error:
            logger.error("Couldn't purge '%s' from HTTP cache in %s s: %s", url, self.timeout, error)
