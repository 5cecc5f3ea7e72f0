"""Time and peak memory of participant imports and exports, beside a default django-import-export import.

A stand-alone script, not a test: it creates a throw-away database, seeds a catalogue with one open
offering (four groups without a limit on places) and its registration form with one editor question
("Diagnose"), and writes a CSV file per size with the columns an export has: name, email, phone, date
of birth, group, status, note and the question, with bokmål headings and every value as the export
writes it (dates as dd.mm.yyyy, status names, phone numbers in E.164 behind the export's formula
apostrophe). Every email address is new.

Each case runs in a fresh child process (this script with an internal --case option), so that its peak
memory is its own; the registrations are deleted and the groups' counts reset before each import. The
cases, for each size:

- import (ours): `read_participant_file()` and `import_participants()` into the empty offering, as
  `manage.py import_participants --max-rows N` does (the row limit raised to N and the byte limit with
  it);
- import (default): the same file read with django-import-export's CSV format and imported by a plain
  `ModelResource` for Registration without bulk mode, the same columns mapped to attributes (the group's
  name to both the group, through a ForeignKeyWidget, and the group's name), matched on email through
  `import_id_fields`, `import_data(dataset, dry_run=False, use_transactions=True)`. Its one addition is
  `init_instance()`, which sets the two required foreign keys (offering, form page) and puts the
  question's answer into form_data, which no model field holds. Everything else is the library's
  default: a query per row to find the email, a savepoint, an INSERT and a diff per row, and the
  project's post_save handlers per row (Wagtail updates its reference index, run at once by
  django-tasks' immediate backend, as in every settings module here); values are stored as they are
  written (no validation, status names and phone numbers as in the file);

and, after the imports, the largest size of registrations (stored in bulk, unmeasured) written by
`write_export()` to a CSV file and to an XLSX file.

Seconds: the case's wall time, file reading included. Peak MB: the child process's peak resident set
size (Linux's VmHWM, else `getrusage(RUSAGE_SELF).ru_maxrss`), Python and Django included; "at start"
in the notes is the same before the case began. Targets: importing 10,000 rows in at most 10 s;
100,000 rows in at most 120 s and 1 GB; exporting 100,000 rows in at most 30 s. A smaller size is held
to the next target up.
The default resource has no target: it is there for comparison. Timings are for reading, never
asserted: the exit status is non-zero only when a case fails (an error, or rows missing afterwards).

    .venv/bin/python tests/benchmarks/bench_participants.py
    .venv/bin/python tests/benchmarks/bench_participants.py --sizes 10000 --profile
    .venv/bin/python tests/benchmarks/bench_participants.py \\
        --database-url postgres://postgres@127.0.0.1:5432/lms_bench_participants

The default resource looks each email up with a query on a column without an index of its own, so its
time grows with the square of the rows: at 100,000 rows it runs for longer than all the other cases
together (20 minutes on SQLite on a 2-core machine, longer on PostgreSQL). So by default it is run
only at sizes up to 10,000, and the output says so; --baseline-large runs it at every size (progress is
printed every 15 s).

By default the database is a fresh SQLite file in a temporary directory. With --database-url the
PostgreSQL database named in the URL is dropped if it exists, created, and dropped again at the end,
through the server's "postgres" maintenance database.
"""

import argparse
import csv
import datetime
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from random import Random

# The project folder on sys.path, for the shared harness (and, after set-up, Django's apps).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import harness  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000)
# The default resource is run at sizes above this only with --baseline-large.
BASELINE_SMALL_LIMIT = 10_000
SKIPPED_BASELINE = (
    "skipped by default: a query per row on an unindexed column makes it run for longer than all the other "
    "cases together; --baseline-large runs it"
)
HEARTBEAT_SECONDS = 15
PROFILE_LINES = 30
LANGUAGE = "nb"

# (largest size, seconds, peak MB or None) per case kind; the first whose size is at least the case's.
TARGETS = {
    "import": ((10_000, 10, None), (100_000, 120, 1024)),
    "export-csv": ((100_000, 30, None),),
    "export-xlsx": ((100_000, 30, None),),
}
CASE_LABELS = {
    "import": "import (ours, bulk)",
    "baseline": "import (default resource, no bulk)",
    "export-csv": "export CSV (write_export)",
    "export-xlsx": "export XLSX (write_export)",
}

