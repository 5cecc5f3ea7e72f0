"""Render-time and query-count benchmark for the catalogue and offering pages.

A stand-alone script, not a test: it builds a throw-away database, seeds a catalogue of live
offerings at each requested size, renders the pages through Django's test client and prints
one table per size: median and p95 time per request, query count against the budget (catalogue
at most 12 queries, offering page at most 15) and the ratio to a minimal page rendered in the
same run. Timings are for reading, never asserted; the script exits non-zero only when a page does
not answer 200 (or when the seeded page tree fails treebeard's find_problems()).

    .venv/bin/python tests/benchmarks/bench_pages.py
    .venv/bin/python tests/benchmarks/bench_pages.py --sizes 1000 --requests 50
    .venv/bin/python tests/benchmarks/bench_pages.py --database-url postgres://postgres@127.0.0.1:5432/lms_bench

By default the database is a fresh SQLite file in a temporary directory. With --database-url the
PostgreSQL database named in the URL is dropped if it exists, created, and dropped again at the end,
through the server's "postgres" maintenance database.
"""

import datetime
import gc
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from random import Random
from urllib.parse import urlencode

# The project folder on sys.path, for the shared harness (and, after set-up, Django's apps).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import harness  # noqa: E402

# Query budgets per page; None means the page is only measured.
CATALOGUE_QUERY_TARGET = 12
OFFERING_QUERY_TARGET = 15

TOPICS = [
    ("Angst", "angst", True),
    ("ADHD", "adhd", True),
    ("Astma", "astma", True),
    ("Autisme", "autisme", True),
    ("Demens", "demens", True),
    ("Depresjon", "depresjon", True),
    ("Diabetes type 1", "diabetes-type-1", True),
    ("Diabetes type 2", "diabetes-type-2", True),
    ("Epilepsi", "epilepsi", True),
    ("Hjertesvikt", "hjertesvikt", True),
    ("Hodepine og migrene", "hodepine-og-migrene", True),
    ("KOLS", "kols", True),
    ("Kreft", "kreft", True),
    ("Kronisk smerte", "kronisk-smerte", True),
    ("Multippel sklerose", "multippel-sklerose", True),
    ("Parkinson", "parkinson", True),
    ("Revmatisme", "revmatisme", True),
    ("Søvnvansker", "sovnvansker", False),
    ("Pårørende", "parorende", False),
    ("Helsepedagogikk", "helsepedagogikk", False),
]

# (venue name, street address, postal code, municipality, region): 15 municipalities in 4 regions.
VENUES = [
    ("Oslo universitetssykehus, Aker", "Trondheimsveien 235", "0586", "Oslo", "Helse Sør-Øst"),
    ("Frisklivssentralen Oslo", "Storgata 10", "0155", "Oslo", "Helse Sør-Øst"),
    ("Drammen sykehus", "Dronninggata 28", "3004", "Drammen", "Helse Sør-Øst"),
    ("Sykehuset Østfold Kalnes", "Kalnesveien 300", "1714", "Sarpsborg", "Helse Sør-Øst"),
    ("Sykehuset Innlandet Hamar", "Skolegata 32", "2318", "Hamar", "Helse Sør-Øst"),
    ("Lillehammer helsehus", "Anders Sandvigs gate 17", "2609", "Lillehammer", "Helse Sør-Øst"),
    ("Haukeland universitetssjukehus", "Jonas Lies vei 65", "5021", "Bergen", "Helse Vest"),
    ("Stavanger universitetssjukehus", "Gerd-Ragna Bloch Thorsens gate 8", "4011", "Stavanger", "Helse Vest"),
    ("Haugesund sjukehus", "Karmsundgata 120", "5528", "Haugesund", "Helse Vest"),
    ("Førde sentralsjukehus", "Svanehaugvegen 2", "6812", "Sunnfjord", "Helse Vest"),
    ("St. Olavs hospital", "Prinsesse Kristinas gate 3", "7030", "Trondheim", "Helse Midt-Norge"),
    ("Ålesund sjukehus", "Åsehaugen 5", "6017", "Ålesund", "Helse Midt-Norge"),
    ("Sykehuset Levanger", "Kirkegata 2", "7600", "Levanger", "Helse Midt-Norge"),
    ("Universitetssykehuset Nord-Norge", "Hansine Hansens veg 67", "9019", "Tromsø", "Helse Nord"),
    ("Nordlandssykehuset Bodø", "Parkveien 95", "8005", "Bodø", "Helse Nord"),
    ("Alta helsesenter", "Markveien 31", "9510", "Alta", "Helse Nord"),
]

