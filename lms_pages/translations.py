"""Pages in several languages, with Wagtail's internationalisation.

Editors keep a page tree per language: the original (bokmål, the tree the site's root page is in) and,
for nynorsk, English and Northern Sami, aliases that show the original until someone translates them, or
translations. Three rules follow from that:

- Places belong to the original. A translation or alias of an offering shows, and takes registrations
  for, the groups of the page it was made from, so that no group's places are counted once per language.
- A page is shown in the language its text is written in. An alias under /en/ of a bokmål page is a
  bokmål page (lang="nb", its interface in bokmål) with a notice in English that it exists only in
  bokmål; hreflang links and the sitemap list only real translations.
- The language switcher goes to the page's own version in each language.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse, translate_url
from django.utils.translation import get_language, override
from wagtail.models import Locale, Page, Site

from .content_cache import get_or_build
from .languages import local_name


def localized(objects):
    """Each translatable vocabulary row (a topic, a venue) replaced by its translation in the active
    language where it has one. Pages and offerings refer to the originals; the translations of a model in
    a language are read once per content version (lms_pages.content_cache), so this costs no query."""
    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return list(objects)
    objects = list(objects)
    models = {type(obj) for obj in objects if obj is not None}
    translated = {}
    for model in models:
        translated.update(_translations_of(model, language))
    return [
        translated.get((type(obj), obj.translation_key), obj) if obj is not None else None for obj in objects
    ]


def _translations_of(model, language):
    def build():
        return {
            (model, row.translation_key): row for row in model.objects.filter(locale__language_code=language)
        }

    return get_or_build(f"translations:{model._meta.label_lower}:{language}", build)


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


def content_language(page, request=None):
    """The language the page's text is written in: its own locale's, or, for an alias, its source's
    (an alias in the English tree of a bokmål page shows bokmål text). No query beyond page_versions'."""
    if not hasattr(page, "_lms_content_language"):
        versions = page_versions(page, request)
        wanted = page.alias_of_id or page.pk
        code = next((code for code, version in versions.items() if version.pk == wanted), None)
        if code is None:  # a draft in preview, or an alias whose source is another page's
            code = (
                Page.objects.filter(pk=wanted).values_list("locale__language_code", flat=True).first()
                or settings.LANGUAGE_CODE
            )
        page._lms_content_language = code
    return page._lms_content_language


def serve_in_content_language(page, request, serve):
    """Serve the page in the language its text is written in, whatever the address asked for.

    The address's language is the one the visitor asked for (kept on the request, for the notice that
    says the page exists only in another language, and for the language switcher); the page, its
    interface, its form's messages and the emails it sends are in the language of its text, so that
    nothing marked English is Norwegian. The response is rendered inside the language.
    """
    asked = get_language()
    language = content_language(page, request)
    request.lms_asked_language = asked
    if language == asked:
        return serve()
    with override(language):
        response = serve()
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    response.headers["Content-Language"] = language
    return response


def asked_language(request):
    """The language of the address the visitor used (the one the page is shown in, outside a page)."""
    return getattr(request, "lms_asked_language", None) or get_language()


def real_versions(page, request=None):
    """The page's translations that are pages of their own, not aliases, as {language code: page}."""
    return {
        code: version for code, version in page_versions(page, request).items() if not version.alias_of_id
    }


def language_links(page, request):
    """For each of the site's languages, the link the language switcher offers and whether it is an
    hreflang alternate: the page's translation (an alternate), else its alias there (which says that the
    page exists only in its own language), else that language's home page, else (a language without a
    page tree) the page's address with that language's prefix."""
    asked = asked_language(request) if request is not None else get_language()
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
        path, path_language = own_url + suffix, content_language(page, request)
    trees = _languages_with_a_tree(request)
    links = []
    for code, _name in settings.LANGUAGES:
        version = versions.get(code)
        if version is not None:
            url, is_alternate = version.get_url(request) + suffix, not version.alias_of_id
        elif code in trees:
            with override(code):
                url, is_alternate = reverse("wagtail_serve", args=("",)), False
        else:
            with override(path_language):  # translate_url reads the path in the language it is written in
                url, is_alternate = translate_url(path, code), False
        links.append(
            {
                "code": code,
                "name": local_name(code),
                "url": url,
                "full_url": request.build_absolute_uri(url) if request is not None else url,
                "is_current": code == asked,
                # Listed as an hreflang alternate only where the page is written in that language.
                "is_alternate": is_alternate,
            }
        )
    return links


def canonical_url(page, request):
    """The full address of the page whose text is shown: an alias's source, or the page itself (on the
    host the visitor used, as the hreflang links are)."""
    source = page
    if page.alias_of_id:
        source = next((v for v in page_versions(page, request).values() if v.pk == page.alias_of_id), page)
    return request.build_absolute_uri(source.get_url(request))


def untranslated_notice(page, request):
    """What to tell a visitor who asked for a language the page is not written in: None when it is,
    else {"asked": code, "language": the page's language, "home": the address of the site's home page in
    the asked language where that is a real translation, or ""}."""
    asked = asked_language(request)
    language = content_language(page, request)
    if asked == language:
        return None
    home = ""
    site = Site.find_for_request(request)
    if site is not None:
        home_version = real_versions(site.root_page, request).get(asked)
        if home_version is not None and home_version.pk != page.pk:
            home = home_version.get_url(request)
    return {"asked": asked, "language": language, "home": home}


def url_in_language(page, request, language):
    """The address of the page's version in `language`, or of the page itself with that language's prefix
    where the language has no tree of its own."""
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