GROUPS = ("Oslo", "Bergen", "Trondheim", "Tromsø")
# The export's columns that the file has, by ParticipantResource's field keys; the question comes last.
FILE_COLUMNS = ("name", "email", "phone", "birth_date", "group", "status", "note")
STATUS_WEIGHTS = {"place": 80, "waiting": 8, "attended": 7, "cancelled": 3, "no_show": 2}

FIRST_NAMES = [
    "Kari", "Ola", "Ingrid", "Per", "Anne", "Lars", "Marit", "Jon", "Sigrid", "Bjørn", "Åse", "Øyvind",
    "Solveig", "Håkon", "Nora", "Emil", "Sofie", "Jakob", "Aisha", "Mohammed", "Fatima", "Ali", "Zofia",
    "Piotr", "Linnea", "Magnus", "Ida", "Sander", "Thea", "Henrik", "Eirin", "Tor Arne", "Mari-Ann",
]  # fmt: skip
LAST_NAMES = [
    "Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen",
    "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen",
    "Ødegård", "Aas", "Bakken", "Strand", "Khan", "Nowak", "Nguyen",
]  # fmt: skip
ANSWERS = [
    "",
    "Migrene",
    "Migrene med aura",
    "Spenningshodepine",
    "Klasehodepine, bruker oksygen",
    "Medikamentoverforbrukshodepine",
    "Migrene.\nBruker triptaner ved anfall.",
]
NOTES = [
    "Trenger tolk (arabisk)",
    "Rullestolbruker",
    "Kommer med pårørende",
    "Henvist fra fastlege, epikrise mottatt",
    'Ønsker plass i samme gruppe som "Per"',
]
ASCII_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "", "-": ""})


@dataclass
class CaseResult:
    kind: str
    rows: int
    database: str = ""
    seconds: float = 0.0
    peak_mb: float = 0.0
    start_mb: float = 0.0
    ok: bool = False
    detail: str = ""
    problem: str = ""

    @property
    def label(self):
        return CASE_LABELS[self.kind]

    @property
    def rate(self):
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def target(self):
        for largest, seconds, peak_mb in TARGETS.get(self.kind, ()):
            if self.rows <= largest:
                return seconds, peak_mb
        return None

    def target_text(self):
        target = self.target
        if target is None:
            return "-"
        seconds, peak_mb = target
        return f"≤ {seconds} s" + (f", ≤ {peak_mb} MB" if peak_mb else "")

    def verdict(self):
        if not self.ok:
            return "FAILED"
        target = self.target
        if target is None:
            return ""
        seconds, peak_mb = target
        within = self.seconds <= seconds and (peak_mb is None or self.peak_mb <= peak_mb)
        return "OK" if within else "OVER"


def parse_args(argv=None):
    parser = harness.argument_parser(
        "Measure time and peak memory of participant imports (ours, and a default django-import-export "
        "resource without bulk mode) and exports, on a throw-away database.",
        fails_when="a case fails",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        metavar="N,N",
        help="rows per imported file, comma-separated; the largest is also the size of the export "
        "(default: 10000,100000)",
    )
    harness.add_database_url_argument(parser, "lms_bench_participants")
    parser.add_argument(
        "--baseline-large",
        action="store_true",
        help=f"run the default resource at sizes above {BASELINE_SMALL_LIMIT:,} rows too (it takes many "
        "minutes: at 100,000 rows 20 on SQLite on a 2-core machine, longer on PostgreSQL)",
    )
    parser.add_argument(
        "--skip-baseline-large",
        dest="baseline_large",
        action="store_false",
        help=f"run the default resource only at sizes up to {BASELINE_SMALL_LIMIT:,} rows (the default)",
    )
    harness.add_keep_database_argument(parser)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="afterwards, run our import and the exports at the smallest size under cProfile and print "
        "where their time goes",
    )
    harness.add_settings_argument(parser)
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the generated people")
    parser.set_defaults(baseline_large=False)
    # Internal: run one case in this process (the parent starts a child process per case).
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--work-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    except ValueError:
        parser.error("--sizes must be whole numbers separated by commas, e.g. 10000,100000")
    if not args.sizes or args.sizes[0] < 1:
        parser.error("--sizes must name at least one size, each at least 1")
    harness.check_database_url(parser, args)
    if args.case and not args.work_dir:
        parser.error("--case needs --work-dir")
    return args


