"""The catalogue's filters: what the visitor asked for, as one queryset of live offerings in the order chosen."""

import datetime

import django_filters
from django import forms
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..content_cache import get_or_build
from ..models import (
    AudienceCode,
    Format,
    GroupSession,
    Language,
    OfferingGroup,
    OfferingPage,
    PriceType,
    RegistrationMethod,
    Status,
    Topic,
    Venue,
)
from ..models.base import without_restricted
from ..translations import localized

SEARCH_RESULT_LIMIT = 1000

SORT_CHOICES = [
    ("date", _("Next date")),
    ("deadline", _("Registration deadline")),
    ("title", _("Title")),
]
DEFAULT_SORT = "date"


def _offerings_where(queryset, condition):
    """Keep the offerings for which any related row meets the condition, without duplicating rows."""
    return queryset.filter(pk__in=OfferingPage.objects.filter(condition).values("pk"))


class CatalogueFilter(django_filters.FilterSet):
    """Every filter lives in the query string, so a shared link shows the same view."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)
    topic = django_filters.MultipleChoiceFilter(
        method="filter_topic", label=_("Topic or diagnosis"), widget=forms.CheckboxSelectMultiple
    )
    audience = django_filters.MultipleChoiceFilter(
        method="filter_audience",
        label=_("For whom"),
        choices=AudienceCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    format = django_filters.MultipleChoiceFilter(
        field_name="format",
        label=_("Format"),
        choices=Format.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a column of the offering itself: no join, so no duplicate rows to remove
    )
    region = django_filters.MultipleChoiceFilter(
        method="filter_region", label=_("Region"), widget=forms.CheckboxSelectMultiple
    )
    municipality = django_filters.MultipleChoiceFilter(
        method="filter_municipality", label=_("Municipality"), widget=forms.CheckboxSelectMultiple
    )
    venue = django_filters.MultipleChoiceFilter(
        method="filter_venue", label=_("Venue"), widget=forms.CheckboxSelectMultiple
    )
    referral = django_filters.ChoiceFilter(
        method="filter_referral",
        label=_("Referral"),
        choices=[("required", _("Referral required")), ("open", _("Open to all, no referral"))],
        empty_label=pgettext_lazy("filter", "Any"),
        widget=forms.RadioSelect,
    )
    price = django_filters.ChoiceFilter(
        method="filter_price",
        label=_("Price"),
        choices=[("free", _("Free")), ("paid", _("With a fee or co-payment"))],
        empty_label=pgettext_lazy("filter", "Any"),
        widget=forms.RadioSelect,
    )
    open = django_filters.BooleanFilter(
        method="filter_open", label=_("Open for registration now"), widget=forms.CheckboxInput
    )
    date_from = django_filters.DateFilter(
        method="filter_date", label=_("From date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date", label=_("To date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    language = django_filters.MultipleChoiceFilter(
        method="filter_language", label=_("Language"), widget=forms.CheckboxSelectMultiple
    )
    # Not a filter: the order of the results, read by `filter_offerings`.
    sort = django_filters.ChoiceFilter(
        method="keep_all", label=_("Sort by"), choices=SORT_CHOICES, empty_label=None
    )

    class Meta:
        model = OfferingPage
        fields = []

    def __init__(self, data=None, *, catalogue, now=None):
        self.catalogue = catalogue
        self.now = now or timezone.now()
        super().__init__(
            data, queryset=without_restricted(OfferingPage.objects.live().descendant_of(catalogue))
        )
        self.options = options = catalogue_options(catalogue, self.queryset)
        self.filters["topic"].extra["choices"] = options["topics"]
        self.filters["venue"].extra["choices"] = options["venues"]
        self.filters["municipality"].extra["choices"] = options["municipalities"]
        self.filters["region"].extra["choices"] = options["regions"]
        self.filters["language"].extra["choices"] = options["languages"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(pk__in=search_offerings(self.catalogue, value))

    def filter_topic(self, queryset, name, value):
        return _offerings_where(queryset, Q(topics__slug__in=value))

    def filter_audience(self, queryset, name, value):
        return _offerings_where(queryset, Q(audiences__code__in=value))

    def _filter_place(self, queryset, field, value):
        return _offerings_where(
            queryset,
            Q(**{f"venue__{field}__in": value})
            | Q(**{f"groups__venue__{field}__in": value})
            | Q(**{f"groups__sessions__venue__{field}__in": value}),
        )

    def filter_region(self, queryset, name, value):
        return self._filter_place(queryset, "region", value)

    def filter_municipality(self, queryset, name, value):
        return self._filter_place(queryset, "municipality", value)

    def filter_venue(self, queryset, name, value):
        return self._filter_place(queryset, "pk", value)

    def filter_language(self, queryset, name, value):
        return _offerings_where(queryset, Q(languages__code__in=value))

    def filter_referral(self, queryset, name, value):
        return queryset.filter(referral_required=(value == "required"))

    def filter_price(self, queryset, name, value):
        if value == "free":
            return queryset.filter(price_type=PriceType.FREE)
        return queryset.exclude(price_type=PriceType.FREE)

    def filter_open(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(registration_opens__isnull=True) | Q(registration_opens__lte=self.now),
            Q(registration_closes__isnull=True) | Q(registration_closes__gt=self.now),
            status=Status.OPEN,
        ).exclude(registration_method__in=[RegistrationMethod.NONE, RegistrationMethod.COORDINATOR])

    def filter_date(self, queryset, name, value):
        # Applied together in filter_queryset: both ends of a range must hold for the same session.
        return queryset

    def keep_all(self, queryset, name, value):
        return queryset

    @property
    def order(self):
        """The order chosen for the results (the `sort` parameter), or the default."""
        sort = self.form.cleaned_data.get("sort") if self.is_bound and self.form.is_valid() else None
        return sort or DEFAULT_SORT

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        date_from = self.form.cleaned_data.get("date_from")
        date_to = self.form.cleaned_data.get("date_to")
        condition = Q()
        if date_from:
            condition &= Q(groups__sessions__start__gte=_start_of_day(date_from))
        if date_to:
            condition &= Q(groups__sessions__start__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
        return _offerings_where(queryset, condition) if condition else queryset


def catalogue_options(catalogue, offerings):
    """The filter options in use under a catalogue (so no option leads nowhere), cached between changes."""
    return get_or_build(f"catalogue-options:{catalogue.pk}", lambda: _build_catalogue_options(offerings))


def _build_catalogue_options(offerings):
    # Named in the catalogue's language; the values stay the originals', the same in every language.
    originals = list(Topic.objects.filter(offeringpage__in=offerings).distinct())
    topics = [(topic.slug, shown.name) for topic, shown in zip(originals, localized(originals), strict=True)]
    languages = [
        (language.code, str(language))
        for language in Language.objects.filter(offeringpage__in=offerings).distinct()
    ]
    venues = Venue.objects.filter(
        Q(pk__in=offerings.values("venue"))
        | Q(pk__in=OfferingGroup.objects.filter(offering__in=offerings).values("venue"))
        | Q(pk__in=GroupSession.objects.filter(group__offering__in=offerings).values("venue"))
    )
    venues = sorted(
        (
            (venue.pk, shown.name, venue.municipality, venue.region)
            for venue, shown in zip(venues, localized(venues), strict=True)
        ),
        key=lambda venue: venue[1],
    )
    return {
        "topics": sorted(topics, key=lambda choice: choice[1]),
        "languages": sorted(languages, key=lambda choice: choice[1]),
        "venues": [(str(pk), name) for pk, name, _municipality, _region in venues],
        # Where each venue is, so the place facets can count offerings per municipality and region.
        "venue_places": {str(pk): (municipality, region) for pk, _name, municipality, region in venues},
        "municipalities": [(name, name) for name in sorted({venue[2] for venue in venues if venue[2]})],
        "regions": [(name, name) for name in sorted({venue[3] for venue in venues if venue[3]})],
    }


def _start_of_day(day):
    """Midnight in Norwegian time, as an aware datetime."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def search_offerings(catalogue, text):
    """The pks of the live offerings under the catalogue that match the words: a full-text search (stems,
    with PostgreSQL's Norwegian configuration) and, for a word still being typed ("hodepin"), a prefix
    search of the titles, topics, venues, municipalities and organisers."""
    offerings = OfferingPage.objects.live().descendant_of(catalogue)
    found = [result.pk for result in offerings.search(text)[:SEARCH_RESULT_LIMIT]]
    found += [result.pk for result in offerings.autocomplete(text)[:SEARCH_RESULT_LIMIT]]
    return found


