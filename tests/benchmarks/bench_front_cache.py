"""An offering page from Varnish beside a static file from the same Varnish, and beside the application.

A stand-alone script, not a test. It sets up production as tests/production_site.py does (a throw-away
PostgreSQL database migrated with the production settings, static files collected, the demo content,
gunicorn with Redis as the cache), puts Varnish in front with docs/varnish.vcl, warms up, and then
requests in alternating rounds (the order turned round each round), each request on a new connection:

- the demo's first open offering through Varnish (a hit: what thousands of readers get),
- the site's stylesheet through the same Varnish (a static file, also a hit), and
- the same offering straight from gunicorn (with the production settings, so from its page cache).

It prints the median and 95th percentile of each, the size of each answer, and the ratios of the
medians: the cached page against the static file (the goal: within 2×), and the application against the
cached page.

    .venv/bin/python tests/benchmarks/bench_front_cache.py
    .venv/bin/python tests/benchmarks/bench_front_cache.py --rounds 300 --database-url postgres://postgres@127.0.0.1:5432/postgres

Needs varnishd (Debian's varnish package), PostgreSQL and Redis. Timings are for reading, never
asserted: the exit status is non-zero only when a request does not answer 200, or the cached page is not
served from Varnish.
"""

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))

from tests.production_site import (  # noqa: E402
    DEFAULT_REDIS_URL,
    FORWARDED,
    free_port,
    prepare_demo,
    production_environment,
    serve_site_at_port,
    served,
    shell,
    throwaway_database,
    varnish,
)

OPEN_OFFERING = (
    "from lms_forms.models import RegistrationFormPage\n"
    "form = next(page for page in RegistrationFormPage.objects.live().order_by('path')\n"
    "            if page.offering.registration_state() == 'open')\n"
    "print(form.offering.get_url_parts()[2])\n"  # its path (with two sites, Page.url is a full address)
)


def fetch(url):
    """GET on a new connection: (status, X-Cache, milliseconds to the last byte, body bytes)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", parts.path, headers={**FORWARDED, "Accept-Encoding": "identity"})
        response = connection.getresponse()
        body = response.read()
        return (
            response.status,
            response.getheader("X-Cache"),
            (time.perf_counter() - started) * 1000,
            len(body),
        )
    finally:
        connection.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed rounds (default: 200)")
    parser.add_argument("--warmups", type=int, default=20, help="untimed rounds first (default: 20)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="the PostgreSQL server to make the throw-away database on",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="lms-bench-front-") as folder:
        front_port = free_port()
        with throwaway_database(args.database_url, prefix="lms_bench_front") as database_url:
            environment = production_environment(
                database_url,
                folder,
                redis_url=args.redis_url,
                LMS_FRONT_CACHE_URL=f"http://127.0.0.1:{front_port}",
            )
            prepare_demo(environment)
            serve_site_at_port(environment, front_port)
            offering_path = shell(environment, OPEN_OFFERING).strip()
            with (
                served(environment, folder, workers=1) as site,
                varnish(site.url, front_port, folder) as front_url,
            ):
                stylesheet = _stylesheet(front_url + offering_path)
                sides = {
                    "offering from Varnish": front_url + offering_path,
                    "static file from Varnish": front_url + stylesheet,
                    "offering from gunicorn": site.url + offering_path,
                }
                return _measure(sides, args.rounds, args.warmups)


def _stylesheet(page_url):
    """The address of the first stylesheet the page links."""
    from bs4 import BeautifulSoup

    html = requests.get(page_url, headers=FORWARDED, timeout=60).text
    return BeautifulSoup(html, "html.parser").find("link", rel="stylesheet")["href"]


def _measure(sides, rounds, warmups):
    times = {label: [] for label in sides}
    sizes, caches, failures = {}, {}, []
    labels = list(sides)
    for round_number in range(warmups + rounds):
        order = labels if round_number % 2 == 0 else labels[::-1]
        for label in order:
            status, cache, elapsed, size = fetch(sides[label])
            if status != 200:
                failures.append(f"{label}: {status}")
                continue
            sizes[label] = size
            if round_number >= warmups:
                caches.setdefault(label, set()).add(cache)
                times[label].append(elapsed)
    print(f"{rounds} rounds after {warmups} warm-up rounds, each request on a new connection\n")
    print(f"{'':28}{'median ms':>10}{'p95 ms':>9}{'bytes':>9}")
    for label in labels:
        values = sorted(times[label]) or [float("nan")]
        p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
        print(f"{label:28}{statistics.median(values):10.2f}{p95:9.2f}{sizes.get(label, 0):9}")
    median = {label: statistics.median(times[label]) for label in labels if times[label]}
    if len(median) == len(labels):
        print(
            "\ncached offering / static file: "
            f"{median['offering from Varnish'] / median['static file from Varnish']:.2f}×"
        )
        print(
            "application / cached offering: "
            f"{median['offering from gunicorn'] / median['offering from Varnish']:.1f}×"
        )
    if caches.get("offering from Varnish") != {"hit"}:
        failures.append(f"the offering was not always a Varnish hit: {caches.get('offering from Varnish')}")
    for failure in failures[:10]:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
