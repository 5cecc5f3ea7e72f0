"""Pages in several languages, with Wagtail's internationalisation.

Editors keep a page tree per language: the original (bokmål, the tree the site's root page is in) and,
for nynorsk and English, aliases that show the original until someone translates them, or translations.
Two rules follow from that:

- Places belong to the original. A translation or alias of an offering shows, and takes registrations
  for, the groups of the page it was made from, so that no group's places are counted once per language.
- The language switcher and the hreflang links go to the page's own version in each language.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info, override
from wagtail.models import Locale, Page, Site


def page_versions(page, request=None):
    """The live versions of the page in every language, itself included, as {language code: page}.

    One query, once per page object; none on a site with a single language tree, where the page has no
    version but itself (a page's locale is its tree's, so another locale needs another tree).
    """
    if not hasattr(page, "_lms_versions"):
        trees = _languages_with_a_tree(request)
        if len(trees) == 1:
            page._lms_versions = {next(iter(trees)): page}
        else:
            versions = (
                Page.objects.filter(translation_key=page.translation_key)
                .live()
                .select_related("locale")
                .only("id", "url_path", "alias_of_id", "locale__language_code", "locale_id")
            )
            page._lms_versions = {version.locale.language_code: version for version in versions}
    return page._lms_versions


def in_locale(pages, locale_id):
    """Each page replaced by its live version in the locale, where it has one: one query, and none when
    every page is in that locale already. `pages` share one model, which the versions are read as."""
    foreign = [page.translation_key for page in pages if page is not None and page.locale_id != locale_id]
    if not foreign:
        return list(pages)
    model = type(next(page for page in pages if page is not None and page.locale_id != locale_id))
    own = {
        version.translation_key: version
        for version in model.objects.live().filter(locale_id=locale_id, translation_key__in=foreign)
    }
    return [own.get(page.translation_key, page) if page is not None else None for page in pages]


def originals(pages):
    """The pages of the queryset that are originals: not aliases, and in the default locale unless they
    have no version there (a page written in another language first). Registrations belong to these."""
    default = Locale.get_default()
    version_in_default = pages.model.objects.filter(
        translation_key=OuterRef("translation_key"), locale=default
    )
    return pages.filter(Q(locale=default) | ~Exists(version_in_default), alias_of__isnull=True)


def original_locale_id(request=None):
    """The locale of the originals: the site's root page's (loaded already by Wagtail's routing), or,
    outside a request, the default locale."""
    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        return site.root_page.locale_id
    return Locale.get_default().pk


def original_id(page, request=None):
    """The pk of the page this one was made from, in the original language; its own when it is one.

    An alias shows its source page. A translation's original is its version in the original locale; a
    page written in another language first, with no such version, is an original of its own.
    """
    if page.alias_of_id:
        return page.alias_of_id
    locale_id = original_locale_id(request)
    if page.locale_id == locale_id:
        return page.pk
    return next(
        (
            version.pk
            for version in page_versions(page, request).values()
            if version.locale_id == locale_id and not version.alias_of_id
        ),
        page.pk,
    )


def language_links(page, request, current_language):
    """For each of the site's languages: the page's version in it, else that language's home page, else
    (for a language without a page tree of its own) the original page with the interface in that language.
    """
    # The address other languages are made from, and the language it is written in.
    path, path_language = (request.get_full_path() if request else "/"), get_language()
    versions = {}
    suffix = ""
    if page is not None and getattr(page, "translation_key", None) and request is not None:
        versions = page_versions(page, request)
        own_url = page.get_url(request)
        # Keep what follows the page's own address (a routable page's sub-route) and the query string.
        if own_url and request.path.startswith(own_url):
            suffix = request.path[len(own_url) :]
        if request.META.get("QUERY_STRING"):
            suffix += "?" + request.META["QUERY_STRING"]
        root_locale_id = original_locale_id(request)
        for code, version in versions.items():
            if version.locale_id == root_locale_id:
                path, path_language = version.get_url(request) + suffix, code
    trees = _languages_with_a_tree(request)
    links = []
    for code, _name in settings.LANGUAGES:
        version = versions.get(code)
        if version is not None:
            url, is_alternate = version.get_url(request) + suffix, True
        elif code in trees:
            with override(code):
                url, is_alternate = reverse("wagtail_serve", args=("",)), False
        else:
            with override(path_language):  # translate_url reads the path in the language it is written in
                url, is_alternate = translate_url(path, code), True
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "is_current": code == current_language,
                # Listed as an hreflang alternate: this page in that language (or with its interface in it).
                "is_alternate": is_alternate,
            }
        )
    return links


def url_in_language(page, request, language):
    """The address of the page's version in `language`, or of the page itself with the interface in that
    language where the language has no tree of its own."""
    version = page_versions(page, request).get(language)
    if version is not None:
        return version.get_url(request)
    with override(settings.LANGUAGE_CODE):
        return translate_url(page.get_url(request), language)


def _languages_with_a_tree(request):
    """The languages in which the current site's root page has a version (Wagtail caches these)."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return set()
    return {root.language_code for root in Site.get_site_root_paths() if root.site_id == site.pk}


@transaction.atomic
def mirror_page_trees(site):
    """Give each of the site's pages a version in every content language that lacks one: an alias, which
    shows the original until an editor translates it (the "Translate" action in the page's menu).

    Creates the locales of WAGTAIL_CONTENT_LANGUAGES. Wagtail's simple translation keeps the trees in step
    from then on (WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE). Returns how many aliases were made in each
    language, as {language code: count}.
    """
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)
    root = site.root_page
    pages = list(
        root.get_descendants(inclusive=True)
        .filter(locale_id=root.locale_id, alias_of__isnull=True)
        .order_by("path")
    )
    made = {}
    for locale in Locale.objects.exclude(pk=root.locale_id).order_by("language_code"):
        have = set(Page.objects.filter(locale=locale).values_list("translation_key", flat=True))
        made[locale.language_code] = 0
        for page in pages:
            if page.translation_key not in have:
                page.specific.copy_for_translation(locale, copy_parents=True, alias=True)
                have.add(page.translation_key)
                made[locale.language_code] += 1
    return made