def filter_offerings(catalogue, filters):
    """The matching offerings in the order asked for; by default the next session first, undated last."""
    queryset = filters.qs if filters.is_valid() else filters.queryset
    sort = filters.order
    if sort == "title":
        return queryset.order_by("title", "pk")
    if sort == "deadline":
        # Open deadlines first, the nearest at the top; offerings without a deadline, or past it, after.
        return queryset.annotate(
            open_deadline=Case(
                When(registration_closes__gt=filters.now, then=F("registration_closes")), default=None
            )
        ).order_by(F("open_deadline").asc(nulls_last=True), "title", "pk")
    # A correlated subquery rather than a join and GROUP BY: the database stops at the first upcoming
    # session of each offering (index on offering, start) instead of aggregating every session row.
    next_session = GroupSession.objects.filter(
        group__offering=OuterRef("pk"), start__gte=filters.now
    ).order_by("start")
    return queryset.annotate(next_start=Subquery(next_session.values("start")[:1])).order_by(
        F("next_start").asc(nulls_last=True), "title", "pk"
    )


def next_starts(offering_ids, now):
    """{offering pk: the start of its next session} for the given offerings, in one query."""
    starts = {}
    sessions = (
        GroupSession.objects.filter(group__offering__in=offering_ids, start__gte=now)
        .values_list("group__offering_id", "start")
        .order_by("start")
    )
    for offering_id, start in sessions:
        starts.setdefault(offering_id, start)
    return starts
