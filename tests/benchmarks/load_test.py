"""Load: visitors reading the catalogue and offerings and registering, against production's set-up.

A stand-alone script, not a test. It creates a throw-away PostgreSQL database, migrates it with the
production settings, collects the static files, loads the demo content, and gives the open offering's
first group few places (--places) with the waiting list on, so that it fills during the run. gunicorn
(--workers) then serves it with the production settings and Redis as the cache, as behind a load
balancer, and locust runs --users visitors (tests/benchmarks/locustfile.py) for --run-time: each reads
the catalogue (plain and filtered) and offering pages, and now and then registers as a person does
(read the form, a few seconds to fill it in, send it, read the confirmation), each from an address of
its own.

It prints, per kind of request and in all: requests, failures, requests per second, median and 95th
percentile latency; and then checks the database: every successful registration stored once, places
taken never more than places, the group's counts equal to its registrations. Timings are for reading,
never asserted: the exit status is non-zero only for a failed request, a lost registration or an
oversold place. The target: no errors and no oversold places at 50 visitors.

Needs locust, which is not in the dev extras (it brings gevent and Flask):

    .venv/bin/pip install -c constraints.txt -e ".[dev,load]"
    .venv/bin/python tests/benchmarks/load_test.py
    .venv/bin/python tests/benchmarks/load_test.py --users 50 --run-time 120s --workers 4
    .venv/bin/python tests/benchmarks/load_test.py --varnish

With --varnish the visitors reach gunicorn through Varnish (docs/varnish.vcl), as production runs it: the
application purges changed pages through its task worker (`manage.py db_worker`, running beside it), so
every registration purges the offering and the catalogue while the others read them. The run then also
prints Varnish's hits and misses (varnishstat).
"""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))

from tests.production_site import (  # noqa: E402
    BIN,
    DEFAULT_REDIS_URL,
    free_port,
    prepare_demo,
    production_environment,
    serve_site_at_port,
    served,
    shell,
    throwaway_database,
    varnish,
)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")

SETUP_CODE = """
import json
from wagtail.models import Site
from lms_forms.models import RegistrationFormPage
from lms_forms.services.locking import recount_places
from lms_pages.models import OfferingGroup, OfferingPage
sites = []
for site in Site.objects.order_by("-is_default_site", "hostname"):
    root = site.root_page
    forms = RegistrationFormPage.objects.live().descendant_of(root).order_by("path")
    form = next(p for p in forms if p.offering.registration_state() == "open")
    offering = form.offering
    OfferingPage.objects.filter(pk=offering.pk).update(waiting_list=True)
    group = OfferingGroup.objects.filter(offering=offering).order_by("sort_order", "pk").first()
    group.places = {places}
    group.save()
    recount_places([group.pk])
    offerings = list(OfferingPage.objects.live().descendant_of(root))
    topics = sorted({{topic.slug for page in offerings for topic in page.topics.all()}})[:3]
    catalogue = root.relative_url(site)
    sites.append({{
        "host": site.hostname,
        "catalogue": [catalogue, *(f"{{catalogue}}?topic={{slug}}" for slug in topics), f"{{catalogue}}?open=on"],
        "offerings": [page.relative_url(site) for page in offerings],
        "form": form.relative_url(site),
        "group": group.pk,
    }})
print(json.dumps({{"sites": sites}}))
"""

