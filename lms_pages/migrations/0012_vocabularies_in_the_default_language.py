"""The topics and venues that existed before they became translatable belong to the default language."""

from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [
        ("lms_pages", "0011_translatable_vocabularies"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        BootstrapTranslatableModel("lms_pages.Topic"),
        BootstrapTranslatableModel("lms_pages.Venue"),
    ]
