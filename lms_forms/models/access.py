"""Which course administrators see which site's participants, when several hospitals share one
installation.

Each Wagtail site names the groups whose members see its participants (Settings → Participant access). A
site that names none is seen by every holder of the participant permission, as on an installation with
one site. Superusers see every site. A participant belongs to the site whose page tree holds the
offering they registered for; the other language versions of the site's root page belong to it too.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page, Site

from ..permissions import can_manage_participants


@register_setting(icon="group")
class ParticipantAccess(BaseSiteSetting):
    groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups that see this site's participants"),
        blank=True,
        related_name="+",
        help_text=_(
            "Members of these groups who may manage participants see the participants of this site's "
            "offerings, and no other site's. Leave empty to let everyone who may manage participants see "
            "them."
        ),
    )

    panels = [FieldPanel("groups", widget=forms.CheckboxSelectMultiple)]

    class Meta:
        verbose_name = _("participant access")
        verbose_name_plural = _("participant access")


def sites_open_to_every_administrator():
    """On an installation with several sites, those that name no group: everyone with the participant
    permission sees their participants, which is seldom meant once there are two hospitals."""
    sites = Site.objects.order_by("hostname", "port")
    if sites.count() < 2:
        return []
    guarded = ParticipantAccess.objects.filter(groups__isnull=False).values("site")
    return list(sites.exclude(pk__in=guarded))


@dataclass(frozen=True)
class ParticipantScope:
    """The page trees whose offerings' participants a user sees: every tree (`everything`, a superuser's),
    or the trees of some sites. A site's tree is its root page's and the root's language versions'
    (`paths`), less any other site's tree nested inside it (`excluded`)."""

    everything: bool
    paths: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @classmethod
    def of(cls, user):
        if not can_manage_participants(user):
            return NOWHERE
        if user.is_superuser:
            return EVERYWHERE
        named = {}
        for site_id, group_id in ParticipantAccess.objects.values_list("site_id", "groups"):
            named.setdefault(site_id, set())
            if group_id is not None:
                named[site_id].add(group_id)
        own = set(user.groups.values_list("pk", flat=True))
        return cls.of_sites(
            site_id
            for site_id in Site.objects.values_list("pk", flat=True)
            if not named.get(site_id) or named[site_id] & own
        )

    @classmethod
    def of_sites(cls, site_ids):
        """The trees of the sites with these ids."""
        site_ids = set(site_ids)
        roots = Page.objects.filter(
            translation_key__in=Site.objects.values("root_page__translation_key")
        ).values_list("path", "translation_key")
        sites_of_key = {}  # several sites (host names) may share one root page
        for key, site_id in Site.objects.values_list("root_page__translation_key", "pk"):
            sites_of_key.setdefault(key, set()).add(site_id)
        paths, others = [], []
        for path, key in roots:
            (paths if sites_of_key[key] & site_ids else others).append(path)
        excluded = [other for other in others if any(other.startswith(path) for path in paths)]
        return cls(everything=False, paths=tuple(sorted(paths)), excluded=tuple(sorted(excluded)))

    def condition(self, through=""):
        """A Q that keeps the rows (pages, or rows reaching a page at `through`) inside the scope's trees."""
        if self.everything:
            return Q()
        lookup = f"{through}__path__startswith" if through else "path__startswith"
        inside = Q(pk__in=[])
        for path in self.paths:
            inside |= Q(**{lookup: path})
        for path in self.excluded:
            inside &= ~Q(**{lookup: path})
        return inside

    def restrict(self, queryset, through=""):
        """`queryset` cut down to the scope's trees (see `condition`)."""
        return queryset if self.everything else queryset.filter(self.condition(through))


# Every site's participants: for commands run on the server, and the services' default.
EVERYWHERE = ParticipantScope(everything=True)
NOWHERE = ParticipantScope(everything=False)
