"""The catalogue page, or an offering (--page offering), beside a reference page of another Wagtail site,
both served over HTTP in one run. With --page-cache our server keeps whole pages (LMS_PAGE_CACHE), as
production does.

A stand-alone script, not a test. For each catalogue size it seeds a throw-away database with a
catalogue of that many live offerings (bench_pages.py's CatalogueSeeder, the same data as there), serves
this project with gunicorn (one sync worker, DEBUG off, the test settings' local-memory cache, or Redis
with --redis-url) on a free port, warms both pages up, and then requests our catalogue and the
reference URL in alternating rounds (ours first in one round, the reference first in the next), each
request on a new connection through the same client (http.client), timed from connecting to the last
byte of the body. It prints, per database and size, the median and 95th percentile of each page and the
ratio of the medians (ours / reference), and a summary of all sizes at the end.

    .venv/bin/python tests/benchmarks/bench_versus_reference.py --reference-url http://127.0.0.1:8100/blog/
    .venv/bin/python tests/benchmarks/bench_versus_reference.py --reference-url http://127.0.0.1:8100/blog/ \\
        --sizes 1000 20000 --database-url postgres://postgres@127.0.0.1:5432/lms_bench_vs
    make bench REFERENCE_URL=http://127.0.0.1:8100/blog/
    .venv/bin/python tests/benchmarks/bench_versus_reference.py --reference-url http://127.0.0.1:8100/blog/ \\
        --page offering --page-cache --redis-url redis://127.0.0.1:6379/15 --sizes 1000 \\
        --database-url postgres://postgres@127.0.0.1:5432/lms_bench_vs

The reference is any page you serve yourself; nothing of it is part of this project. The one the figures
are meant for is the blog index of wagtail/bakerydemo, Wagtail's demo site, which lists all its blog
posts on one page: check it out beside this project, install it in a virtual environment of its own with
the same Wagtail and Django versions as this project (constraints.txt) rather than the ones its
requirements name, migrate it and load its initial data, and serve it with its production settings
(DEBUG off), with the HTTPS redirect turned off (the client speaks plain HTTP), under gunicorn with one
sync worker, e.g. on 127.0.0.1:8100; then pass its blog index's URL. A redirect or any other answer than
200 counts as a failure. The reference site keeps its own database (e.g. SQLite) whichever database the
catalogue is seeded on here; the ratio compares whole pages of two sites, not the databases.

Each size gets its own server process, started after seeding, so its cache starts empty; the warm-up
rounds fill it as visitors would. Timings are for reading, never asserted: the exit status is non-zero
only when a page does not answer 200 (or the seeded page tree fails treebeard's find_problems()).

By default the database is a fresh SQLite file in a temporary directory. With --database-url the
PostgreSQL database named in the URL is dropped if it exists, created, and dropped again at the end,
through the server's "postgres" maintenance database. The server imports this checkout's own packages
(lms_site included, from site/), also when the virtual environment's editable install points elsewhere,
e.g. when the script runs in a git worktree.
"""

import http.client
import shutil
import sys
import tempfile
import textwrap
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# The project folder on sys.path, for the shared harness and the seeding (and, after set-up, Django's apps).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import bench_pages, harness  # noqa: E402

SETTINGS_MODULE = "lms_bench_versus_settings"
SETTINGS_SOURCE = """\
from {base} import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
# Static files are served from the apps' folders, indexed once when the server starts (not looked up
# again on every request, as the test settings' autorefresh does).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
"""
REDIS_SETTINGS_SOURCE = """\
CACHES = {{
    "default": {{
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": {url!r},
        "KEY_PREFIX": {prefix!r},
        "OPTIONS": {{"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2}},
    }}
}}
"""
REQUEST_TIMEOUT = 120


@dataclass
class Side(harness.Latencies):
    """One page's requests in a run: our catalogue or the reference."""

    label: str
    url: str
    times_ms: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)  # status (or error) -> count, warm-ups included
    body_bytes: int = 0
    first_ms: float | None = None  # the page's first request in the run

    def record(self, status, elapsed_ms, size, timed):
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 200:
            self.body_bytes = size
        if self.first_ms is None:
            self.first_ms = elapsed_ms
        if timed:
            self.times_ms.append(elapsed_ms)

    @property
    def ok(self):
        return set(self.statuses) == {200}

    @property
    def status_note(self):
        return ", ".join(f"{status} ×{count}" for status, count in sorted(self.statuses.items(), key=str))


