"""The catalogue's cards: one page of offerings, each rendered once and kept until it changes.

What a card shows changes for three reasons, and its cache key carries all three: the content (the
content version: publishing, vocabularies), the time (the next date, and whether registration is open,
both passed in) and the places (taken places and waiting lists, read fresh for every request in the one
query that loads the groups). A card that is not cached has its topics and audiences loaded with the other
missing cards', so the count of queries depends on the cache, never on the number of cards.
"""

from django.core.cache import cache
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ..content_cache import content_version, timeout
from ..models import OfferingGroup, OfferingPage
from ..translations import original_locale_id

CARD_TEMPLATE = "lms_pages/includes/offering_card.html"


def load_offerings(ids, request):
    """The offerings with these pks, in that order, with their groups, venues and places."""
    by_pk = {
        offering.pk: offering
        for offering in OfferingPage.objects.filter(pk__in=ids)
        # The language of the card's title: an alias shows its source's text.
        .annotate(text_language=Coalesce("alias_of__locale__language_code", "locale__language_code"))
        .select_related("venue")
        .prefetch_related(
            Prefetch("groups", queryset=OfferingGroup.objects.select_related("venue", "occupancy"))
        )
    }
    offerings = [by_pk[pk] for pk in ids if pk in by_pk]
    _load_registration_originals(offerings, request)
    return offerings


def render_cards(offerings, next_starts, request, now):
    """The HTML of each offering's card, from the cache where it is there."""
    language = get_language()
    version = content_version()
    keys = {}
    for offering in offerings:
        offering.next_start = next_starts.get(offering.pk)
        offering.card_state = offering.registration_state(now)
        offering.places_left_total = offering.places_left_in_open_groups(offering.card_state)
        offering.card_places = offering.place_names()
        # A title in another language than the catalogue (a translation listed by an untranslated one).
        offering.title_lang = offering.text_language if offering.text_language != language else ""
        keys[offering.pk] = "lms_pages:card:" + ":".join(
            str(part)
            for part in (
                offering.pk,
                version,
                language,
                offering.next_start and offering.next_start.isoformat(),
                offering.card_state,
                offering.places_left_total,
            )
        )
    cached = cache.get_many(list(keys.values()))
    missing = [offering for offering in offerings if keys[offering.pk] not in cached]
    if missing:
        prefetch_related_objects(missing, "audiences", "topics")
        rendered = {
            keys[offering.pk]: render_to_string(
                CARD_TEMPLATE, {"offering": offering, "catalogue_url": request.path}, request=request
            )
            for offering in missing
        }
        cache.set_many(rendered, timeout())
        cached.update(rendered)
    # SafeStrings from render_to_string; the cache keeps their type.
    return [cached[keys[offering.pk]] for offering in offerings]


def _load_registration_originals(offerings, request):
    """Translations and aliases show their originals' registration state: two more queries, for a
    catalogue in another language than the original's, or one that lists aliases; none otherwise."""
    locale_id = original_locale_id(request)
    copies = [offering for offering in offerings if offering.alias_of_id or offering.locale_id != locale_id]
    if not copies:
        return
    originals = list(
        OfferingPage.objects.filter(
            Q(pk__in=[offering.alias_of_id for offering in copies if offering.alias_of_id])
            | Q(
                translation_key__in=[
                    offering.translation_key for offering in copies if not offering.alias_of_id
                ],
                locale_id=locale_id,
                alias_of__isnull=True,
            )
        ).prefetch_related(OfferingPage.registration_prefetch())
    )
    by_pk = {original.pk: original for original in originals}
    by_key = {original.translation_key: original for original in originals}
    for offering in copies:
        original = (
            by_pk.get(offering.alias_of_id) if offering.alias_of_id else by_key.get(offering.translation_key)
        )
        if original is not None:
            offering.show_places_of(original)