ORGANISATIONS = [
    ("Oslo universitetssykehus", "OUS", "hospital"),
    ("Helse Bergen", "", "hospital"),
    ("St. Olavs hospital", "", "hospital"),
    ("Universitetssykehuset Nord-Norge", "UNN", "hospital"),
    ("Trondheim kommune", "", "municipality"),
    ("Funksjonshemmedes Fellesorganisasjon", "FFO", "user_organisation"),
    ("Diabetesforbundet", "", "user_organisation"),
    ("Landsforeningen for hjerte- og lungesyke", "LHL", "user_organisation"),
]

KIND_WORDS = {
    "course": "Kurs om",
    "learning_network": "Læringsnettverk for",
    "theme_evening": "Temakveld om",
    "coping_group": "Mestringsgruppe for",
    "e_learning": "E-læring om",
    "other": "Tilbud om",
}

PARAGRAPH = (
    "<p>Kurset gir kunnskap om sykdommen, behandlingen og hva du selv kan gjøre for å mestre hverdagen. "
    "Du møter andre i samme situasjon, helsepersonell og en likeperson med egen erfaring.</p>"
)


@dataclass
class Measurement(harness.Latencies):
    page: str
    url: str
    target: int | None
    statuses: set = field(default_factory=set)
    times_ms: list = field(default_factory=list)
    sql_ms: list = field(default_factory=list)
    query_counts: list = field(default_factory=list)
    sample_queries: list = field(default_factory=list)
    first: tuple = (0.0, 0)  # (ms, queries) of the page's first request, on an emptied cache

    @property
    def ok(self):
        return self.statuses == {200}

    @property
    def queries(self):
        low, high = min(self.query_counts), max(self.query_counts)
        return str(high) if low == high else f"{low}-{high}"

    @property
    def verdict(self):
        if self.target is None:
            return ""
        return f"≤{self.target} {'OK' if max(self.query_counts) <= self.target else 'OVER'}"


def parse_args(argv=None):
    parser = harness.argument_parser(
        "Measure render time and query count of the catalogue and offering pages on a seeded throw-away "
        "database.",
        fails_when="a page does not answer 200",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1000, 5000],
        metavar="N",
        help="catalogue sizes (default: 1000 5000)",
    )
    parser.add_argument(
        "--requests", type=int, default=30, metavar="N", help="timed requests per page (default: 30)"
    )
    parser.add_argument(
        "--warmups", type=int, default=3, metavar="N", help="untimed requests first (default: 3)"
    )
    harness.add_database_url_argument(parser, "lms_bench")
    harness.add_settings_argument(parser)
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the generated offerings")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one request per page")
    harness.add_keep_database_argument(parser)
    args = parser.parse_args(argv)
    if any(size < 1 for size in args.sizes) or args.requests < 1 or args.warmups < 0:
        parser.error("sizes and --requests must be at least 1, --warmups at least 0")
    harness.check_database_url(parser, args)
    args.sizes = sorted(set(args.sizes))
    return args


# Seeding


def _insert_child_rows(model, objs):
    """Insert the child table's rows of a multi-table model whose parent (Page) rows already exist.

    bulk_create() refuses multi-table inherited models, so this does what it would do for one table.
    """
    from django.db import connections

    database = model._base_manager.db
    fields = list(model._meta.local_concrete_fields)
    batch_size = max(1, connections[database].ops.bulk_batch_size(fields, objs))
    for start in range(0, len(objs), batch_size):
        model._base_manager._insert(objs[start : start + batch_size], fields=fields, using=database)