# Seeding (in the parent process)


def generate_registrations(count, seed, offering, form_page, groups, question):
    """`count` unsaved registrations of different people, as a web form or an earlier import left them."""
    from lms_forms.choices import RegistrationSource
    from lms_forms.models import Registration

    rng = Random(f"{seed}-{count}")
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    earliest = datetime.date(1940, 1, 1).toordinal()
    latest = datetime.date(2006, 12, 31).toordinal()
    registrations = []
    for number in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().translate(ASCII_LETTERS)
        group = rng.choice(groups)
        answer = rng.choice(ANSWERS)
        phone = _mobile_number(rng) if rng.random() < 0.9 else ""
        registrations.append(
            Registration(
                page_id=form_page.pk,
                offering_id=offering.pk,
                group=group,
                group_name=group.name,
                name=f"{first} {last}",
                email=f"{local}.{number}@example.org",
                phone=phone,
                birth_date=(
                    datetime.date.fromordinal(rng.randint(earliest, latest)) if rng.random() < 0.8 else None
                ),
                status=rng.choices(statuses, weights)[0],
                source=RegistrationSource.WEB,
                language="nb",
                note=rng.choice(NOTES) if rng.random() < 0.15 else "",
                form_data={question.clean_name: answer} if answer else {},
                field_labels={question.clean_name: question.label},
            )
        )
    return registrations


def _mobile_number(rng):
    """A Norwegian mobile number in E.164, as the registration form stores it; valid, so it imports."""
    import phonenumbers

    while True:
        prefix = rng.choice(("9", "9", "9", "40", "41", "46", "47", "48"))
        number = "+47" + prefix + "".join(rng.choice("0123456789") for _digit in range(8 - len(prefix)))
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def write_participant_csv(path, registrations, question):
    """The registrations as the export writes them, in the file's columns; {field key: heading}."""
    from django.utils import translation

    from lms_forms.transfer.columns import QUESTION_PREFIX
    from lms_forms.transfer.resources import ParticipantResource

    keys = (*FILE_COLUMNS, QUESTION_PREFIX + question.clean_name)
    with translation.override(LANGUAGE):
        participant_resource = ParticipantResource(questions=[(question.clean_name, question.label)])
        fields = [participant_resource.fields[key] for key in keys]
        headings = {key: str(field.column_name) for key, field in zip(keys, fields, strict=True)}
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(headings.values())
            for registration in registrations:
                writer.writerow(participant_resource.export_field(field, registration) for field in fields)
    return headings


def reset_registrations(offering_id):
    """Delete every registration and set the groups' counts to zero; reclaim the space."""
    from django.db import connection

    from lms_forms.models import Registration
    from lms_forms.services.locking import recount_places
    from lms_pages.models import OfferingGroup

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Registration._meta.db_table)}")  # noqa: S608
    recount_places(OfferingGroup.objects.filter(offering_id=offering_id).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "VACUUM")


def store_registrations(registrations, offering_id):
    """Store registrations in bulk (for the exports) and count the groups' places."""
    from django.db import transaction

    from lms_forms.models import Registration
    from lms_forms.services.locking import recount_places
    from lms_pages.models import OfferingGroup

    with transaction.atomic():
        Registration.objects.bulk_create(registrations, batch_size=2000)
        recount_places(OfferingGroup.objects.filter(offering_id=offering_id).values_list("pk", flat=True))
    harness.analyze_if_postgres()


# The cases (each in a child process)


class RowCounter:
    """Rows done so far, for the progress lines; `add` is given as the import's or export's progress."""

    def __init__(self):
        self.value = 0

    def add(self, count=1):
        self.value += count


class Heartbeat(threading.Thread):
    """Prints the rows done every HEARTBEAT_SECONDS, so that a long case is seen to be alive."""

    def __init__(self, label, rows, counter):
        super().__init__(daemon=True)
        self.label, self.rows, self.counter = label, rows, counter
        self.stopped = threading.Event()
        self.started_at = time.perf_counter()

    def run(self):
        before = 0
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            elapsed = time.perf_counter() - self.started_at
            done = self.counter.value
            print(
                f"    … {self.label}: {done:,} of {self.rows:,} rows in {elapsed:.0f} s "
                f"({(done - before) / HEARTBEAT_SECONDS:,.0f} rows/s lately)",
                flush=True,
            )
            before = done

    def stop(self):
        self.stopped.set()
        self.join()


