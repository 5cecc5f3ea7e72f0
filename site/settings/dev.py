"""Settings for the demo and local development."""

from .base import *  # noqa: F403

DEBUG = True
# A key for local use only; production reads its own from the environment.
SECRET_KEY = "django-insecure-demo-key-for-local-use-only"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
INSTALLED_APPS += ["fixtures"]  # noqa: F405
