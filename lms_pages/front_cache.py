"""Telling the shared cache in front of the site (Varnish, a CDN) which pages have changed.

Through Wagtail's frontend cache invalidation (`wagtail.contrib.frontend_cache`, settings
WAGTAILFRONTENDCACHE): the URLs go to its purge task, which the task worker runs once however many workers
there are. What a change affects:

- a page published, unpublished, moved or deleted: the page, the pages that list or name it (its parent,
  the catalogues above it, the offerings that link to it as related, its children, which show its title
  and state; all its descendants when its title or address changed);
- a vocabulary row (topic, venue, organiser, language): the offerings that show it, and the catalogues;
- the site settings (name, logo, contact details in every page's header and footer): every page;
- an image or document changed in place: the pages that show it, as for a publish of each;
- the places left or the registration state of an offering's groups: the offering and its children,
  and the catalogues above it.

Each of those pages in every language, its translations and aliases included, with its sub-addresses
(an offering's calendar files, `get_cached_paths`); and with them what lists every page of the site, its
sitemap and its offerings feed (lms_pages.feed). A catalogue's filtered addresses (`?topic=…`) are
the catalogue's own address to the cache: the Varnish configuration in docs/varnish.vcl purges a path
with every query string of it.
"""

from contextlib import suppress
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import NoReverseMatch
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page, ReferenceIndex, Site

from .cache_headers import purges_configured
from .feed import feed_url
from .models import CataloguePage, OfferingGroup, OfferingPage, RelatedOffering


def enabled():
    return purges_configured()


def versions(keys):
    """The live pages with these translation keys, in every language, aliases included."""
    return Page.objects.live().filter(Q(translation_key__in=keys) | Q(alias_of__translation_key__in=keys))


def page_urls(pages):
    """Every full URL under which the pages are served, their sub-addresses included."""
    urls = set()
    cache_object = SimpleNamespace()  # Wagtail keeps the site root paths on it for the whole batch
    for page in pages:
        page_url = page.get_full_url(cache_object)
        if page_url is None:
            continue
        urls.update(page_url + path.lstrip("/") for path in page.specific_deferred.get_cached_paths())
    return urls


def site_wide_urls(sites):
    """What lists every page of a site: its sitemap and its offerings feed (when the host serves it)."""
    urls = set()
    for site in sites:
        if site is None:
            continue
        urls.add(site.root_url + "/sitemap.xml")
        with suppress(NoReverseMatch):
            urls.add(feed_url(site))
    return urls


def affected_by_page(page, *, with_descendants=False):
    """The translation keys of the pages that show `page`: itself, its parent, the catalogues above it,
    the offerings that link to it, its children (or all descendants)."""
    ancestors = page.get_ancestors().filter(depth__gt=1)
    keys = {page.translation_key}
    keys.update(
        ancestors.filter(Q(depth=page.depth - 1) | Q(pk__in=ancestors.type(CataloguePage))).values_list(
            "translation_key", flat=True
        )
    )
    below = page.get_descendants() if with_descendants else page.get_children()
    keys.update(below.values_list("translation_key", flat=True))
    keys.update(
        RelatedOffering.objects.filter(offering_page__translation_key=page.translation_key).values_list(
            "offering__translation_key", flat=True
        )
    )
    return keys


def urls_for_page_change(page, *, with_descendants=False):
    pages = list(versions(affected_by_page(page, with_descendants=with_descendants)).specific(defer=True))
    # The page itself, also when it has just been unpublished (versions() holds live pages only).
    pages.append(page)
    return page_urls(pages) | site_wide_urls([page.get_site()])


def urls_for_offerings(offering_ids):
    """The offerings whose places or registration state changed, their children and their catalogues."""
    keys, sites = set(), set()
    for offering in OfferingPage.objects.filter(pk__in=offering_ids):
        keys.update(offering.get_children().values_list("translation_key", flat=True))
        keys.update(offering.get_ancestors().type(CataloguePage).values_list("translation_key", flat=True))
        keys.add(offering.translation_key)
        sites.add(offering.get_site())
    return page_urls(versions(keys).specific(defer=True)) | site_wide_urls(sites)


def purge_groups(group_ids):
    """The places left or the waiting list of these groups changed."""
    offering_ids = OfferingGroup.objects.filter(pk__in=group_ids).values_list("offering_id", flat=True)
    purge(urls_for_offerings(set(offering_ids)))


def urls_for_vocabulary(offerings):
    """A topic, venue, organiser or language changed: the offerings that show it, and every catalogue
    (their filters list the vocabulary)."""
    keys = set(offerings.values_list("translation_key", flat=True))
    keys.update(CataloguePage.objects.values_list("translation_key", flat=True))
    return page_urls(versions(keys).specific(defer=True)) | site_wide_urls(Site.objects.all())


def urls_for_site(site):
    """Every live page of the site, in every language tree under it."""
    in_trees = Q()
    for root in Page.objects.filter(translation_key=site.root_page.translation_key):
        in_trees |= Q(path__startswith=root.path)
    return page_urls(Page.objects.live().filter(in_trees).specific(defer=True)) | site_wide_urls([site])


def urls_for_media(instance):
    """An image or document changed in place: the pages that show it (Wagtail's reference index), with
    what lists them."""
    page_type = ContentType.objects.get_for_model(Page)
    ids = (
        ReferenceIndex.get_references_to(instance)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    urls = set()
    for page in Page.objects.filter(pk__in=[int(pk) for pk in ids]).specific(defer=True):
        urls |= urls_for_page_change(page)
    return urls


def purge(urls):
    """Send the URLs to the configured front caches (a task; nothing when none is configured)."""
    if enabled() and urls:
        purge_urls_from_cache(sorted(urls))