def parse_args(argv=None):
    parser = harness.argument_parser(
        "Measure the catalogue page beside a reference page of another site, both over HTTP in "
        "alternating rounds, on a seeded throw-away database.",
        fails_when="a page does not answer 200",
    )
    parser.add_argument(
        "--reference-url",
        required=True,
        metavar="URL",
        help="the reference page, an http:// URL served by another site (e.g. a blog index)",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1000, 5000, 20000],
        metavar="N",
        help="catalogue sizes (default: 1000 5000 20000)",
    )
    parser.add_argument(
        "--rounds", type=int, default=60, metavar="N", help="timed rounds, one request per page (default: 60)"
    )
    parser.add_argument(
        "--warmups", type=int, default=5, metavar="N", help="untimed rounds first (default: 5)"
    )
    harness.add_database_url_argument(parser, "lms_bench_vs")
    parser.add_argument(
        "--settings",
        default="lms_site.settings.test",
        help="settings module the server's settings start from, with DEBUG off "
        "(default: lms_site.settings.test)",
    )
    parser.add_argument(
        "--redis-url",
        metavar="URL",
        help="serve with Redis as the cache, as production does (default: local memory), "
        "e.g. redis://127.0.0.1:6379/15",
    )
    parser.add_argument(
        "--page",
        choices=("catalogue", "offering"),
        default="catalogue",
        help="our page: the catalogue, or its featured offering (3 groups of 4 sessions) (default: catalogue)",
    )
    parser.add_argument(
        "--page-cache",
        action="store_true",
        help="serve with the application's cache of whole pages on (LMS_PAGE_CACHE), as production does",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the generated offerings")
    harness.add_keep_database_argument(parser)
    args = parser.parse_args(argv)
    if any(size < 1 for size in args.sizes) or args.rounds < 1 or args.warmups < 0:
        parser.error("sizes and --rounds must be at least 1, --warmups at least 0")
    reference = urlsplit(args.reference_url)
    if reference.scheme != "http" or not reference.hostname:
        parser.error("--reference-url must be an http:// URL, e.g. http://127.0.0.1:8100/blog/")
    harness.check_database_url(parser, args)
    args.sizes = sorted(set(args.sizes))
    return args


# HTTP


def fetch(url):
    """GET `url` on a new connection: (status or error, milliseconds to the body's last byte, body bytes)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Accept": "text/html", "Accept-Encoding": "identity"})
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        status = response.status
        if 300 <= status < 400:
            status = f"{status} to {response.getheader('Location')}"
        return status, elapsed * 1000, len(body)
    except OSError as error:
        return f"{type(error).__name__}: {error}", (time.perf_counter() - started) * 1000, 0
    finally:
        connection.close()


def measure(ours, reference, rounds, warmups):
    """Alternate the pages, ours first in even rounds and the reference first in odd ones, so that drift
    in the machine's load and the order within a round weigh on both alike."""
    for number in range(warmups + rounds):
        pair = (ours, reference) if number % 2 == 0 else (reference, ours)
        for side in pair:
            side.record(*fetch(side.url), timed=number >= warmups)


# Our server


def write_support_modules(directory, args):
    """The server's settings module, and `lms_site` pointing at this checkout's site/ folder: the
    editable install's finder would otherwise import the one in the folder it was installed from."""
    source = SETTINGS_SOURCE.format(base=args.settings)
    if args.page_cache:
        source += "LMS_PAGE_CACHE = True\n"
    if args.redis_url:
        source += REDIS_SETTINGS_SOURCE.format(url=args.redis_url, prefix=f"bench-vs-{uuid.uuid4().hex[:8]}")
    (directory / f"{SETTINGS_MODULE}.py").write_text(source)
    (directory / "lms_site").symlink_to(harness.PROJECT_DIR / "site", target_is_directory=True)


def wait_until_answering(process, side, log_path, timeout=90):
    """Wait until the server answers the side's page at all; that first answer (the worker's first
    request, on an empty cache) is recorded untimed like a warm-up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{_tail(log_path)}")
        status, elapsed_ms, size = fetch(side.url)
        if not isinstance(status, str) or not status.startswith(("ConnectionRefused", "ConnectionReset")):
            side.record(status, elapsed_ms, size, timed=False)
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {side.url} within {timeout} s:\n{_tail(log_path)}")


def _tail(log_path, characters=3000):
    return textwrap.indent(Path(log_path).read_text(errors="replace")[-characters:], "  ")


# Report


def print_size(database, size, ours, reference, args):
    print(
        f"\n{database} · {size} offerings · {args.rounds} alternating rounds after {args.warmups} warm-ups · "
        f"gunicorn, 1 sync worker each · our cache: {'Redis' if args.redis_url else 'local memory'}"
        f"{', whole pages cached' if args.page_cache else ''}"
    )
    header = ("page", "URL", "median ms", "p95 ms", "1st ms", "KiB", "answers")
    rows = [
        (
            side.label if side.ok else f"{side.label} [NOT 200]",
            side.url,
            f"{side.median:.1f}" if side.times_ms else "-",
            f"{side.p95:.1f}" if side.times_ms else "-",
            f"{side.first_ms:.1f}" if side.first_ms is not None else "-",
            f"{side.body_bytes / 1024:.0f}",
            side.status_note,
        )
        for side in (ours, reference)
    ]
    harness.print_columns(header, rows, left={0, 1, 5})
    print(f"ratio of medians (ours / reference): {ratio(ours, reference)}")
    print("(times from connecting to the last byte of the body, a new connection per request)")
    print(
        "(1st ms: each page's first request in the run; ours on a server just started (its first request, "
        "with an empty cache), the reference as its server stood)"
    )


def ratio(ours, reference):
    if not ours.times_ms or not reference.times_ms or not reference.median:
        return "-"
    return f"{ours.median / reference.median:.2f}×"


def print_summary(database, measured, args):
    print(f"\n{database} · summary · reference {args.reference_url}")
    header = ("offerings", "ours median", "ours p95", "reference median", "reference p95", "ours / reference")
    rows = [
        (
            str(size),
            f"{ours.median:.1f} ms",
            f"{ours.p95:.1f} ms",
            f"{reference.median:.1f} ms",
            f"{reference.p95:.1f} ms",
            ratio(ours, reference),
        )
        for size, ours, reference in measured
    ]
    harness.print_columns(header, rows, left=())


def main(argv=None):
    args = parse_args(argv)
    status, _elapsed, _size = fetch(args.reference_url)
    if status != 200:
        print(
            f"The reference {args.reference_url} answered {status}, not 200: serve it over plain HTTP without "
            "redirects, and check its URL.",
            file=sys.stderr,
        )
        return 1
    support_dir = Path(tempfile.mkdtemp(prefix="lms-bench-vs-"))
    failed = False
    try:
        write_support_modules(support_dir, args)
        with harness.throwaway_database(args, example="lms_bench_vs") as name:
            started = time.perf_counter()
            harness.setup_django(SETTINGS_MODULE, name, paths=[support_dir])
            from lms_pages.models import CataloguePage

            seeder = bench_pages.CatalogueSeeder(args.seed)
            seeder.create_site()
            database = harness.database_label()
            print(f"{database}: migrated and created the site in {time.perf_counter() - started:.1f} s")
            measured = []
            for size in args.sizes:
                started = time.perf_counter()
                seeder.grow_to(size)
                seeder.check_tree(size)
                harness.analyze_if_postgres()
                if args.page == "offering":
                    path = type(seeder.featured).objects.get(pk=seeder.featured.pk).url
                else:
                    path = CataloguePage.objects.get(pk=seeder.catalogue.pk).url
                print(f"Seeded and checked {size} offerings in {time.perf_counter() - started:.1f} s")
                # The server gets the database to itself; a new one per size starts with an empty cache.
                harness.close_connections()
                port = harness.free_port()
                log_path = support_dir / f"gunicorn-{size}.log"
                ours = Side(f"{args.page} (ours)", f"http://127.0.0.1:{port}{path}")
                reference = Side("reference", args.reference_url)
                with harness.gunicorn(
                    SETTINGS_MODULE, support_dir, port, log_path, timeout=REQUEST_TIMEOUT
                ) as process:
                    wait_until_answering(process, ours, log_path)
                    measure(ours, reference, args.rounds, args.warmups)
                print_size(database, size, ours, reference, args)
                if not ours.ok and log_path.read_text(errors="replace").strip():
                    print(f"\ngunicorn log (last lines):\n{_tail(log_path)}")
                failed = failed or not (ours.ok and reference.ok)
                if ours.times_ms and reference.times_ms:
                    measured.append((size, ours, reference))
            if len(measured) > 1:
                print_summary(database, measured, args)
    finally:
        shutil.rmtree(support_dir, ignore_errors=True)
    return harness.exit_status(failed, "A page did not answer 200 (marked [NOT 200] above).")


if __name__ == "__main__":
    sys.exit(main())
