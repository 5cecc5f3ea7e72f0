"""Reading the regional catalogues' feeds: `refresh_feeds()`, run on a schedule (`manage.py
fetch_regional_feeds`, or the task `refresh_regional_feeds`).

A feed of this installation's own site is built directly, as its /feed/offerings/ would be. Another
installation's is read over HTTP(S), with:
- a time limit for each connection and read, and for the whole feed (LMS_REGIONAL_FEED_TIMEOUT seconds);
- a size limit for each page of it (LMS_REGIONAL_FEED_MAX_BYTES), a limit on pages (20, and only pages on
  the feed's own host) and on offerings (LMS_REGIONAL_FEED_MAX_ITEMS);
- its ETag and Last-Modified sent back, so an unchanged feed costs a 304;
- every offering checked against the feed's JSON Schema (lms_pages.feed_schema), and its links against
  http(s): an offering that fails is left out and counted, the rest are kept.
A feed that cannot be read, or is not a feed at all, leaves its last good copy as it was and records why.
"""

import json
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from jsonschema import Draft202012Validator

from .. import feed, front_cache
from ..content_cache import bump_content_version
from ..feed_schema import SCHEMAS
from ..models.regional import FeedCopy, RegionalCataloguePage, RegionalFeed

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10
DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_MAX_ITEMS = 2_000
MAX_PAGES = 20
MAX_TEXT = {"name": 300, "description": 5_000}
USER_AGENT = "lms-regional-catalogue/1 (+https://schema.org/DataFeed)"

COURSE = Draft202012Validator({"$ref": "#/components/schemas/Course", "components": {"schemas": SCHEMAS}})


class FeedError(Exception):
    """The feed could not be read or is not a feed; its last good copy stays."""


def _setting(name, default):
    return getattr(settings, name, default)


def refresh_feeds():
    """Read every feed a live regional catalogue names. Returns {source: error or ""}."""
    sources = {
        feed_row.source: feed_row
        for feed_row in RegionalFeed.objects.filter(page__live=True).select_related("site").order_by("pk")
    }
    outcome = {source: refresh(feed_row) for source, feed_row in sources.items()}
    return outcome


def refresh(feed_row):
    """Read one feed into its copy; returns what went wrong ("" when nothing did)."""
    copy, _created = FeedCopy.objects.get_or_create(source=feed_row.source)
    now = timezone.now()
    before = (copy.name, copy.items)
    try:
        if feed_row.site_id:
            name, items, rejected, validators = _local_feed(feed_row.site)
        else:
            name, items, rejected, validators = _remote_feed(feed_row.url, copy)
    except FeedError as error:
        copy.error = str(error)
        copy.checked_at = now
        copy.save(update_fields=["error", "checked_at"])
        logger.warning("Regional feed %s: %s", feed_row.source, error)
        return copy.error
    if items is not None:  # None: unchanged since the last reading (304)
        copy.name, copy.items, copy.rejected = name, items, len(rejected)
        copy.etag, copy.last_modified = validators
    copy.error = (
        f"{len(rejected)} offerings were left out; the first: {rejected[0]}"
        if items is not None and rejected
        else ""
    )
    copy.checked_at = copy.succeeded_at = now
    copy.save()
    if (copy.name, copy.items) != before:
        transaction.on_commit(lambda: _changed(feed_row.source))
    return copy.error


def _changed(source):
    """The catalogues that list this feed show something new: drop what caches hold of them."""
    bump_content_version()
    pages = RegionalCataloguePage.objects.live().filter(
        pk__in=RegionalFeed.objects.filter(url=source).values("page")
        if not source.startswith("site:")
        else RegionalFeed.objects.filter(site_id=int(source.split(":", 1)[1])).values("page")
    )
    front_cache.purge(front_cache.page_urls(pages))


# This installation's sites.


def _local_feed(site):
    offerings = list(feed.site_offerings(site))
    items = feed.feed_items(offerings, None, timezone.now())
    kept, rejected = _checked(items)
    return feed.feed_name(site), kept, rejected, ("", "")


# Other installations'.