class CatalogueSeeder:
    """Builds the site: a catalogue of offerings, a minimal information page and the frame's settings."""

    def __init__(self, seed):
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from lms_pages.models import OfferingPage

        self.rng = Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.offering_type = ContentType.objects.get_for_model(OfferingPage)
        self.catalogue = None
        self.minimal_page = None
        self.featured = None
        self.count = 0
        self.related_linked = False
        self.topics = self.venues = self.organisations = self.audiences = self.languages = []

    def create_site(self):
        from wagtail.models import Site

        from lms_pages.models import (
            Audience,
            CataloguePage,
            InformationPage,
            Language,
            LmsSiteSettings,
            Organisation,
            Topic,
            Venue,
        )

        site = Site.objects.get(is_default_site=True)
        home = site.root_page
        self.catalogue = home.add_child(
            instance=CataloguePage(title="Lærings- og mestringstilbud", slug="tilbud", introduction=PARAGRAPH)
        )
        home.refresh_from_db()
        self.minimal_page = home.add_child(instance=InformationPage(title="Om oss", slug="om-oss"))
        LmsSiteSettings.objects.update_or_create(
            site=site,
            defaults={
                "organisation_name": "Lærings- og mestringssenteret",
                "email": "lms@example.org",
                "phone": "22 11 88 00",
                "address": "Postboks 4950 Nydalen\n0424 Oslo",
                "accessibility_statement": self.minimal_page,
            },
        )

        # Topics and venues are translatable: the originals are in the site's language (bulk_create does not
        # fill the locale in as save() does).
        locale = self.catalogue.locale
        self.topics = Topic.objects.bulk_create(
            [
                Topic(name=name, slug=slug, is_diagnosis=diagnosis, locale=locale)
                for name, slug, diagnosis in TOPICS
            ]
        )
        self.venues = Venue.objects.bulk_create(
            [
                Venue(
                    locale=locale,
                    name=name,
                    street_address=street,
                    postal_code=code,
                    municipality=municipality,
                    region=region,
                )
                for name, street, code, municipality, region in VENUES
            ]
        )
        self.organisations = Organisation.objects.bulk_create(
            [Organisation(name=name, short_name=short, kind=kind) for name, short, kind in ORGANISATIONS]
        )
        self.audiences = list(Audience.objects.all())
        self.languages = list(Language.objects.all())
        self.featured = self._add_offerings(1, featured=True)[0]
        self._add_notice()

    def grow_to(self, size):
        """Add offerings until the catalogue holds `size` of them (the featured one included)."""
        missing = size - self.count
        for start in range(0, missing, 1000):
            self._add_offerings(min(1000, missing - start))
        if not self.related_linked and self.count > 1:
            self._link_related()

    def _add_offerings(self, count, featured=False):
        from django.db import transaction
        from django.db.models import F
        from wagtail.models import Page

        from lms_pages.models import OfferingPage

        specs = [self._offering_spec(self.count + i + 1, featured) for i in range(count)]
        with transaction.atomic():
            pages = Page.objects.bulk_create([self._page_row(spec) for spec in specs])
            if pages[0].pk is None:
                raise SystemExit("The database must return ids from bulk inserts (SQLite 3.35+, PostgreSQL)")
            offerings = [
                OfferingPage(page_ptr_id=page.pk, **spec["fields"])
                for page, spec in zip(pages, specs, strict=True)
            ]
            _insert_child_rows(OfferingPage, offerings)
            self._add_relations([page.pk for page in pages], specs)
            Page.objects.filter(pk=self.catalogue.pk).update(numchild=F("numchild") + count)
        self.count += count
        return pages

    def _page_row(self, spec):
        """The wagtailcore_page row of the catalogue's `number`th child: treebeard's path, Wagtail's url_path."""
        from wagtail.models import Page

        catalogue = self.catalogue
        slug = f"{spec['slug']}-{spec['number']}"
        published = self.now - datetime.timedelta(days=self.rng.randint(1, 400))
        return Page(
            content_type=self.offering_type,
            path=Page._get_path(catalogue.path, catalogue.depth + 1, spec["number"]),
            depth=catalogue.depth + 1,
            numchild=0,
            translation_key=uuid.uuid4(),
            locale_id=catalogue.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            title=spec["title"],
            draft_title=spec["title"],
            slug=slug,
            url_path=f"{catalogue.url_path}{slug}/",
            search_description="",
        )

    def _offering_spec(self, number, featured):
        rng = self.rng
        if featured:
            topic_indexes, kind, format_, status = [10, 19], "course", "hybrid", "open"
        else:
            topic_indexes = rng.sample(range(len(self.topics)), rng.choice([1, 1, 2, 2, 3]))
            kind = rng.choices(list(KIND_WORDS), weights=[8, 2, 3, 3, 1, 1])[0]
            format_ = rng.choices(["on_site", "digital", "hybrid"], weights=[6, 3, 2])[0]
            status = rng.choices(
                ["open", "planned", "full", "closed", "cancelled", "postponed"], weights=[8, 4, 2, 2, 1, 1]
            )[0]
        topic = self.topics[topic_indexes[0]]
        title = f"{KIND_WORDS[kind]} {topic.name.lower()}"
        price_type = "free" if featured else rng.choices(["free", "fee", "co_payment"], weights=[6, 2, 2])[0]
        registration_opens = registration_closes = None
        if status == "open" and rng.random() < 0.6:
            registration_opens = self.now - datetime.timedelta(days=rng.randint(1, 60))
            registration_closes = self.now + datetime.timedelta(days=rng.randint(5, 90))
        elif status == "planned" and rng.random() < 0.5:
            registration_opens = self.now + datetime.timedelta(days=rng.randint(5, 60))
        with_venue = format_ != "digital" and rng.random() < 0.4
        fields = {
            "kind": kind,
            "introduction": f"{title} for deg som lever med {topic.name.lower()}, og for dine pårørende. "
            "Du lærer om sykdommen, behandlingen og hvordan du kan mestre hverdagen.",
            "description": PARAGRAPH * rng.randint(1, 3),
            "target_group": "<p>Voksne pasienter og pårørende.</p>",
            "goals": "<ul><li>Forstå sykdommen</li><li>Mestre hverdagen</li></ul>",
            "diagnosis_independent": not topic.is_diagnosis,
            "organiser_id": rng.choice(self.organisations).pk,
            "format": format_,
            "venue_id": rng.choice(self.venues).pk if with_venue else None,
            "digital_platform": "Microsoft Teams" if format_ != "on_site" else "",
            "duration": f"{rng.randint(1, 6)} samlinger",
            "min_participants": 6,
            "max_participants": rng.choice([12, 15, 20, 30]),
            "price_type": price_type,
            "price_amount": None if price_type == "free" else Decimal(rng.choice([200, 375, 750, 1500])),
            "referral_required": rng.random() < 0.3,
            "interpreter_available": rng.random() < 0.2,
            "status": status,
            "registration_method": rng.choices(
                ["form", "referral", "email", "phone", "none"], weights=[6, 2, 1, 1, 1]
            )[0],
            "registration_opens": registration_opens,
            "registration_closes": registration_closes,
            "contact_name": "Kari Nordmann",
            "contact_email": "kurs@example.org",
            "contact_phone": "22 11 88 00",
            "last_reviewed": self.today - datetime.timedelta(days=rng.randint(0, 365)),
        }
        if featured:
            fields["registration_method"] = "form"
            fields["price_note"] = "Kurset er gratis. Du betaler selv reise."
            fields["requirements"] = "<p>Du må kunne delta på alle samlingene.</p>"
            fields["user_participation"] = "<p>Kurset er planlagt sammen med brukerrepresentanter.</p>"
            fields["evaluation"] = "<p>Deltakerne svarer på et spørreskjema etter siste samling.</p>"
        group_count = 3 if featured else rng.randint(1, 3)
        groups = [self._group_spec(format_, featured) for _index in range(group_count)]
        return {
            "number": number,
            "title": title,
            "slug": topic.slug,
            "fields": fields,
            "topics": [self.topics[index].pk for index in topic_indexes],
            "audiences": [a.pk for a in rng.sample(self.audiences, rng.randint(1, 3))],
            "languages": [self.languages[0].pk] + ([self.languages[2].pk] if rng.random() < 0.2 else []),
            "partners": [o.pk for o in rng.sample(self.organisations, rng.randint(0, 2))],
            "groups": groups,
        }

    def _group_spec(self, format_, featured):
        from django.utils import timezone

        rng = self.rng
        venue = rng.choice(self.venues) if format_ != "digital" else None
        first_day = self.today + datetime.timedelta(days=rng.randint(2, 150))
        hour = rng.choice([10, 13, 18])
        sessions = []
        for index in range(4 if featured else rng.randint(1, 4)):
            day = first_day + datetime.timedelta(weeks=index)
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            sessions.append(
                {
                    "start": start,
                    "end": start + datetime.timedelta(hours=rng.choice([2, 3, 6])),
                    "venue_id": rng.choice(self.venues).pk if venue and rng.random() < 0.1 else None,
                    "place_note": rng.choice(["", "", "Auditorium 2", "Møterom Fjellet"]),
                    "topic": rng.choice(
                        ["Hva er sykdommen?", "Behandling", "Å leve med sykdommen", "Rettigheter"]
                    ),
                }
            )
        return {
            "name": venue.municipality if venue else f"Digital gruppe {first_day:%B}",
            "venue_id": venue.pk if venue else None,
            "places": rng.choice([None, 12, 15, 20]),
            "sessions": sessions,
        }

    def _add_relations(self, page_ids, specs):
        from lms_pages.models import GroupSession, OfferingGroup, OfferingPage

        for name in ("topics", "audiences", "languages", "partners"):
            relation = OfferingPage._meta.get_field(name)
            through = relation.remote_field.through
            source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
            through.objects.bulk_create(
                [
                    through(**{f"{source}_id": page_id, f"{target}_id": target_id})
                    for page_id, spec in zip(page_ids, specs, strict=True)
                    for target_id in spec[name]
                ],
                batch_size=2000,
            )
        group_specs = [
            (page_id, index, group)
            for page_id, spec in zip(page_ids, specs, strict=True)
            for index, group in enumerate(spec["groups"])
        ]
        groups = OfferingGroup.objects.bulk_create(
            [
                OfferingGroup(
                    offering_id=page_id,
                    sort_order=index,
                    name=group["name"],
                    venue_id=group["venue_id"],
                    places=group["places"],
                )
                for page_id, index, group in group_specs
            ],
            batch_size=2000,
        )
        GroupSession.objects.bulk_create(
            [
                GroupSession(group_id=group.pk, sort_order=index, **session)
                for group, (_page_id, _index, spec) in zip(groups, group_specs, strict=True)
                for index, session in enumerate(spec["sessions"])
            ],
            batch_size=2000,
        )

    def _add_notice(self):
        """The featured offering's confidentiality notice, a child page as editors add it."""
        from lms_pages.models import ConfidentialityNoticePage, OfferingPage

        featured = OfferingPage.objects.get(pk=self.featured.pk)
        notice = featured.add_child(
            instance=ConfidentialityNoticePage(
                title="Taushetserklæring", slug="taushetserklaering", body=PARAGRAPH
            )
        )
        OfferingPage.objects.filter(pk=featured.pk).update(confidentiality_notice=notice)

    def _link_related(self):
        """Up to two related offerings on the featured one."""
        from lms_pages.models import OfferingPage, RelatedOffering

        others = OfferingPage.objects.exclude(pk=self.featured.pk).order_by("path")[:2]
        RelatedOffering.objects.bulk_create(
            [
                RelatedOffering(offering_id=self.featured.pk, offering_page=other, sort_order=i)
                for i, other in enumerate(others)
            ]
        )
        self.related_linked = True

    def check_tree(self, size):
        """Stop unless the bulk-built tree is one treebeard and Wagtail would have built themselves."""
        from wagtail.models import Page

        from lms_pages.models import CataloguePage, GroupSession, OfferingGroup

        problems = Page.find_problems()
        if any(problems):
            names = ["evil chars", "bad steplen", "orphans", "wrong depth", "wrong numchild"]
            found = ", ".join(f"{name}: {ids[:5]}" for name, ids in zip(names, problems, strict=True) if ids)
            raise SystemExit(f"The seeded page tree is invalid ({found})")
        catalogue = CataloguePage.objects.get(pk=self.catalogue.pk)
        children = catalogue.get_children().count()
        if children != size:
            raise SystemExit(f"The catalogue has {children} children, expected {size}")
        groups = OfferingGroup.objects.filter(offering_id=self.featured.pk)
        sessions = GroupSession.objects.filter(group__in=groups).count()
        if groups.count() != 3 or sessions != 12:
            raise SystemExit("The featured offering must have 3 groups of 4 sessions")