def peak_mb():
    """This process's peak resident set size in MB.

    Linux's VmHWM is the running program's own. ru_maxrss is not, in a child process: it begins as a copy
    of the process that starts it (here the parent, which holds the generated people), and Linux keeps
    that copy's peak across exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def stored_rows(context):
    from lms_forms.models import Registration

    return Registration.objects.filter(offering_id=context["offering_id"]).count()


def case_import(context, rows, counter):
    """Our import: read the file and import it into the empty offering (committed)."""
    from django.core.files import File

    from lms_forms.transfer.files import max_bytes_setting, max_rows_setting, read_participant_file
    from lms_forms.transfer.importing import import_participants
    from lms_pages.models import OfferingPage

    offering = OfferingPage.objects.get(pk=context["offering_id"])
    path = Path(context["files"][str(rows)])
    # As `import_participants --max-rows N` does: the row limit raised to N, the byte limit in proportion.
    max_rows = max(rows, max_rows_setting())
    max_bytes = math.ceil(max_bytes_setting() * max_rows / max_rows_setting())
    started = time.perf_counter()
    with path.open("rb") as stream:
        dataset = read_participant_file(File(stream, name=path.name), max_bytes=max_bytes, max_rows=max_rows)
    read_seconds = time.perf_counter() - started
    report = import_participants(offering, dataset, progress=counter.add)
    problems = [str(error) for error in report.errors[:3]]
    if not report.committed:
        problems.append("not committed")
    if report.new != rows:
        problems.append(f"{report.new} new rows, expected {rows}")
    statuses = ", ".join(f"{status} {count}" for status, count in sorted(report.new_statuses.items()))
    counts = f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, {len(report.errors)} errors"
    detail = f"read {read_seconds:.1f} s; {counts} (new: {statuses})"
    return detail, problems


def baseline_resource_class(context, counter):
    """A plain ModelResource for Registration: the file's columns mapped to attributes, no bulk mode."""
    from import_export import fields, resources, widgets

    from lms_forms.choices import RegistrationSource
    from lms_forms.models import Registration
    from lms_pages.models import OfferingGroup

    headings = context["headings"]
    clean_name, label = context["question"]
    page_id, offering_id = context["form_page_id"], context["offering_id"]

    class DefaultRegistrationResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name=headings["name"])
        email = fields.Field(attribute="email", column_name=headings["email"])
        phone = fields.Field(attribute="phone", column_name=headings["phone"])
        birth_date = fields.Field(
            attribute="birth_date", column_name=headings["birth_date"], widget=widgets.DateWidget("%d.%m.%Y")
        )
        group = fields.Field(
            attribute="group",
            column_name=headings["group"],
            widget=widgets.ForeignKeyWidget(OfferingGroup, field="name"),
        )
        group_name = fields.Field(attribute="group_name", column_name=headings["group"])
        status = fields.Field(attribute="status", column_name=headings["status"])
        note = fields.Field(attribute="note", column_name=headings["note"])

        class Meta:
            model = Registration
            fields = ("name", "email", "phone", "birth_date", "group", "group_name", "status", "note")
            import_id_fields = ("email",)
            use_bulk = False

        def init_instance(self, row=None):
            # The required foreign keys, and the question's answer (no model field holds it).
            return Registration(
                page_id=page_id,
                offering_id=offering_id,
                source=RegistrationSource.IMPORT,
                form_data={clean_name: row[label]} if row[label] else {},
                field_labels={clean_name: label},
            )

        def after_import_row(self, row, row_result, **kwargs):
            counter.add(1)

    return DefaultRegistrationResource


