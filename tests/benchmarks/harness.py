"""What the benchmark scripts (bench_pages.py, bench_participants.py, bench_registration.py) share.

One copy, so that every benchmark makes and removes its throw-away database, refuses to seed a database
its settings did not take from DATABASE_URL, seeds the registration offering and lays out its tables in
the same way. The scripts import it as `tests.benchmarks.harness`, with the project folder on sys.path.
Django is imported only inside the functions: the scripts set DATABASE_URL and the settings module first.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


def is_postgres_url(url):
    return urlsplit(url).scheme in POSTGRES_SCHEMES


# Command-line options that the functions below read (throwaway_database: --database-url and
# --keep-database; setup_django: --settings), declared once so that every script spells them alike.
# One function an option, so that each script keeps its own order in --help.


def argument_parser(description, fails_when):
    """A script's parser; the epilog gives the rule all benchmarks follow (exit_status() applies it)."""
    return argparse.ArgumentParser(
        description=description,
        epilog=f"Timings are informative only: the exit status is non-zero only when {fails_when}.",
    )


def add_database_url_argument(parser, example, default=None):
    """--database-url: a PostgreSQL URL (`example` names a database in the help); without `default`, the
    database is a temporary SQLite file unless one is given."""
    if default:
        help_text = (
            f"a PostgreSQL URL; that database is dropped, created and dropped again (default: {default})"
        )
    else:
        help_text = (
            f"a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/{example}; that database is dropped, "
            "created and dropped again (default: a temporary SQLite file)"
        )
    parser.add_argument("--database-url", default=default, metavar="URL", help=help_text)


def add_keep_database_argument(parser, database="the PostgreSQL database"):
    parser.add_argument("--keep-database", action="store_true", help=f"do not drop {database} at the end")


def add_settings_argument(parser):
    parser.add_argument(
        "--settings",
        default="lms_site.settings.test",
        help="settings module (default: lms_site.settings.test)",
    )


def check_database_url(parser, args, sqlite=True):
    """Stop with a usage error unless --database-url is a PostgreSQL URL (or, with `sqlite`, not given:
    the temporary SQLite file). SQLite is never named by a URL: its file must be the run's own."""
    if sqlite and not args.database_url:
        return
    if not is_postgres_url(args.database_url):
        hint = "; SQLite is the default (a temporary file)" if sqlite else ""
        parser.error(f"--database-url must be a PostgreSQL URL{hint}")


# Database and Django set-up


def maintenance_url(database_url, example):
    """The URL of the server's "postgres" database, and the name of the database in `database_url`.

    `example` is the database name the error message suggests, as each script's documentation names it.
    """
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"The database URL must name a database, e.g. .../{example}")
    scheme = "postgresql" if parts.scheme in ("postgres", "pgsql") else parts.scheme
    return urlunsplit((scheme, parts.netloc, "/postgres", parts.query, "")), name


def _postgres_admin(database_url, statement, example):
    """Run `statement` (with {} for the database's name) on the maintenance database: no database can be
    created or dropped from a connection to itself."""
    import psycopg
    from psycopg import sql

    url, name = maintenance_url(database_url, example)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


