"""Settings for the demo and local development."""

import os

from .base import *  # noqa: F403

DEBUG = True
# A key for local use only; production reads its own from the environment.
SECRET_KEY = "django-insecure-demo-key-for-local-use-only"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "nordhordland.localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Text messages (reminders) are printed, as emails are.
LMS_SMS_BACKEND = "lms_forms.sms.ConsoleSmsBackend"
INSTALLED_APPS += ["fixtures"]  # noqa: F405
# Health answers are encrypted at rest (lms_forms.encryption); this default key is for the demo only.
LMS_ENCRYPTION_KEYS = os.environ.get(
    "LMS_ENCRYPTION_KEYS", "ReDHa_v64JcA2ggdz14ZXfiSQ0vq7SRtJsCI-jUf6yY="
).split(",")
