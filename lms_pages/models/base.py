"""What every page of the extension shares: the host's frame and the breadcrumb trail."""

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce, Substr
from wagtail.models import Page, PageViewRestriction, Site

from ..cache_headers import set_cache_headers
from ..translations import content_language, serve_in_content_language

DEFAULT_BASE_TEMPLATE = "lms_pages/base.html"


def base_template():
    """The template the host site wraps our pages in (setting LMS_BASE_TEMPLATE)."""
    return getattr(settings, "LMS_BASE_TEMPLATE", DEFAULT_BASE_TEMPLATE)


class LmsPageMixin:
    """Adds the host's base template and the breadcrumb trail to a page's context."""

    def get_cached_ancestors(self):
        """The page's ancestors, fetched once for both the view-restriction check and the breadcrumbs."""
        self._load_ancestors()
        return self._lms_ancestors

    def _load_ancestors(self):
        """One query for the ancestors and for which of them, or the page itself, has a view restriction."""
        if not hasattr(self, "_lms_ancestors"):
            pages = list(
                self.get_ancestors(inclusive=True)
                .only("id", "title", "url_path", "path", "depth", "alias_of", "translation_key")
                .annotate(
                    has_restriction=Exists(PageViewRestriction.objects.filter(page=OuterRef("pk"))),
                    # The language of the title: an alias shows its source's.
                    text_language=Coalesce("alias_of__locale__language_code", "locale__language_code"),
                )
            )
            self._lms_ancestors = [page for page in pages if page.pk != self.pk]
            self._lms_restricted_ids = [page.pk for page in pages if page.has_restriction]

    def get_view_restrictions(self):
        self._load_ancestors()
        if self.alias_of_id or any(page.alias_of_id for page in self._lms_ancestors):
            # Aliases take their source page's restrictions; Wagtail resolves those. One queryset per
            # page object, so that once Wagtail's check has read it, the cache headers read it again free.
            if not hasattr(self, "_lms_alias_restrictions"):
                self._lms_alias_restrictions = super().get_view_restrictions()
            return self._lms_alias_restrictions
        if not self._lms_restricted_ids:
            return PageViewRestriction.objects.none()
        return PageViewRestriction.objects.filter(page_id__in=self._lms_restricted_ids)

    def get_breadcrumbs(self, request):
        """The ancestors from the site's root page down (none on the root page itself)."""
        site = Site.find_for_request(request)
        if site is None:
            return []
        # The site's root page, or its version in this page's language (its tree's root).
        root_key = site.root_page.translation_key
        if self.translation_key == root_key:
            return []
        ancestors = self.get_cached_ancestors()
        root_index = next((i for i, page in enumerate(ancestors) if page.translation_key == root_key), None)
        if root_index is None:
            return []
        trail = ancestors[root_index:]
        language = content_language(self, request)
        for ancestor in trail:
            # A title in another language than this page's (a translated parent of an alias) says so.
            ancestor.title_lang = ancestor.text_language if ancestor.text_language != language else ""
        return trail

    # Whether an anonymous visitor's view of the page may be kept by a shared cache (lms_pages.cache_headers).
    shared_cache = True

    def serve(self, request, *args, **kwargs):
        # In the language of the page's text: an untranslated page under /en/ is a bokmål page.
        response = serve_in_content_language(
            self, request, lambda: super(LmsPageMixin, self).serve(request, *args, **kwargs)
        )
        return set_cache_headers(self, request, response)

    def front_cache_changes_at(self, now):
        """The next moment at which time alone changes what the page shows; None when nothing will."""
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["base_template"] = base_template()
        context["breadcrumbs"] = self.get_breadcrumbs(request)
        return context


def without_restricted(pages):
    """Leave out pages that have a view restriction of their own or under an ancestor in the queryset.

    Restrictions above the page being served are already enforced by Wagtail when it serves that page;
    this keeps private pages out of listings, in the same query (Wagtail's public() costs one more).
    """
    restriction_above = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, F("page__depth") * Page.steplen)
    )
    return pages.exclude(Exists(restriction_above))