@contextmanager
def postgres_database(database_url, keep=False, example="lms_bench"):
    """The PostgreSQL database of `database_url`, dropped and created empty, in DATABASE_URL; its name.

    Dropped again at the end unless `keep`, so that a run never measures what an earlier one left behind.
    """
    _postgres_admin(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", example)
    _postgres_admin(database_url, "CREATE DATABASE {}", example)
    os.environ["DATABASE_URL"] = database_url
    try:
        yield maintenance_url(database_url, example)[1]
    finally:
        close_connections()
        if not keep:
            _postgres_admin(database_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", example)


@contextmanager
def throwaway_database(args, directory=None, example="lms_bench"):
    """Point DATABASE_URL at a database that exists only for this run, and remove it afterwards.

    PostgreSQL when `args.database_url` is given (see postgres_database), else a fresh SQLite file in
    `directory`, or in a temporary directory of its own. Yields the name Django's settings must show.
    """
    if args.database_url:
        with postgres_database(args.database_url, args.keep_database, example) as name:
            yield name
    elif directory is None:
        with (
            tempfile.TemporaryDirectory(prefix="lms-bench-") as temporary,
            _sqlite_database(temporary) as name,
        ):
            yield name
    else:
        with _sqlite_database(directory) as name:
            yield name


@contextmanager
def _sqlite_database(directory):
    path = Path(directory) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    try:
        yield str(path)
    finally:
        close_connections()


def close_connections():
    """Close Django's connections, if Django was set up: a database in use cannot be dropped, and a child
    process or a server must not share them."""
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def setup_django(settings_module, expected_name, *, migrate=True, paths=(), make_migrations=(), refusal=None):
    """Set Django up with `settings_module` and migrate (unless not `migrate`), after making migrations for
    the apps in `make_migrations`; the folders in `paths` go on sys.path beside the project's.

    Refuses unless the settings' database is `expected_name`: a settings module that ignores DATABASE_URL
    must not get its real database migrated and seeded. `refusal` replaces the start of that message.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    for path in (str(PROJECT_DIR), *map(str, paths)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django
    from django.conf import settings

    name = str(settings.DATABASES["default"]["NAME"])
    if name != expected_name:
        refusal = refusal or f"{settings_module} does not read DATABASE_URL"
        raise SystemExit(f"{refusal} (database {name!r}); refusing to seed it.")
    django.setup()
    if migrate:
        from django.core.management import call_command

        for app in make_migrations:
            call_command("makemigrations", app, interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)


def database_label():
    """The database and its version, as the tables' headings show it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def analyze_if_postgres():
    """PostgreSQL plans from statistics; autovacuum would have gathered them on a real site, after a bulk
    seeding it has none."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# Seeding


def seed_offering(group_names, **offering_fields):
    """The catalogue /kurs/, an open offering /kurs/hodepineskolen/ with a group per name (no limit on
    places) and a confidentiality notice, and its registration form /kurs/hodepineskolen/pamelding/ with
    one editor question about health ("Diagnose"); `offering_fields` are added to the offering's.

    Returns (offering, form page, groups, question).
    """
    from wagtail.models import Site

    from lms_forms.models import RegistrationFormField, RegistrationFormPage
    from lms_pages.models import CataloguePage, ConfidentialityNoticePage, OfferingGroup, OfferingPage

    home = Site.objects.get(is_default_site=True).root_page
    catalogue = home.add_child(instance=CataloguePage(title="Kurs og tilbud", slug="kurs"))
    offering = catalogue.add_child(
        instance=OfferingPage(
            title="Hodepineskolen",
            slug="hodepineskolen",
            kind="course",
            introduction="Et kurs for deg som vil lære å mestre hodepine.",
            format="on_site",
            status="open",
            price_type="free",
            registration_method="form",
            **offering_fields,
        )
    )
    groups = [
        OfferingGroup.objects.create(offering=offering, name=name, sort_order=index, places=None)
        for index, name in enumerate(group_names)
    ]
    notice = offering.add_child(
        instance=ConfidentialityNoticePage(
            title="Taushetserklæring",
            slug="taushetserklaering",
            body="<p>Det som blir sagt i gruppa, blir i gruppa.</p>",
        )
    )
    OfferingPage.objects.filter(pk=offering.pk).update(confidentiality_notice=notice)
    offering.refresh_from_db()
    form_page = offering.add_child(
        instance=RegistrationFormPage(
            title="Påmelding",
            slug="pamelding",
            to_address="kurs@example.org",
            from_address="noreply@example.org",
            subject="Ny påmelding",
            age_check="birth_date",
        )
    )
    question = RegistrationFormField.objects.create(
        page=form_page,
        sort_order=0,
        label="Diagnose",
        field_type="multiline",
        asks_about_health=True,
        required=False,
    )
    return offering, form_page, groups, question


# Report


class Latencies:
    """Median and 95th percentile of a result's `times_ms`, the figures every benchmark reports."""

    @property
    def median(self):
        return statistics.median(self.times_ms)

    @property
    def p95(self):
        if len(self.times_ms) < 2:
            return self.times_ms[0]
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[-1]


def print_columns(header, rows, left=(0,)):
    """Print the header, a rule and the rows (tuples of strings) in columns as wide as their widest cell:
    the columns in `left` aligned left, the others right, two spaces between them."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        aligned = (
            cell.ljust(width) if column in left else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(aligned).rstrip()

    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def exit_status(failed, message):
    """The script's exit status: 1 when `failed`, after `message` on stderr, else 0.

    Timings are never asserted, so this is the benchmarks' one verdict; stdout is flushed first so that
    the message comes after the tables it refers to.
    """
    if failed:
        sys.stdout.flush()
        print(f"\n{message}", file=sys.stderr)
    return 1 if failed else 0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(settings_module, support_dir, port, log_path, *, workers=1, timeout=60, environment=None):
    """The project under gunicorn (sync workers) on 127.0.0.1:`port`, with `settings_module` importable
    from `support_dir`, its output in `log_path`; stopped on leaving."""
    env = {
        **os.environ,
        **(environment or {}),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": os.pathsep.join(
            [str(support_dir), str(PROJECT_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "lms_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        str(timeout),
        "--log-level",
        "warning",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - a fixed command: this interpreter running gunicorn
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