# Measuring


def _request(client, url):
    """One GET through the whole stack (middleware, Wagtail routing, rendering): status, ms, SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sql_seconds = []

    def time_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(time_query):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    sql = [query["sql"] for query in queries.captured_queries]
    return response.status_code, elapsed * 1000, sum(sql_seconds) * 1000, sql


def measure(client, pages, requests, warmups):
    """Request the pages in turn, round after round, so load from elsewhere hits them all alike."""
    results = [Measurement(page=name, url=url, target=target) for name, url, target in pages]
    gc.collect()
    for round_number in range(warmups + requests):
        for result in results:
            status, elapsed_ms, sql_ms, queries = _request(client, result.url)
            result.statuses.add(status)
            if round_number == 0:
                result.first = (elapsed_ms, len(queries))
            if round_number >= warmups:
                result.times_ms.append(elapsed_ms)
                result.sql_ms.append(sql_ms)
                result.query_counts.append(len(queries))
                result.sample_queries = result.sample_queries or queries
    return results


def measure_size(seeder, size, args):
    from django.core.cache import cache
    from django.test import Client

    from lms_pages.catalogue import CatalogueFilter
    from lms_pages.models import CataloguePage

    catalogue = CataloguePage.objects.get(pk=seeder.catalogue.pk)
    popular_topic = max(seeder.topics, key=lambda topic: topic.offeringpage_set.count())
    query = {
        "topic": popular_topic.slug,
        "format": "digital",
        "open": "on",
        "date_from": seeder.today.isoformat(),
    }
    filtered_url = f"{catalogue.url}?{urlencode(query)}"
    matches = catalogue.get_offerings(CatalogueFilter(_query_dict(query), catalogue=catalogue)).count()
    pages = [
        ("minimal page (baseline)", seeder.minimal_page.url, None),
        ("catalogue", catalogue.url, CATALOGUE_QUERY_TARGET),
        ("catalogue, filtered", filtered_url, CATALOGUE_QUERY_TARGET),
        ("offering, 3 groups × 4 sessions", seeder.featured.url, OFFERING_QUERY_TARGET),
    ]
    # The seeding bypassed the signals that invalidate cached data (e.g. the catalogue's filter options).
    cache.clear()
    results = measure(Client(), pages, args.requests, args.warmups)
    return results, f"filtered: {filtered_url} ({matches} matching)"


def _query_dict(data):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(data)
    return query


def print_table(database, size, results, note, args):
    baseline = results[0].median
    header = (
        "page",
        "size",
        "queries",
        "target",
        "median ms",
        "p95 ms",
        "SQL ms",
        "× minimal",
        "1st request",
    )
    rows = [
        (
            result.page
            if result.ok
            else f"{result.page} [HTTP {','.join(map(str, sorted(result.statuses)))}]",
            str(size),
            result.queries,
            result.verdict,
            f"{result.median:.1f}",
            f"{result.p95:.1f}",
            f"{statistics.median(result.sql_ms):.1f}",
            f"{result.median / baseline:.2f}",
            f"{result.first[0]:.1f} ms, {result.first[1]} q",
        )
        for result in results
    ]
    print(f"\n{database} · {size} offerings · {args.requests} requests after {args.warmups} warm-ups")
    harness.print_columns(header, rows, left={0, 3})
    print(f"({note})")
    print("(SQL ms: median time per request spent executing queries, timed around each cursor execute)")
    print("(1st request: each page's first, on a cache emptied after seeding; pages are requested in turn)")
    if args.show_queries:
        for result in results:
            print(f"\n-- {result.page}: {len(result.sample_queries)} queries")
            for sql in result.sample_queries:
                print("   " + (sql if len(sql) < 2000 else sql[:2000] + " ..."))


def print_growth(database, measured):
    """How each page's queries and median changed from the smallest to the largest size."""
    (small, first), (large, last) = measured[0], measured[-1]
    print(f"\n{database} · growth from {small} to {large} offerings")
    for before, after in zip(first, last, strict=True):
        print(
            f"  {before.page:<34} queries {before.queries:>5} -> {after.queries:<5} "
            f"median ×{after.median / before.median:.2f}"
        )


def main(argv=None):
    args = parse_args(argv)
    failed = False
    with harness.throwaway_database(args) as name:
        started = time.perf_counter()
        harness.setup_django(args.settings, name)
        seeder = CatalogueSeeder(args.seed)
        seeder.create_site()
        database = harness.database_label()
        print(f"{database}: migrated and created the site in {time.perf_counter() - started:.1f} s")
        measured = []
        for size in args.sizes:
            started = time.perf_counter()
            seeder.grow_to(size)
            seeder.check_tree(size)
            harness.analyze_if_postgres()
            print(f"Seeded and checked {size} offerings in {time.perf_counter() - started:.1f} s")
            results, note = measure_size(seeder, size, args)
            print_table(database, size, results, note, args)
            failed = failed or not all(result.ok for result in results)
            measured.append((size, results))
        if len(measured) > 1:
            print_growth(database, measured)
    return harness.exit_status(failed, "A page did not answer 200 (marked [HTTP ...] above).")


if __name__ == "__main__":
    sys.exit(main())
