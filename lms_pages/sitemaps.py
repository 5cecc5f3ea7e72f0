"""The sitemap: every page written in a language of its own, in every language tree of the site, each
with its real translations as hreflang alternates. Aliases (a language's copy of a page that is not
translated yet) are left out: they show another page's text, which is listed under its own address."""

from collections import defaultdict

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class LanguageSitemap(Sitemap):
    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        in_a_tree = Q()
        for root in roots:
            in_a_tree |= Q(path__startswith=root.path)
        return (
            Page.objects.filter(in_a_tree, alias_of__isnull=True)
            .live()
            .public()
            .select_related("locale")
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def _urls(self, page, protocol, domain):
        items = list(self.paginator.page(page).object_list)
        versions = defaultdict(list)
        for item in items:
            versions[item.translation_key].append(item)
        urls = []
        for item in items:
            for url_info in item.get_sitemap_urls(self.request):
                if len(versions[item.translation_key]) > 1:
                    url_info["alternates"] = [
                        {
                            "location": version.get_full_url(self.request),
                            "lang_code": version.locale.language_code,
                        }
                        for version in versions[item.translation_key]
                    ]
                urls.append(url_info)
        last_mods = {url_info.get("lastmod") for url_info in urls}
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
