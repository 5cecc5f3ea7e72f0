"""Production settings: secrets and hosts come from the environment, or the site refuses to start."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def _flag(name, default):
    return os.environ.get(name, "true" if default else "false").strip().lower() in ("1", "true", "yes")


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("DJANGO_ALLOWED_HOSTS").split(",") if host.strip()]
# Fernet keys for the health answers, comma-separated: the first encrypts, all decrypt (docs/deployment.md).
LMS_ENCRYPTION_KEYS = [key.strip() for key in _required("LMS_ENCRYPTION_KEYS").split(",") if key.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancers in front that append the visitor's address to X-Forwarded-For (usually one).
LMS_TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "1"))
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
# Every subdomain must be served over HTTPS before these stay on; docs/deployment.md says how to check.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("DJANGO_HSTS_PRELOAD", True)
CONTENT_SECURITY_POLICY = {  # noqa: F405
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True}  # noqa: F405
}

# Static files are served by the application itself (whitenoise), compressed and with hashed names, so
# every application server answers for them alike; `manage.py collectstatic` writes them at deploy time.
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

# Uploaded images and documents: on local disk (one server, or a disk shared by all), or in an
# S3-compatible bucket when DJANGO_S3_BUCKET is set (several servers without a shared disk).
MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
if os.environ.get("DJANGO_S3_BUCKET"):
    S3_OPTIONS = {
        "bucket_name": os.environ["DJANGO_S3_BUCKET"],
        "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("DJANGO_S3_REGION") or None,
        "custom_domain": os.environ.get("DJANGO_S3_CUSTOM_DOMAIN") or None,
        # Keys come from the standard AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables (boto3).
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": _flag("DJANGO_S3_SIGNED_URLS", True),
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}  # noqa: F405
    MEDIA_ORIGIN = (
        f"https://{S3_OPTIONS['custom_domain']}"
        if S3_OPTIONS["custom_domain"]
        else S3_OPTIONS["endpoint_url"]
    ) or f"https://{S3_OPTIONS['bucket_name']}.s3.amazonaws.com"
    # Images are shown from the bucket's origin, so the policy must name it.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [  # noqa: F405
        *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],  # noqa: F405
        MEDIA_ORIGIN,
    ]

# The cache is Redis, shared by every application server, so that rate limits (registrations, admin
# logins) count across all of them and cached pages agree.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _required("REDIS_URL"),
        "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "lms"),
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
}

# Redis is shared by every app server, so a change of content is seen by all at once: the catalogue's
# counts, cards and other derived values may be kept until content or time changes them.
LMS_CONTENT_CACHE_TIMEOUT = 24 * 60 * 60

# The front cache (Varnish, docs/varnish.vcl) that public pages are purged from when they change; its
# address as the application servers reach it, e.g. http://varnish.internal:6081.
if os.environ.get("LMS_FRONT_CACHE_URL"):
    WAGTAILFRONTENDCACHE = {
        "varnish": {
            # Wagtail's HTTP backend, with a time limit for each PURGE (LMS_FRONT_CACHE_TIMEOUT seconds).
            "BACKEND": "lms_pages.purge_backend.TimeoutHTTPBackend",
            "LOCATION": os.environ["LMS_FRONT_CACHE_URL"],
            "TIMEOUT": float(os.environ.get("LMS_FRONT_CACHE_TIMEOUT", "5")),
        }
    }

# Whole public pages are kept in Redis (lms_pages.page_cache) until content, places or time change them,
# for the reads that the front cache does not answer.
LMS_PAGE_CACHE = _flag("LMS_PAGE_CACHE", True)

# Emails and the nightly purge of expired personal data are queued in the database and sent by `manage.py db_worker`, so a
# registration's request never waits for the mail server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")

# The hospital's text message gateway for reminders (a subclass of lms_forms.sms.BaseSmsBackend);
# unset, reminders go by email only.
LMS_SMS_BACKEND = os.environ.get("LMS_SMS_BACKEND", "")
LMS_SMS_SENDER = os.environ.get("LMS_SMS_SENDER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