def case_baseline(context, rows, counter):
    """The default resource: the file read by django-import-export's CSV format, imported row by row."""
    from import_export.formats.base_formats import CSV

    path = Path(context["files"][str(rows)])
    started = time.perf_counter()
    dataset = CSV().create_dataset(path.read_bytes().decode("utf-8-sig"))
    read_seconds = time.perf_counter() - started
    result = baseline_resource_class(context, counter)().import_data(
        dataset, dry_run=False, use_transactions=True
    )
    problems = [str(error.error) for row in result.row_errors()[:3] for error in row[1]]
    problems += [str(row.error) for row in result.invalid_rows[:3]]
    problems += [str(error.error) for error in result.base_errors[:3]]
    if result.totals["new"] != rows:
        problems.append(f"{result.totals['new']} new rows, expected {rows}")
    totals = ", ".join(f"{key} {value}" for key, value in result.totals.items() if value)
    return f"read {read_seconds:.1f} s; {totals}", problems


def case_export(export_format):
    def run(context, rows, counter):
        from lms_forms.models import Registration
        from lms_forms.transfer.exporting import get_export_format, write_export

        queryset = Registration.objects.filter(offering_id=context["offering_id"])
        path = Path(context["work_dir"]) / f"export.{get_export_format(export_format).extension}"
        with path.open("wb") as stream:
            written = write_export(queryset, export_format, stream, progress=counter.add)
        size = path.stat().st_size
        path.unlink()
        problems = [] if written == rows else [f"{written} rows written, expected {rows}"]
        return f"{written:,} rows, {size / 1024 / 1024:.1f} MB file", problems

    return run


CASES = {
    "import": case_import,
    "baseline": case_baseline,
    "export-csv": case_export("csv"),
    "export-xlsx": case_export("xlsx"),
}


def run_case(args):
    """This process's one case; its result is written to the work directory as JSON."""
    from django.utils import translation

    work_dir = Path(args.work_dir)
    context = json.loads((work_dir / "context.json").read_text())
    kind, rows = args.case.split(":")
    rows = int(rows)
    result = CaseResult(kind, rows, context["database"])
    harness.setup_django(args.settings, context["database_name"], migrate=False)
    counter = RowCounter()
    heartbeat = Heartbeat(result.label, rows, counter)
    result.start_mb = peak_mb()
    problems = []
    heartbeat.start()
    started = time.perf_counter()
    try:
        with translation.override(LANGUAGE):
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                result.detail, problems = profiler.runcall(CASES[kind], context, rows, counter)
                result.seconds = time.perf_counter() - started
                for order in ("cumulative", "tottime"):
                    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order)
                    stats.print_stats(PROFILE_LINES)
            else:
                result.detail, problems = CASES[kind](context, rows, counter)
                result.seconds = time.perf_counter() - started
    except Exception:  # noqa: BLE001 - the failure is reported in the table, and by the exit status
        result.seconds = time.perf_counter() - started
        problems = [traceback.format_exc(limit=8)]
    finally:
        heartbeat.stop()
    result.peak_mb = peak_mb()
    if kind in ("import", "baseline") and not problems:
        stored = stored_rows(context)
        if stored != rows:
            problems.append(f"{stored} registrations stored, expected {rows}")
    result.ok = not problems
    result.problem = "\n".join(problems)
    name = f"result-{kind}-{rows}{'-profile' if args.profile else ''}.json"
    (work_dir / name).write_text(json.dumps(result.__dict__))
    harness.close_connections()
    return 0 if result.ok else 1


