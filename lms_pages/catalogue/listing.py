"""One page of the catalogue as a visitor sees it: the results, their cards, the filters with their
counts, and the choices in use as links that remove them.

The results and the counts of a query are cached until content changes or until the next moment at which
time changes them: a session starts (the order by next date), or a registration window opens or closes
(the "open now" filter). Between those moments a page costs the routing, one query for its offerings and
one for their groups and places.
"""

import datetime
import hashlib
import json

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Min
from django.utils import timezone
from django.utils.http import urlencode

from ..content_cache import get_or_build
from ..formats import local_format
from ..models import GroupSession, OfferingPage
from ..models.base import without_restricted
from .cards import load_offerings, render_cards
from .facets import CHOICE_FACETS, facet_counts
from .filters import DEFAULT_SORT, SORT_CHOICES, CatalogueFilter, filter_offerings, next_starts

# Far enough ahead to mean "nothing scheduled"; the content version still drops the entry on any change.
NOTHING_SCHEDULED = datetime.datetime.max.replace(tzinfo=datetime.UTC)


class CatalogueListing:
    def __init__(self, catalogue, request, now=None):
        self.catalogue = catalogue
        self.request = request
        self.now = now or timezone.now()
        self.filters = CatalogueFilter(request.GET, catalogue=catalogue, now=self.now)
        self.valid_until = changes_at(catalogue, self.now)

    @property
    def query_key(self):
        """The visitor's choices in a canonical form (an invalid query is the unfiltered one)."""
        if not self.filters.is_bound or not self.filters.form.is_valid():
            return "all"
        choices = {
            name: sorted(map(str, value)) if isinstance(value, list) else str(value)
            for name, value in self.filters.form.cleaned_data.items()
            if value not in (None, "", [], False)
        }
        return hashlib.sha256(json.dumps(choices, sort_keys=True).encode()).hexdigest()[:32]

    def _cached(self, name, build):
        key = f"catalogue:{self.catalogue.pk}:{self.valid_until.timestamp()}:{self.query_key}:{name}"
        return get_or_build(key, build)

    def summary(self):
        """The number of results and the count beside each filter option."""
        return self._cached(
            "summary",
            lambda: {
                "count": filter_offerings(self.catalogue, self.filters).count(),
                "facets": self._facets(),
            },
        )

    def _facets(self):
        return (
            facet_counts(self.filters)
            if self.filters.is_valid()
            else facet_counts(CatalogueFilter(None, catalogue=self.catalogue, now=self.now))
        )

    def context(self, per_page):
        summary = self.summary()
        paginator = Paginator(range(summary["count"]), per_page)
        try:
            page_obj = paginator.page(self.request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        rows = self._cached(f"page:{page_obj.number}:{per_page}", lambda: self._page_rows(page_obj))
        offerings = load_offerings([pk for pk, _start in rows], self.request)
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            "filters": self.filters,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "ellipsis": paginator.ELLIPSIS,
            "cards": render_cards(offerings, dict(rows), self.request, self.now),
            "result_count": summary["count"],
            "query_string": query.urlencode(),
            "facets": self.facet_groups(summary["facets"]),
            "chips": self.chips(),
            "active_count": len(self.chips()),
            "filter_count": sum(1 for chip in self.chips() if chip["name"] != "q"),
            "sort": self.filters.order,
            "sort_choices": SORT_CHOICES,
        }

    def _page_rows(self, page_obj):
        """[(pk, next session start)] of the offerings on one page of results."""
        if not page_obj.paginator.count:
            return []
        offerings = filter_offerings(self.catalogue, self.filters)[
            page_obj.start_index() - 1 : page_obj.end_index()
        ]
        if self.filters.order == "date":
            return list(offerings.values_list("pk", "next_start"))
        ids = list(offerings.values_list("pk", flat=True))
        starts = next_starts(ids, self.now)
        return [(pk, starts.get(pk)) for pk in ids]

    def facet_groups(self, counts):
        """The filter groups as the template draws them: each option with its count and whether it is
        chosen; options that would show nothing are left out unless chosen."""
        form = self.filters.form
        chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
        groups = []
        for name in CHOICE_FACETS + ("referral", "price"):
            field = form.fields[name]
            selected = chosen.get(name) or []
            selected = {str(value) for value in (selected if isinstance(selected, list) else [selected])}
            options = []
            for value, label in field.choices:
                if value == "":
                    continue
                number = counts.get(name, {}).get(value, 0)
                if number or str(value) in selected:
                    options.append(
                        {"value": value, "label": label, "count": number, "checked": str(value) in selected}
                    )
            if options:
                multiple = name in CHOICE_FACETS
                groups.append(
                    {
                        "name": name,
                        "label": field.label,
                        "options": options,
                        "multiple": multiple,
                        "chosen": len(selected),
                    }
                )
        open_count = counts.get("open", {}).get(True, 0)
        return {"groups": groups, "open_count": open_count}

    def chips(self):
        """(label, the URL without that choice) for each choice in use."""
        if not hasattr(self, "_chips"):
            self._chips = self._build_chips()
        return self._chips

    def _build_chips(self):
        form = self.filters.form
        if not self.filters.is_bound or not form.is_valid():
            return []
        return choice_chips(form, self.request, self.filters.order)


def choice_chips(form, request, order):
    """Each choice in use of a valid catalogue form, with the address of the page without it (the order
    kept unless it is the default). The regional catalogue's too."""
    chips = []
    pairs = [
        (key, value) for key, values in request.GET.lists() for value in values if key not in ("page", "sort")
    ]
    for name, value in form.cleaned_data.items():
        if name == "sort" or value in (None, "", [], False):
            continue
        field = form.fields[name]
        choices = {str(key): label for key, label in getattr(field, "choices", [])}
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                text = str(field.label)
            elif isinstance(item, datetime.date):
                text = f"{field.label} {local_format(item, 'date')}"
            elif name == "q":
                text = f"«{item}»"
            else:
                text = str(choices.get(str(item), item))
            # The value as the query string holds it; None drops every value of the field (a search, a
            # date, a tick box: one value each).
            single = name == "q" or isinstance(item, (bool, datetime.date))
            raw = None if single else str(item)
            remaining = [
                (key, val) for key, val in pairs if not (key == name and (raw is None or val == raw))
            ]
            if order != DEFAULT_SORT:
                remaining.append(("sort", order))
            url = request.path + ("?" + urlencode(remaining) if remaining else "")
            chips.append({"name": name, "label": text, "url": url})
    return chips


def changes_at(catalogue, now):
    """The next moment at which time changes what the catalogue shows: a session starts, or registration
    opens or closes. Cached with the content; rebuilt once that moment has passed."""
    return get_or_build(
        f"catalogue-changes-at:{catalogue.pk}",
        lambda: _next_change(catalogue, timezone.now()),
        is_fresh=lambda moment: moment > timezone.now(),
    )


def _next_change(catalogue, now):
    offerings = without_restricted(OfferingPage.objects.live().descendant_of(catalogue))
    moments = [
        GroupSession.objects.filter(group__offering__in=offerings.values("pk"), start__gt=now).aggregate(
            moment=Min("start")
        )["moment"],
        offerings.filter(registration_opens__gt=now).aggregate(moment=Min("registration_opens"))["moment"],
        offerings.filter(registration_closes__gt=now).aggregate(moment=Min("registration_closes"))["moment"],
    ]
    return min((moment for moment in moments if moment is not None), default=NOTHING_SCHEDULED)
