"""The regional catalogue as a visitor sees it: the offerings of its feeds' last good copies, with the
local catalogue's search, filters, counts, choices in use and order, drawn by the same template.

The offerings are read from the copies, not from this site's database, so they are filtered here in
Python; a feed holds at most a few thousand. What the copies hold is kept in the content cache until a
reading changes them (lms_pages.regional.fetching bumps the content version).
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import languages
from ..catalogue.filters import DEFAULT_SORT, SORT_CHOICES
from ..catalogue.listing import choice_chips
from ..content_cache import get_or_build
from ..models.choices import RegistrationState
from ..models.regional import FeedCopy

# A facet: (the form field, the entry's attribute holding its values).
FACETS = {
    "topic": "topics",
    "audience": "audiences",
    "format": "modes",
    "region": "regions",
    "municipality": "municipalities",
    "organiser": "organisers",
    "language": "languages",
}
COURSE_MODES = {
    "onsite": pgettext_lazy("course mode", "On site"),
    "online": pgettext_lazy("course mode", "Digital"),
    "blended": pgettext_lazy("course mode", "On site and digital"),
}
# What "open for registration now" takes in: a place, or a place on the waiting list.
SIGN_UP_STATES = {RegistrationState.OPEN, RegistrationState.WAITING_LIST}
FAR_FUTURE = datetime.datetime.max.replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Entry:
    """One offering of a feed, as the cards and filters read it."""

    key: str
    name: str
    description: str
    url: str
    register_url: str
    source: str
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    modes: tuple[str, ...]
    regions: tuple[str, ...]
    municipalities: tuple[str, ...]
    organisers: tuple[str, ...]
    languages: tuple[str, ...]
    free: bool
    state: str
    starts: tuple[datetime.datetime, ...]
    deadline: datetime.datetime | None
    places_left: int | None

    @property
    def text(self):
        return " ".join(
            (self.name, self.description, *self.topics, *self.organisers, *self.municipalities)
        ).lower()

    def next_start(self, now):
        return min((start for start in self.starts if start >= now), default=None)


def _moment(value):
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment is not None and moment.tzinfo is not None else None


def _places(instance):
    location = instance.get("location")
    places = location if isinstance(location, list) else [location] if location else []
    return [place.get("address") or {} for place in places if place.get("@type") == "Place"]


def entry_of(item, source):
    """An Entry from one feed item (already checked against the feed's schema)."""
    instances = item["hasCourseInstance"]
    addresses = [address for instance in instances for address in _places(instance)]
    starts = sorted(
        moment
        for instance in instances
        for moment in (
            [_moment(session.get("startDate")) for session in instance["subEvent"]]
            or [_moment(instance.get("startDate"))]
        )
        if moment is not None
    )
    left = [
        instance["remainingAttendeeCapacity"]
        for instance in instances
        if "remainingAttendeeCapacity" in instance
    ]
    states = [
        prop["value"] for prop in item["additionalProperty"] if prop["propertyID"] == "registrationState"
    ]
    action = item.get("potentialAction") or {}
    provider = (item.get("provider") or {}).get("name") or source
    return Entry(
        key=f"{item['identifier']} {item['url']}",
        name=item["name"],
        description=item.get("description") or "",
        url=item["url"],
        register_url=action.get("target", ""),
        source=source,
        topics=tuple(dict.fromkeys(item.get("about") or [])),
        audiences=tuple(dict.fromkeys(audience["audienceType"] for audience in item.get("audience") or [])),
        modes=tuple(dict.fromkeys(instance["courseMode"] for instance in instances)),
        regions=tuple(dict.fromkeys(a["addressRegion"] for a in addresses if a.get("addressRegion"))),
        municipalities=tuple(
            dict.fromkeys(a["addressLocality"] for a in addresses if a.get("addressLocality"))
        ),
        organisers=(provider,),
        languages=tuple(item["inLanguage"]),
        free=item["offers"][0]["category"] == "Free",
        state=states[0] if states else "",
        starts=tuple(starts),
        deadline=_moment(item["offers"][0].get("validThrough")),
        places_left=sum(left) if left else None,
    )


def catalogue_entries(page):
    """Every offering of the page's feeds, in the order of its feeds; the same offering once."""

    def build():
        sources = [feed.source for feed in page.feeds.all()]
        copies = {copy.source: copy for copy in FeedCopy.objects.filter(source__in=sources)}
        entries, seen = [], set()
        for source in sources:
            copy = copies.get(source)
            for item in copy.items if copy else []:
                entry = entry_of(item, copy.name or source)
                if entry.key not in seen:
                    seen.add(entry.key)
                    entries.append(entry)
        return entries

    return get_or_build(f"regional-entries:{page.pk}", build)


def changes_at(page, now):
    """The next moment time changes what the page shows: a session starts, or a deadline passes."""
    moments = [
        moment
        for entry in catalogue_entries(page)
        for moment in (entry.next_start(now), entry.deadline)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


class RegionalFilterForm(forms.Form):
    """The local catalogue's filters (the same names, labels and query string), with an organiser's."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    topic = forms.MultipleChoiceField(label=_("Topic or diagnosis"), required=False)
    audience = forms.MultipleChoiceField(label=_("For whom"), required=False)
    format = forms.MultipleChoiceField(label=_("Format"), required=False)
    region = forms.MultipleChoiceField(label=_("Region"), required=False)
    municipality = forms.MultipleChoiceField(label=_("Municipality"), required=False)
    organiser = forms.MultipleChoiceField(label=_("Organiser"), required=False)
    language = forms.MultipleChoiceField(label=_("Language"), required=False)
    price = forms.ChoiceField(
        label=_("Price"),
        choices=[("free", _("Free")), ("paid", _("With a fee or co-payment"))],
        required=False,
    )
    open = forms.BooleanField(label=_("Open for registration now"), required=False)
    date_from = forms.DateField(label=_("From date"), required=False)
    date_to = forms.DateField(label=_("To date"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, data, *, entries):
        super().__init__(data)
        for name, attribute in FACETS.items():
            values = sorted(
                {value for entry in entries for value in getattr(entry, attribute)}, key=str.casefold
            )
            self.fields[name].choices = [(value, _label(name, value)) for value in values]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("The end date comes before the start date."))
        return cleaned


def _label(facet, value):
    """How an option reads: a course mode or a language by its name, anything else as the feed has it."""
    if facet == "format":
        return COURSE_MODES.get(value, value)
    if facet == "language":
        try:
            return languages.name(value)
        except KeyError:  # a code Django does not know
            return value
    return value


def _matches(entry, choices, now, *, leave_out=None):
    for name, attribute in FACETS.items():
        chosen = choices.get(name)
        if name != leave_out and chosen and not set(chosen) & set(getattr(entry, attribute)):
            return False
    words = (choices.get("q") or "").lower().split()
    if words and not all(word in entry.text for word in words):
        return False
    if leave_out != "price" and choices.get("price") and entry.free != (choices["price"] == "free"):
        return False
    if leave_out != "open" and choices.get("open") and entry.state not in SIGN_UP_STATES:
        return False
    start, end = choices.get("date_from"), choices.get("date_to")
    if start or end:
        days = [timezone.localdate(moment) for moment in entry.starts]
        if not any((not start or day >= start) and (not end or day <= end) for day in days):
            return False
    return True


class RegionalListing:
    def __init__(self, page, request, now=None):
        self.page = page
        self.request = request
        self.now = now or timezone.now()
        self.entries = catalogue_entries(page)
        self.form = RegionalFilterForm(request.GET or None, entries=self.entries)
        valid = self.form.is_bound and self.form.is_valid()
        self.choices = self.form.cleaned_data if valid else {}
        self.order = self.choices.get("sort") or DEFAULT_SORT

    def results(self):
        found = [entry for entry in self.entries if _matches(entry, self.choices, self.now)]
        if self.order == "title":
            return sorted(found, key=lambda entry: entry.name.casefold())
        if self.order == "deadline":
            return sorted(found, key=lambda entry: entry.deadline or FAR_FUTURE)
        return sorted(found, key=lambda entry: entry.next_start(self.now) or FAR_FUTURE)

    def context(self, per_page):
        results = self.results()
        paginator = Paginator(results, per_page)
        try:
            page_obj = paginator.page(self.request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        query = self.request.GET.copy()
        query.pop("page", None)
        chips = self.chips()
        return {
            "filters": _Filters(self.form),
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1),
            "ellipsis": paginator.ELLIPSIS,
            "cards": [self.card(entry) for entry in page_obj.object_list],
            "result_count": len(results),
            "query_string": query.urlencode(),
            "facets": self.facets(),
            "chips": chips,
            "active_count": len(chips),
            "filter_count": sum(1 for chip in chips if chip["name"] != "q"),
            "sort": self.order,
            "sort_choices": SORT_CHOICES,
        }

    def card(self, entry):
        return render_to_string(
            "lms_pages/includes/regional_card.html",
            {
                "entry": entry,
                "next_start": entry.next_start(self.now),
                "state": RegistrationState(entry.state) if entry.state in RegistrationState.values else "",
                "modes": [COURSE_MODES.get(mode, mode) for mode in entry.modes],
            },
            request=self.request,
        )

    def facets(self):
        """The filter groups with the number of offerings each option would show, the other choices
        applied; an option that would show none is left out unless chosen."""
        groups = []
        for name in FACETS:
            field = self.form.fields[name]
            chosen = {str(value) for value in self.choices.get(name) or []}
            around = [
                entry for entry in self.entries if _matches(entry, self.choices, self.now, leave_out=name)
            ]
            attribute = FACETS[name]
            options = []
            for value, label in field.choices:
                count = sum(1 for entry in around if value in getattr(entry, attribute))
                if count or value in chosen:
                    options.append(
                        {"value": value, "label": label, "count": count, "checked": value in chosen}
                    )
            if options:
                groups.append(
                    {
                        "name": name,
                        "label": field.label,
                        "options": options,
                        "multiple": True,
                        "chosen": len(chosen),
                    }
                )
        around = [
            entry for entry in self.entries if _matches(entry, self.choices, self.now, leave_out="price")
        ]
        price = [
            {
                "value": value,
                "label": label,
                "count": sum(1 for e in around if e.free == (value == "free")),
                "checked": self.choices.get("price") == value,
            }
            for value, label in self.form.fields["price"].choices
        ]
        price = [option for option in price if option["count"] or option["checked"]]
        if price:
            groups.append(
                {
                    "name": "price",
                    "label": self.form.fields["price"].label,
                    "options": price,
                    "multiple": False,
                    "chosen": int(bool(self.choices.get("price"))),
                }
            )
        open_count = sum(
            1
            for entry in self.entries
            if entry.state in SIGN_UP_STATES and _matches(entry, self.choices, self.now, leave_out="open")
        )
        return {"groups": groups, "open_count": open_count}

    def chips(self):
        """Each choice in use, with the address of the page without it."""
        return choice_chips(self.form, self.request, self.order) if self.choices else []


@dataclass(frozen=True)
class _Filters:
    """What the catalogue template reads of its filters: the form."""

    form: forms.Form
