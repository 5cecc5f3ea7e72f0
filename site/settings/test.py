"""Settings for the test suite: fast hashing, local memory, tasks run at once."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Text messages (reminders) are kept in lms_forms.sms.outbox.
LMS_SMS_BACKEND = "lms_forms.sms.LocmemSmsBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
INSTALLED_APPS += ["fixtures"]  # noqa: F405
# Static files are not collected for the tests: whitenoise serves them from the apps, as in the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Health answers are encrypted at rest (lms_forms.encryption); this key is for the tests only.
LMS_ENCRYPTION_KEYS = ["8WkX__g5T-ipTPDbKdaCaeCOvnuMWfcOlAT04oZ2A04="]