CHECK_CODE = """
import json
from django.db.models import Count
from lms_forms.choices import HOLDS_PLACE
from lms_forms.models import Registration
from lms_pages.models import GroupOccupancy, OfferingGroup
group = OfferingGroup.objects.get(pk={group})
occupancy = GroupOccupancy.objects.filter(group=group).first()
registrations = Registration.objects.filter(group=group, email__startswith="last-")
accepted_here = {{line.split()[1] for line in open("{accepted}").read().splitlines() if line.split()[0] == "{host}"}}
stored = list(registrations.values_list("email", flat=True))
print(json.dumps({{
    "places": group.places,
    "accepted": len(accepted_here),
    "stored": len(stored),
    "accepted_missing": len(accepted_here - set(stored)),
    "doubled": len(stored) - len(set(stored)),
    "holding": Registration.objects.filter(group=group, status__in=HOLDS_PLACE).count(),
    "waiting": Registration.objects.filter(group=group, status="waiting").count(),
    "places_taken": occupancy.places_taken if occupancy else 0,
    "waiting_counted": occupancy.waiting if occupancy else 0,
}}))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL on the server to use; a throw-away database is created beside it",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--users", type=int, default=50, help="simultaneous visitors (default: 50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="visitors started per second")
    parser.add_argument("--run-time", default="60s", help="how long the load lasts (default: 60s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default: 4)")
    parser.add_argument("--places", type=int, default=20, help="places in the group people register for")
    parser.add_argument(
        "--varnish", action="store_true", help="put Varnish in front, with the task worker purging"
    )
    return parser.parse_args(argv)


@contextmanager
def task_worker(environment, folder):
    """`manage.py db_worker` running until the block ends: it sends the emails and the purges."""
    with (Path(folder) / "worker.log").open("w") as log:
        worker = subprocess.Popen(  # noqa: S603 - the command is this script's own
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield worker
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)


def varnish_counts(folder):
    """Varnish's cache hits and misses so far, from varnishstat."""
    result = subprocess.run(  # noqa: S603 - Debian's varnishstat, with the run's own work folder
        [
            shutil.which("varnishstat") or "/usr/bin/varnishstat",
            "-n",
            str(Path(folder) / "varnish"),
            "-1",
            "-j",
            "-f",
            "MAIN.cache_hit",
            "-f",
            "MAIN.cache_miss",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    counters = json.loads(result.stdout)
    counters = counters.get("counters", counters)
    return counters["MAIN.cache_hit"]["value"], counters["MAIN.cache_miss"]["value"]


def run_locust(site, paths, args, folder):
    prefix = Path(folder) / "locust"
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--host",
        site.url,
        "--csv",
        str(prefix),
        "--only-summary",
        # Visitors finish what they are doing when the time is up, so every POST the server took is counted.
        "--stop-timeout",
        "30",
        "--loglevel",
        "WARNING",
    ]
    environment = {
        **os.environ,
        "LMS_LOAD_PATHS": json.dumps(paths),
        "LMS_LOAD_ACCEPTED": str(Path(folder) / "accepted.txt"),
    }
    # locust's exit status is 1 when any request failed; the figures below say which. Its own report
    # goes to a file beside its figures.
    with (Path(folder) / "locust.log").open("w") as log:
        subprocess.run(  # noqa: S603 - the command is this script's own
            command,
            cwd=PROJECT_DIR,
            env=environment,
            check=False,
            timeout=3600,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as file:
        return list(csv.DictReader(file))


def print_stats(rows, args):
    print(
        f"\nlocust · {args.users} visitors · {args.run_time} · gunicorn {args.workers} sync workers"
        f"{' behind Varnish' if args.varnish else ''} · PostgreSQL and Redis, production settings"
    )
    header = ("request", "count", "failures", "req/s", "median ms", "p95 ms")
    table = [
        (
            row["Name"] if row["Name"] != "Aggregated" else "all requests",
            row["Request Count"],
            row["Failure Count"],
            f"{float(row['Requests/s']):.1f}",
            row["Median Response Time"],
            row["95%"],
        )
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *table]) for i in range(len(header))]
    for line in [header, ["-" * width for width in widths], *table]:
        print(
            "  ".join(
                str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )


def main(argv=None):
    args = parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="lms-load-") as folder,
        throwaway_database(args.database_url, prefix="lms_load") as database_url,
    ):
        front_port = free_port()
        front = {
            # Varnish appends the address it was reached from: two proxies before the application.
            "DJANGO_TRUSTED_PROXIES": "2",
            "LMS_FRONT_CACHE_URL": f"http://127.0.0.1:{front_port}",
        }
        environment = production_environment(
            database_url,
            folder,
            redis_url=args.redis_url,
            # The demo's two sites, each at its own host name.
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,nordhordland.localhost",
            **(front if args.varnish else {"DJANGO_TRUSTED_PROXIES": "1"}),
        )
        prepare_demo(environment)
        if args.varnish:
            serve_site_at_port(environment, front_port)
        paths = json.loads(shell(environment, SETUP_CODE.format(places=args.places)).strip().splitlines()[-1])
        for site_paths in paths["sites"]:
            print(
                f"{site_paths['host']}: {len(site_paths['offerings'])} offering pages; registering at "
                f"{site_paths['form']} (group {site_paths['group']})"
            )
        with ExitStack() as stack:
            site = stack.enter_context(served(environment, folder, workers=args.workers))
            if args.varnish:
                site.url = stack.enter_context(varnish(site.url, front_port, folder))
                stack.enter_context(task_worker(environment, folder))
            rows = run_locust(site, paths, args, folder)
            hits_misses = varnish_counts(folder) if args.varnish else None
        print_stats(rows, args)
        if hits_misses:
            hits, misses = hits_misses
            print(
                f"Varnish: {hits} hits, {misses} misses ({hits / max(hits + misses, 1):.0%} of lookups from the cache)"
            )
        accepted = Path(folder) / "accepted.txt"
        accepted.touch()
        checks = {
            site_paths["host"]: json.loads(
                shell(
                    environment,
                    CHECK_CODE.format(group=site_paths["group"], accepted=accepted, host=site_paths["host"]),
                )
                .strip()
                .splitlines()[-1]
            )
            for site_paths in paths["sites"]
        }

    by_name = {row["Name"]: row for row in rows}
    failures = int(by_name["Aggregated"]["Failure Count"])
    oversold = lost = counts_off = False
    for host, check in checks.items():
        oversold |= check["holding"] > check["places"] or check["places_taken"] > check["places"]
        lost |= bool(check["accepted_missing"] or check["doubled"])
        counts_off |= (check["places_taken"], check["waiting_counted"]) != (
            check["holding"],
            check["waiting"],
        )
        print(
            f"\n{host}: {check['accepted']} registrations confirmed to visitors, {check['stored']} stored (the "
            f"rest were sent as the run ended); {check['accepted_missing']} confirmed but missing, "
            f"{check['doubled']} doubled. The group has {check['places']} places: {check['holding']} hold one, "
            f"{check['waiting']} wait (its counts: {check['places_taken']} taken, {check['waiting_counted']} "
            "waiting)."
        )
    print(f"Errors: {failures}  {'OK' if not failures else 'FAILED'}")
    print(f"Oversold places: {'none  OK' if not oversold else 'YES  FAILED'}")
    print(f"Lost or doubled registrations: {'none  OK' if not lost else 'YES  FAILED'}")
    print(f"Group counts agree with the registrations: {'yes  OK' if not counts_off else 'NO  FAILED'}")
    return 1 if failures or oversold or lost or counts_off else 0


if __name__ == "__main__":
    sys.exit(main())
