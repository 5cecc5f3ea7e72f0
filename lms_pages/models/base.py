"""What every page of the extension shares: the host's frame and the breadcrumb trail."""

from django.conf import settings

DEFAULT_BASE_TEMPLATE = "lms_pages/base.html"


def base_template():
    """The template the host site wraps our pages in (setting LMS_BASE_TEMPLATE)."""
    return getattr(settings, "LMS_BASE_TEMPLATE", DEFAULT_BASE_TEMPLATE)


class LmsPageMixin:
    """Adds the host's base template and the breadcrumb trail to a page's context."""

    def get_breadcrumbs(self, request):
        site = self.get_site()
        if site is None:
            return []
        root_depth = site.root_page.depth
        return list(self.get_ancestors().filter(depth__gte=root_depth).only("id", "title", "url_path", "path", "depth"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["base_template"] = base_template()
        context["breadcrumbs"] = self.get_breadcrumbs(request)
        return context
