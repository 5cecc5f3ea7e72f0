"""The participant list's filters: offering (originals only), group, status and date of registration."""

from django.contrib.admin import (
    ChoicesFieldListFilter,
    DateFieldListFilter,
    RelatedFieldListFilter,
    SimpleListFilter,
)
from django.utils.translation import gettext_lazy as _

from lms_pages.models import OfferingPage

from . import scope

# modeladmin's own filter template introduces each filter with "By <name>", in English whatever the admin's
# language, and as plain text; ours gives each its name as a heading under "Filter".
FILTER_TEMPLATE = "lms_forms/participants/filter.html"


class OfferingFilter(RelatedFieldListFilter):
    template = FILTER_TEMPLATE

    def field_choices(self, field, request, model_admin):
        # Registrations belong to the originals, never to an offering's translations or aliases; and only
        # the offerings of the user's sites are named.
        ordering = self.field_admin_ordering(field, request, model_admin)
        return [
            (offering.pk, str(offering))
            for offering in scope.offerings(request, OfferingPage.objects.order_by(*ordering or ["title"]))
        ]


class StatusFilter(ChoicesFieldListFilter):
    template = FILTER_TEMPLATE


class SubmittedFilter(DateFieldListFilter):
    template = FILTER_TEMPLATE


class GroupFilter(SimpleListFilter):
    """The groups of the chosen offering (of every offering when none is chosen)."""

    title = _("group")
    template = FILTER_TEMPLATE
    parameter_name = "group"

    def lookups(self, request, model_admin):
        groups = scope.groups(request).select_related("offering").order_by("offering__title", "sort_order")
        offering = request.GET.get("offering__page_ptr__exact")
        if offering and offering.isdigit():
            groups = groups.filter(offering_id=offering)
        return [(str(group.pk), f"{group.offering.title}: {group.name}") for group in groups]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(group_id=value)
        return queryset
