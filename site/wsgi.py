"""WSGI entry point of the demo and host project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_site.settings.production")

application = get_wsgi_application()