class _NoRedirectAway(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http(s) on the same host: a feed is not a way to reach other hosts."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = urljoin(req.full_url, headers.get("Location") or headers.get("URI") or "")
        if urlsplit(target).scheme not in ("http", "https") or (
            urlsplit(target).hostname != urlsplit(req.full_url).hostname
        ):
            raise FeedError(f"The feed redirects to another host: {target[:200]}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener():
    # Only HTTP and HTTPS: no file:, ftp: or data: addresses, whatever a feed or a redirect says.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _NoRedirectAway(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    return opener


def _remote_feed(url, copy):
    timeout = _setting("LMS_REGIONAL_FEED_TIMEOUT", DEFAULT_TIMEOUT)
    deadline = time.monotonic() + timeout
    host = urlsplit(url).hostname
    name, items, rejected, seen = "", [], [], set()
    validators = ("", "")
    page_url = url
    for number in range(MAX_PAGES):
        seen.add(page_url)
        first = number == 0
        status, body, headers = _get(page_url, deadline, copy if first else None)
        if first and status == 304:
            return copy.name, None, [], (copy.etag, copy.last_modified)
        if first:
            validators = (headers.get("ETag", "")[:255], headers.get("Last-Modified", "")[:64])
        document = _parse(body)
        name = name or str(document.get("name") or "")[:255]
        kept, left_out = _checked(document["dataFeedElement"])
        items.extend(kept)
        rejected.extend(left_out)
        if len(items) > _setting("LMS_REGIONAL_FEED_MAX_ITEMS", DEFAULT_MAX_ITEMS):
            raise FeedError("The feed holds more offerings than a regional catalogue takes.")
        following = document.get("next")
        if not following:
            return name, items, rejected, validators
        if not isinstance(following, str):
            raise FeedError("The feed's link to its next page is not an address.")
        following = urljoin(page_url, following)
        if urlsplit(following).hostname != host or urlsplit(following).scheme not in ("http", "https"):
            raise FeedError("The feed's next page is on another host.")
        if following in seen:
            raise FeedError("The feed's pages lead round in a circle.")
        page_url = following
    raise FeedError(f"The feed has more than {MAX_PAGES} pages.")


def _get(url, deadline, copy):
    """(status, body, headers) of one page of the feed, within the time and size limits."""
    # The opener has only HTTP and HTTPS handlers (_opener), and the addresses are checked before.
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})  # noqa: S310
    if copy is not None:
        if copy.etag:
            request.add_header("If-None-Match", copy.etag)
        if copy.last_modified:
            request.add_header("If-Modified-Since", copy.last_modified)
    limit = _setting("LMS_REGIONAL_FEED_MAX_BYTES", DEFAULT_MAX_BYTES)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FeedError("The feed took too long to answer.")
    try:
        with _opener().open(request, timeout=remaining) as response:
            chunks, size = [], 0
            while chunk := response.read(65_536):
                size += len(chunk)
                if size > limit:
                    raise FeedError(f"The feed is larger than {limit} bytes.")
                if time.monotonic() > deadline:
                    raise FeedError("The feed took too long to answer.")
                chunks.append(chunk)
            return response.status, b"".join(chunks), response.headers
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return 304, b"", error.headers
        raise FeedError(f"The feed answered {error.code}.") from None
    except TimeoutError:
        raise FeedError("The feed took too long to answer.") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise FeedError(
            f"The feed could not be reached: {str(getattr(error, 'reason', error))[:200]}"
        ) from None


def _parse(body):
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FeedError("The feed is not JSON in UTF-8.") from None
    if (
        not isinstance(document, dict)
        or document.get("@type") != "DataFeed"
        or not isinstance(document.get("dataFeedElement"), list)
    ):
        raise FeedError("The answer is not an offerings feed (a schema.org DataFeed).")
    return document


# Each offering.


def _checked(items):
    """(the offerings that pass, [why each other one does not])."""
    kept, rejected = [], []
    for item in items:
        reason = _problem(item)
        if reason:
            rejected.append(reason)
        else:
            kept.append(item)
    return kept, rejected


def _problem(item):
    if not isinstance(item, dict):
        return "an offering that is not an object"
    error = next(iter(COURSE.iter_errors(item)), None)
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "the offering"
        return f"{where}: {error.message[:200]}"
    for key, limit in MAX_TEXT.items():
        if len(item.get(key) or "") > limit:
            return f"{key}: longer than {limit} characters"
    links = [item["url"], *(offer["url"] for offer in item["offers"])]
    action = item.get("potentialAction")
    if isinstance(action, dict):
        links.append(action.get("target"))
    links += [
        version.get("url") for version in item.get("workTranslation") or [] if isinstance(version, dict)
    ]
    for link in links:
        if (
            not isinstance(link, str)
            or urlsplit(link).scheme not in ("http", "https")
            or not urlsplit(link).hostname
        ):
            return f"a link that is not an http(s) address: {str(link)[:100]}"
    return ""


@task()
def refresh_regional_feeds():
    """The scheduled run (see `manage.py fetch_regional_feeds`)."""
    failed = {source: error for source, error in refresh_feeds().items() if error}
    logger.info("Regional feeds read; %d with problems", len(failed))