def spawn_case(args, work_dir, kind, rows, profile=False):
    """Run one case in a child process and read its result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--case", f"{kind}:{rows}"]
    command += ["--work-dir", str(work_dir), "--settings", args.settings]
    if profile:
        command.append("--profile")
    print(f"  {CASE_LABELS[kind]}, {rows:,} rows{' under cProfile' if profile else ''} …", flush=True)
    completed = subprocess.run(command, env=os.environ.copy(), check=False)  # noqa: S603 - this same script
    path = Path(work_dir) / f"result-{kind}-{rows}{'-profile' if profile else ''}.json"
    if not path.exists():
        return CaseResult(kind, rows, problem=f"the child process ended with status {completed.returncode}")
    result = CaseResult(**json.loads(path.read_text()))
    print(
        f"    {result.seconds:.1f} s, peak {result.peak_mb:.0f} MB{'' if result.ok else ', FAILED'}",
        flush=True,
    )
    return result


# Report


def print_table(results):
    header = ("case", "database", "rows", "seconds", "peak MB", "rows/s", "target", "result")
    rows = [
        (
            result.label,
            result.database,
            f"{result.rows:,}",
            f"{result.seconds:.1f}",
            f"{result.peak_mb:.0f}",
            f"{result.rate:,.0f}",
            result.target_text(),
            result.verdict(),
        )
        for result in results
    ]
    print()
    harness.print_columns(header, rows, left={0, 1, 6, 7})


def print_notes(results, skipped):
    print()
    for result in results:
        print(f"{result.label}, {result.rows:,} rows: {result.detail} (at start {result.start_mb:.0f} MB)")
    for kind, rows, reason in skipped:
        print(f"{CASE_LABELS[kind]}, {rows:,} rows: not run ({reason})")
    print(
        "(seconds: wall time of the case, reading the file included; peak MB: the case's child process, "
        "Python and Django included)"
    )
    for result in results:
        if not result.ok:
            print(f"\n{result.label}, {result.rows:,} rows FAILED:\n{result.problem}")


def main(argv=None):
    args = parse_args(argv)
    if args.case:
        return run_case(args)
    work_dir = Path(tempfile.mkdtemp(prefix="lms-bench-participants-"))
    results, skipped = [], []
    try:
        with harness.throwaway_database(args, work_dir, example="lms_bench_participants") as name:
            started = time.perf_counter()
            harness.setup_django(args.settings, name, migrate=True)
            offering, form_page, groups, question = harness.seed_offering(GROUPS)
            database = harness.database_label()
            print(f"{database}: migrated and seeded the offering in {time.perf_counter() - started:.1f} s")
            files = {}
            for rows in args.sizes:
                started = time.perf_counter()
                path = work_dir / f"deltakere-{rows}.csv"
                registrations = generate_registrations(rows, args.seed, offering, form_page, groups, question)
                headings = write_participant_csv(path, registrations, question)
                files[str(rows)] = str(path)
                print(
                    f"Wrote {rows:,} people to {path.name} ({path.stat().st_size / 1024 / 1024:.1f} MB) "
                    f"in {time.perf_counter() - started:.1f} s"
                )
            context = {
                "database": database,
                "database_name": name,
                "work_dir": str(work_dir),
                "offering_id": offering.pk,
                "form_page_id": form_page.pk,
                "question": [question.clean_name, question.label],
                "headings": {key.split(":")[0]: heading for key, heading in headings.items()},
                "files": files,
            }
            (work_dir / "context.json").write_text(json.dumps(context))

            def spawn(kind, rows, profile=False):
                reset_registrations(offering.pk)
                harness.close_connections()
                return spawn_case(args, work_dir, kind, rows, profile)

            print("\nEach case in a child process of its own:")
            if not args.baseline_large and args.sizes[-1] > BASELINE_SMALL_LIMIT:
                print(
                    f"  (the default resource only at sizes up to {BASELINE_SMALL_LIMIT:,} rows: {SKIPPED_BASELINE})"
                )
            for rows in args.sizes:
                results.append(spawn("import", rows))
                if rows > BASELINE_SMALL_LIMIT and not args.baseline_large:
                    skipped.append(("baseline", rows, SKIPPED_BASELINE))
                else:
                    results.append(spawn("baseline", rows))
            largest = args.sizes[-1]
            reset_registrations(offering.pk)
            started = time.perf_counter()
            store_registrations(
                generate_registrations(largest, args.seed, offering, form_page, groups, question), offering.pk
            )
            harness.close_connections()
            print(
                f"  stored {largest:,} registrations for the exports in {time.perf_counter() - started:.1f} s"
            )
            for kind in ("export-csv", "export-xlsx"):
                results.append(spawn_case(args, work_dir, kind, largest))
            print_table(results)
            print_notes(results, skipped)
            if args.profile:
                smallest = args.sizes[0]
                print(f"\nUnder cProfile (times include the profiler's overhead), {smallest:,} rows:")
                results.append(spawn("import", smallest, profile=True))
                reset_registrations(offering.pk)
                store_registrations(
                    generate_registrations(smallest, args.seed, offering, form_page, groups, question),
                    offering.pk,
                )
                harness.close_connections()
                for kind in ("export-csv", "export-xlsx"):
                    results.append(spawn_case(args, work_dir, kind, smallest, profile=True))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    failed = [result for result in results if not result.ok]
    return harness.exit_status(failed, "A case failed (see above).")


if __name__ == "__main__":
    sys.exit(main())
