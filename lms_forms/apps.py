from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsFormsConfig(AppConfig):
    name = "lms_forms"
    label = "lms_forms"
    verbose_name = _("Interest registration")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
