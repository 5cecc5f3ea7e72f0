"""What the participant commands share: finding the offering (on one site when asked), and a progress bar
on standard error."""

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm
from wagtail.models import Site

from lms_forms.models import EVERYWHERE, ParticipantScope
from lms_pages.models import OfferingPage
from lms_pages.translations import originals


class _Unterminated:
    """A command's output wrapper that writes exactly what it is given (a progress bar redraws its line)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")

    def flush(self):
        self.wrapper.flush()


class ParticipantCommand(BaseCommand):
    def add_language_and_progress_arguments(self, parser, *, language_help):
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help=language_help,
        )
        parser.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Show a progress bar on standard error (default: when it is a terminal).",
        )
        parser.add_argument(
            "--site",
            help=(
                "The host name (or host:port) of the site whose offering is meant. An offering of another "
                "site is refused. Needed when several sites have an offering with the same slug."
            ),
        )

    def site_scope(self, value):
        """The participants of the site named `value`, or of every site when none is named."""
        if not value:
            return EVERYWHERE
        hostname, _sep, port = value.strip().lower().partition(":")
        sites = Site.objects.filter(hostname=hostname)
        if port:
            sites = sites.filter(port=int(port)) if port.isdigit() else sites.none()
        found = list(sites.values_list("pk", flat=True))
        if len(found) != 1:
            known = ", ".join(
                f"{site.hostname}:{site.port}" for site in Site.objects.order_by("hostname", "port")
            )
            message = (
                _("No site has the host name %(site)s.")
                if not found
                else _("Several sites have the host name %(site)s; add the port (host:port).")
            )
            raise CommandError(
                f"{message % {'site': value}} " + _("The sites: %(sites)s.") % {"sites": known}
            )
        return ParticipantScope.of_sites(found)

    def find_offering(self, value, scope=EVERYWHERE):
        """The offering with this page id or, failing that, this slug, among the offerings of `scope`'s
        sites; refuses a slug shared by several.

        Participants belong to an offering's original: a translation or alias stands for it.
        """
        value = value.strip()
        if value.isdigit():
            by_id = scope.restrict(OfferingPage.objects.filter(pk=int(value))).first()
            if by_id is not None:
                return by_id.registration_original()
        offerings = list(scope.restrict(originals(OfferingPage.objects.filter(slug=value))).order_by("path"))
        if not offerings:
            raise CommandError(_("No offering has the slug or page id %(offering)s.") % {"offering": value})
        if len(offerings) > 1:
            listed = "\n".join(f"  {page.pk}: {page.url_path}" for page in offerings)
            raise CommandError(
                _(
                    "Several offerings have the slug %(slug)s; give the page id of the one you mean:\n%(pages)s"
                )
                % {"slug": value, "pages": listed}
            )
        return offerings[0]

    def progress_bar(self, total, offering, progress):
        """A bar on standard error: shown when asked (`progress`), or by default when it is a terminal."""
        return tqdm(
            total=total,
            unit=_("rows"),
            desc=offering.title,
            file=_Unterminated(self.stderr),
            disable=not self.stderr.isatty() if progress is None else not progress,
        )
