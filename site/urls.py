from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views.account import LoginView
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from lms_pages.sitemaps import LanguageSitemap

from .security import healthz, rate_limited_login

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Wagtail's own login view, behind a rate limit; listed before the admin's URLs so it answers first.
    path("admin/login/", rate_limited_login(LoginView.as_view())),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Wagtail's sitemap view gives the sitemap the request, so that each host lists its own site's pages.
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": LanguageSitemap}}),
    # The brand colour's stylesheet (lms_pages.brand).
    path("", include("lms_pages.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Bokmål at /, nynorsk at /nn/ and English at /en/.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
