"""Settings shared by every environment of the demo and host project."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "lms_pages",
    "lms_forms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_modeladmin",
    "import_export",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The task queue's table; production's worker reads it (settings.production.TASKS).
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags for the pages, and 304 answers to a browser or front cache that already holds one.
    "django.middleware.http.ConditionalGetMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "lms_site.security.ContentSecurityPolicyMiddleware",
    # Whole public pages from the cache when LMS_PAGE_CACHE is on (production), before anything else runs.
    "lms_pages.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "lms_site.wsgi.application"

# SQLite is the embedded default; DATABASE_URL selects another database,
# e.g. postgres://postgres@127.0.0.1:5432/test
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue up instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A writer waits at most this many seconds for another (e.g. a large import) before it is told to
    # try again in a moment.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 10)
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # A registration waits at most 10 s for a group that another writer (e.g. a large import) holds,
    # then is told to try again in a moment (lms_forms.views). JIT off: the catalogue's short queries
    # cost more to compile than to run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c lock_timeout=10000 -c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Bokmål is the default; nynorsk, English and Northern Sami are offered beside it.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
    ("se", _("Northern Sami")),
]
# Languages whose interface has no reviewed translation yet, and the language it is shown in instead:
# Sami pages carry lang="se" on their text and lang="nb" on the interface around it.
LMS_INTERFACE_FALLBACK = {"se": "nb"}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail's page editor can exceed Django's default of 1000 fields on a long offering.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Lærings- og mestringssenteret"
WAGTAILADMIN_BASE_URL = "http://localhost:8000"
# Wagtail's database backend: full-text search in PostgreSQL (with the Norwegian stemmer, so "kurset"
# finds "kurs"), SQLite's FTS5 otherwise.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "norwegian"}
}
# Wagtail's image formats, and SVG for logos (LmsSiteSettings.logo), which stay sharp at any size.
# Wagtail reads SVG files with defusedxml but does not clean them: the header shows the logo through
# <img>, where an SVG runs no script; one opened at its own address gets this site's policy
# (script-src 'self'), and a media server outside Django must send a policy of its own
# (docs/deployment.md). Only editors with permission to add images can upload one.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp", "svg"]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Editors may keep a page tree per language: bokmål, and for nynorsk and English aliases of its pages
# (`manage.py mirror_page_trees`) that they translate with "Translate" in a page's menu. Where a language
# has no tree, its address prefix shows the bokmål pages with the interface in that language.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# A page added in one language gets an alias in the others, until an editor translates it.
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nb", "Norsk (bokmål)"), ("en", "English")]
# Slugs made from Norwegian titles are written in ASCII ("lær å leve" becomes "laer-a-leve"), so that
# page addresses stay readable when they are copied, printed or sent in an email.
WAGTAIL_ALLOW_UNICODE_SLUGS = False

# A front cache (Varnish, a CDN) is told of every changed page by lms_pages.front_cache, which names each
# page in every language itself: Wagtail's guessing of other languages' addresses from a prefix is off.
# Production configures the cache's address (LMS_FRONT_CACHE_URL); without one nothing is purged and
# shared caches may keep a page for a minute only (lms_pages.cache_headers).
WAGTAILFRONTENDCACHE_LANGUAGES = []

# The apps render inside this site's own frame.
LMS_BASE_TEMPLATE = "base.html"

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Response headers every page carries. The public pages run no inline script and load nothing from
# other origins; the admin's looser policy is in lms_site.security. Production adds HSTS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Admin login attempts per address and per username (lms_site.security.rate_limited_login).
LMS_ADMIN_LOGIN_RATE_LIMIT = "10/m"
# The rate limits count per visitor address, read behind this many proxies (lms_site.security.client_ip).
LMS_TRUSTED_PROXIES = 0
RATELIMIT_IP_META_KEY = "lms_site.security.client_ip"
