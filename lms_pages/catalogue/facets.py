"""How many offerings each filter option would show, beside the option.

Each facet is counted over the offerings that match every *other* filter the visitor chose: ticking one
more option of the same facet widens the result (options of a facet are alternatives), so its own choice
does not narrow its counts. A fixed number of queries, however many offerings or options there are.
"""

from django.db.models import Count

from ..models import GroupSession, OfferingGroup, OfferingPage, PriceType
from .filters import CatalogueFilter

CHOICE_FACETS = ("topic", "audience", "format", "region", "municipality", "venue", "language")
PLACE_FACETS = ("region", "municipality", "venue")
# The many-to-many facets, counted in the relation's own table: facet -> (relation, the option's field).
RELATION_FACETS = {"topic": ("topics", "topic__slug"), "audience": ("audiences", "audience__code")}
RELATION_FACETS["language"] = ("languages", "language__code")


def facet_counts(filters):
    """{facet name: {option value: number of offerings}} for the filters' current choices."""
    counts = {}
    place_pairs = {}  # the place facets share one query when no place is chosen (the usual case)
    for name in CHOICE_FACETS + ("referral", "price", "open"):
        offerings = _without(filters, name)
        if name in RELATION_FACETS:
            counts[name] = _relation_counts(offerings, *RELATION_FACETS[name])
        elif name == "format":
            rows = offerings.order_by().values_list("format").annotate(number=Count("pk"))
            counts[name] = dict(rows)
        elif name in PLACE_FACETS:
            others = _other_choices(filters, name)
            if others not in place_pairs:
                place_pairs[others] = _offering_venues(offerings)
            counts[name] = _place_counts(place_pairs[others], name, filters.options["venue_places"])
        elif name == "referral":
            rows = dict(offerings.order_by().values_list("referral_required").annotate(number=Count("pk")))
            counts[name] = {"required": rows.get(True, 0), "open": rows.get(False, 0)}
        elif name == "price":
            rows = dict(offerings.order_by().values_list("price_type").annotate(number=Count("pk")))
            free = rows.pop(PriceType.FREE, 0)
            counts[name] = {"free": free, "paid": sum(rows.values())}
        else:
            counts[name] = {True: filters.filter_open(offerings, name, True).count()}
    return counts


def _other_choices(filters, name):
    return tuple(sorted((key, tuple(filters.data.getlist(key))) for key in filters.data if key != name))


def _without(filters, name):
    """The offerings that match every filter but `name`."""
    data = filters.data.copy()
    data.pop(name, None)
    others = CatalogueFilter(data, catalogue=filters.catalogue, now=filters.now)
    return others.qs if others.is_valid() else others.queryset


def _relation_counts(offerings, relation, option_field):
    through = getattr(OfferingPage, relation).through
    rows = (
        through.objects.filter(offeringpage__in=offerings.order_by().values("pk"))
        .values_list(option_field)
        .annotate(number=Count("offeringpage", distinct=True))
    )
    return dict(rows)


def _offering_venues(offerings):
    """{(offering pk, venue pk)} for every place the offerings meet in: their own venue, a group's or a
    session's."""
    ids = offerings.order_by().values("pk")
    own = (
        OfferingPage.objects.filter(pk__in=ids, venue__isnull=False).values_list("pk", "venue_id").order_by()
    )
    groups = (
        OfferingGroup.objects.filter(offering__in=ids, venue__isnull=False)
        .values_list("offering_id", "venue_id")
        .order_by()
    )
    sessions = (
        GroupSession.objects.filter(group__offering__in=ids, venue__isnull=False)
        .values_list("group__offering_id", "venue_id")
        .order_by()
    )
    return set(own.union(groups, sessions))


def _place_counts(pairs, facet, venue_places):
    """Offerings per venue, municipality or region: an offering counts once for each place it meets in."""
    places = set()
    for offering_id, venue_id in pairs:
        venue = str(venue_id)
        if facet == "venue":
            places.add((offering_id, venue))
        elif venue in venue_places:
            municipality, region = venue_places[venue]
            place = municipality if facet == "municipality" else region
            if place:
                places.add((offering_id, place))
    counts = {}
    for _offering_id, place in places:
        counts[place] = counts.get(place, 0) + 1
    return counts
