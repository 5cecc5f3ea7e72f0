from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsPagesConfig(AppConfig):
    name = "lms_pages"
    label = "lms_pages"
    verbose_name = _("Learning and coping offerings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401
