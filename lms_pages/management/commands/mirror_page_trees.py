"""Give every page a version in each content language: `manage.py mirror_page_trees`.

Run it once when a site turns on Wagtail's internationalisation (WAGTAIL_I18N_ENABLED) with pages already
in place: each page without a nynorsk or English version gets an alias there, which shows the original
until an editor translates it. From then on Wagtail keeps the trees in step as pages are added.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from lms_pages.translations import mirror_page_trees


class Command(BaseCommand):
    help = "Create the locales of WAGTAIL_CONTENT_LANGUAGES and an alias of each page in every locale lacking one."

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Host name of the site (default: the default site).")

    def handle(self, *args, site=None, **options):
        found = Site.objects.filter(hostname=site) if site else Site.objects.filter(is_default_site=True)
        target = found.select_related("root_page").first()
        if target is None:
            raise CommandError(_("No such site: %(site)s") % {"site": site or _("the default site")})
        made = sum(mirror_page_trees(target).values())
        self.stdout.write(
            ngettext("%(count)d alias made.", "%(count)d aliases made.", made) % {"count": made}
        )
