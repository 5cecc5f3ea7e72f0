"""Throughput of registration POSTs through gunicorn on PostgreSQL, beside a plain Wagtail form page.

A stand-alone script, not a test: it creates a throw-away PostgreSQL database, seeds a site with a
catalogue, one open offering (one group with unlimited places, a confidentiality notice) and its
registration form with one editor question, plus a plain Wagtail form page (AbstractEmailForm, in a
throw-away app `benchplain`) with equivalent fields: name, email, phone, date of birth, a radio
choice, two checkboxes and a multi-line text. The plain form page is there twice: beside the
registration form, under the offering (/kurs/hodepineskolen/skjema/, the same route through the page
tree as /kurs/hodepineskolen/pamelding/), and under the home page (/skjema/, a route two page levels
shorter). It then serves the site with gunicorn and sends the same number of valid submissions to
each form from a pool of client threads.

What is measured: the POST alone. Each client thread first GETs each form once (untimed) to get its
csrftoken cookie, the form's csrfmiddlewaretoken, the signed `started` value and the group's radio
value, then reuses them for every POST (the spam check's minimum fill time is set to 0, so the
`started` value stays valid). Every registration uses a new email address. A success is the
registration form's 302 to its confirmation page and the plain form's 200 landing page. The
registration form's POST also sends its two emails (confirmation and organiser notice, through the
test settings' immediate task backend) and the plain form its notification email, all to Django's
dummy email backend. The plain form renders its landing page in the POST; the registration form
redirects and its confirmation page (a separate GET) is not measured.

The three forms are measured in alternating rounds (A B C, C B A, ...) so drift in the machine's load
affects all alike. Timings are for reading, never asserted: the target is that the registration POST
costs at most 1.5 times the plain form's at the same place in the tree (median latency and
throughput), printed as OK/OVER; the ratio to the plain form under the home page is printed beside it,
since finding a page three levels down costs Wagtail more queries than finding one a level down,
whichever form it is.
The exit status is non-zero only when a submission fails or a stored row is missing.

    .venv/bin/python tests/benchmarks/bench_registration.py
    .venv/bin/python tests/benchmarks/bench_registration.py --emails queued
    .venv/bin/python tests/benchmarks/bench_registration.py --requests 1000 --concurrency 16 --workers 4

By default the registration's two emails are sent in the request, by django-tasks' immediate backend
(as `make demo` runs); `--emails queued` measures production's set-up, where the request only queues
them for a worker.

The database named in --database-url is dropped if it exists, created, and dropped again at the end,
through the server's "postgres" maintenance database. Needs gunicorn (in the dev extras).
"""

import re
import shutil
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# The project folder on sys.path, for the shared harness (and, after set-up, Django's apps).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import harness  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_reg"
TARGET_RATIO = 1.5
SETTINGS_MODULE = "lms_bench_registration_settings"
PLAIN_APP = "benchplain"
LANDING_MARKER = "bench-plain-form-thanks"
# The plain form page twice: beside the registration form under the offering (the same route through
# the page tree, the comparison the target is about), and under the home page (a shorter route).
PLAIN_BESIDE = "plain FormPage, under the offering"
PLAIN_TOP = "plain FormPage, under the home page"

# How the registration's emails are handled in the measured POST (--emails).
TASK_BACKENDS = {
    "sent": "django_tasks.backends.immediate.ImmediateBackend",
    "queued": "django_tasks.backends.dummy.DummyBackend",
}

SETTINGS_SOURCE = f"""\
from lms_site.settings.test import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [*INSTALLED_APPS, "{PLAIN_APP}"]  # noqa: F405
LMS_FORMS_MIN_FILL_SECONDS = 0
LMS_FORMS_RATE_LIMIT = "1000000/s"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
"""

PLAIN_MODELS_SOURCE = """\
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(AbstractEmailForm):
    pass
"""

PLAIN_FORM_TEMPLATE = """\
{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block content %}
<h1>{{ page.title }}</h1>
<form action="{% pageurl page %}" method="post" novalidate>
    {% csrf_token %}
    {{ form.as_div }}
    <button type="submit">Send</button>
</form>
{% endblock %}
"""

PLAIN_LANDING_TEMPLATE = f"""\
{{% extends "base.html" %}}
{{% block content %}}
<h1 class="{LANDING_MARKER}">Takk, {{{{ form_submission.get_data.name }}}}</h1>
{{% endblock %}}
"""

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED_INPUT = re.compile(r'name="started" value="([^"]+)"')


@dataclass
class FormTarget:
    label: str
    url: str
    data: dict  # the POST data, without csrfmiddlewaretoken and the values read from the form
    group_value: re.Pattern
    expected_status: int
    email_field: str = "email"
    group_field: str = "group"


@dataclass
class Result(harness.Latencies):
    target: FormTarget
    times_ms: list = field(default_factory=list)
    wall_seconds: float = 0.0
    successes: int = 0
    errors: dict = field(default_factory=dict)  # "HTTP 409" / exception name -> count
    first_error: str = ""

    @property
    def sent(self):
        return len(self.times_ms)

    @property
    def throughput(self):
        return self.sent / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def error_count(self):
        return sum(self.errors.values())


def parse_args(argv=None):
    parser = harness.argument_parser(
        "Measure registration POST throughput through gunicorn on PostgreSQL, beside a plain Wagtail form "
        "page.",
        fails_when="a submission fails or a stored row is missing",
    )
    parser.add_argument(
        "--requests", type=int, default=500, metavar="N", help="timed POSTs per form (default: 500)"
    )
    parser.add_argument("--concurrency", type=int, default=8, metavar="C", help="client threads (default: 8)")
    parser.add_argument(
        "--workers", type=int, default=2, metavar="W", help="gunicorn sync workers (default: 2)"
    )
    parser.add_argument(
        "--warmups", type=int, default=40, metavar="N", help="untimed POSTs per form first (default: 40)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        metavar="R",
        help="alternating rounds the timed POSTs are split into (default: 4)",
    )
    harness.add_database_url_argument(parser, "lms_bench_reg", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--emails",
        choices=sorted(TASK_BACKENDS),
        default="sent",
        help="sent: the registration's emails run in the request (django-tasks' immediate backend, as in "
        "the demo); queued: they are only queued, for a worker to send, as in production (default: sent)",
    )
    harness.add_keep_database_argument(parser, "the database")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.workers, args.rounds) < 1 or args.warmups < 0:
        parser.error(
            "--requests, --concurrency, --workers and --rounds must be at least 1, --warmups at least 0"
        )
    harness.check_database_url(parser, args, sqlite=False)
    args.rounds = min(args.rounds, args.requests)
    return args


# Settings


def write_support_modules(directory, emails):
    """The temporary settings module and the plain form page's app, importable from `directory`."""
    directory = Path(directory)
    (directory / f"{SETTINGS_MODULE}.py").write_text(
        SETTINGS_SOURCE + f'TASKS = {{"default": {{"BACKEND": "{TASK_BACKENDS[emails]}"}}}}\n'
    )
    app = directory / PLAIN_APP
    templates = app / "templates" / PLAIN_APP
    templates.mkdir(parents=True)
    (app / "migrations").mkdir()
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(PLAIN_MODELS_SOURCE)
    (templates / "form_page.html").write_text(PLAIN_FORM_TEMPLATE)
    (templates / "form_page_landing.html").write_text(PLAIN_LANDING_TEMPLATE)


# Seeding


def seed(base_url):
    """The site, the offering with its registration form, and the plain form page; both form targets."""
    import datetime

    from django.utils import timezone
    from wagtail.models import Site

    from lms_pages.models import GroupSession

    offering, registration_page, (group,), question = harness.seed_offering(["Oslo"], min_age=18)
    GroupSession.objects.create(group=group, sort_order=0, start=timezone.now() + datetime.timedelta(days=60))

    answers = {
        "name": "Kari Nordmann",
        "phone": "912 34 567",
        "birth_date": "17.05.1990",
        "notice_accepted": "on",
        "health_consent": "on",
        "diagnosis": "Migrene, med aura.\nBruker triptaner.",
    }
    ours = FormTarget(
        label="registration form (ours)",
        url=base_url + _path(registration_page.url),
        data={
            "name": answers["name"],
            "phone": answers["phone"],
            "birth_date": answers["birth_date"],
            "notice_accepted": answers["notice_accepted"],
            "health_consent": answers["health_consent"],
            question.clean_name: answers["diagnosis"],
            "website": "",
        },
        group_value=re.compile(r'name="group" value="(\d+)"'),
        expected_status=302,
    )
    offering.refresh_from_db()
    beside_page, beside = _plain_form(offering, "skjema", PLAIN_BESIDE, base_url, answers)
    home = Site.objects.get(is_default_site=True).root_page
    top_page, top = _plain_form(home, "skjema", PLAIN_TOP, base_url, answers)
    pages = {"registration_page": registration_page, "plain_pages": [beside_page, top_page], "group": group}
    return [ours, beside, top], pages


def _plain_form(parent, slug, label, base_url, answers):
    """A plain form page under `parent`, asking what the registration form asks; the page and its target."""
    from benchplain.models import FormField, FormPage

    page = parent.add_child(
        instance=FormPage(
            title="Skjema",
            slug=slug,
            to_address="kurs@example.org",
            from_address="noreply@example.org",
            subject="Nytt skjema",
        )
    )
    fields = [
        ("Name", "singleline", "", True),
        ("Email", "email", "", True),
        ("Phone", "singleline", "", False),
        ("Birth date", "date", "", True),
        ("Group", "radio", "Oslo", True),
        ("Notice accepted", "checkbox", "", True),
        ("Health consent", "checkbox", "", True),
        ("Diagnosis", "multiline", "", False),
    ]
    for index, (field_label, field_type, choices, required) in enumerate(fields):
        FormField.objects.create(
            page=page,
            sort_order=index,
            label=field_label,
            field_type=field_type,
            choices=choices,
            required=required,
        )
    names = dict(FormField.objects.filter(page=page).values_list("label", "clean_name"))
    target = FormTarget(
        label=label,
        url=base_url + _path(page.url),
        data={
            names["Name"]: answers["name"],
            names["Phone"]: answers["phone"],
            names["Birth date"]: answers["birth_date"],
            names["Notice accepted"]: answers["notice_accepted"],
            names["Health consent"]: answers["health_consent"],
            names["Diagnosis"]: answers["diagnosis"],
        },
        group_value=re.compile(rf'name="{re.escape(names["Group"])}" value="([^"]+)"'),
        expected_status=200,
        email_field=names["Email"],
        group_field=names["Group"],
    )
    return page, target


def _path(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def stored_counts(pages):
    from wagtail.contrib.forms.models import FormSubmission

    from lms_forms.models import Registration
    from lms_pages.models import GroupOccupancy

    registrations = Registration.objects.filter(page=pages["registration_page"])
    occupancy = GroupOccupancy.objects.filter(group=pages["group"]).first()
    return {
        "registrations": registrations.count(),
        "distinct emails": registrations.values("email").distinct().count(),
        "places taken": occupancy.places_taken if occupancy else 0,
        **{
            f"submissions to the {label}": FormSubmission.objects.filter(page=page).count()
            for label, page in zip((PLAIN_BESIDE, PLAIN_TOP), pages["plain_pages"], strict=True)
        },
    }


# The server


def wait_until_serving(process, url, log_path, timeout=60):
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{Path(log_path).read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise SystemExit(
        f"gunicorn did not answer {url} within {timeout} s:\n{Path(log_path).read_text()[-3000:]}"
    )


# The load


class Client:
    """One client thread's session: a cookie jar and, per form, the values read from one GET."""

    def __init__(self, targets):
        import requests

        self.session = requests.Session()
        self.prepared = {}
        for target in targets:
            response = self.session.get(target.url, timeout=30)
            html = response.text
            csrf, group = CSRF_INPUT.search(html), target.group_value.search(html)
            if response.status_code != 200 or not csrf or not group:
                raise SystemExit(f"GET {target.url} answered {response.status_code} without a usable form")
            data = {**target.data, "csrfmiddlewaretoken": csrf.group(1), target.group_field: group.group(1)}
            started = STARTED_INPUT.search(html)
            if started:
                data["started"] = started.group(1)
            self.prepared[target.label] = data

    def post(self, target, email):
        """One POST: (ms, ok, error label, error text)."""
        data = {**self.prepared[target.label], target.email_field: email}
        started = time.perf_counter()
        try:
            response = self.session.post(
                target.url, data=data, headers={"Referer": target.url}, allow_redirects=False, timeout=60
            )
        except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the run
            return (time.perf_counter() - started) * 1000, False, type(error).__name__, str(error)
        elapsed = (time.perf_counter() - started) * 1000
        ok = response.status_code == target.expected_status and (
            "bekreftelse" in response.headers.get("Location", "")
            if target.expected_status == 302
            else LANDING_MARKER in response.text
        )
        if ok:
            return elapsed, True, "", ""
        return elapsed, False, f"HTTP {response.status_code}", response.text[:2000]


def run_batch(clients, target, count, result=None):
    """`count` POSTs to `target` from all client threads at once; adds them to `result` when given."""
    remaining = iter(range(count))
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    outcomes = []

    def work(client):
        barrier.wait()
        mine = []
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            mine.append(client.post(target, f"bench-{uuid.uuid4().hex}@example.org"))
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if result is not None:
        result.wall_seconds += wall
        for elapsed, ok, label, text in outcomes:
            result.times_ms.append(elapsed)
            if ok:
                result.successes += 1
            else:
                result.errors[label] = result.errors.get(label, 0) + 1
                result.first_error = result.first_error or f"{label}: {text}"
    return sum(1 for outcome in outcomes if outcome[1])


def measure(targets, args):
    clients = [Client(targets) for _index in range(args.concurrency)]
    warm_successes = {target.label: run_batch(clients, target, args.warmups) for target in targets}
    results = {target.label: Result(target) for target in targets}
    sizes = [
        args.requests // args.rounds + (1 if i < args.requests % args.rounds else 0)
        for i in range(args.rounds)
    ]
    for round_number, size in enumerate(sizes):
        order = targets if round_number % 2 == 0 else list(reversed(targets))
        for target in order:
            run_batch(clients, target, size, results[target.label])
    for client in clients:
        client.session.close()
    return [results[target.label] for target in targets], warm_successes


# Report


EMAIL_NOTES = {"sent": "queued and sent in the request", "queued": "queued for a worker, not sent"}


def print_table(results, args, database):
    header = ("form", "POSTs", "ok", "errors", "req/s", "median ms", "p95 ms")
    rows = [
        (
            result.target.label,
            str(result.sent),
            str(result.successes),
            str(result.error_count),
            f"{result.throughput:.1f}",
            f"{result.median:.1f}",
            f"{result.p95:.1f}",
        )
        for result in results
    ]
    print(
        f"\n{database} · gunicorn {args.workers} sync workers · {args.concurrency} client threads · "
        f"{args.requests} timed POSTs per form in {args.rounds} alternating rounds after {args.warmups} warm-ups"
    )
    harness.print_columns(header, rows)


def print_ratios(ours, plain, heading):
    latency = ours.median / plain.median
    throughput = plain.throughput / ours.throughput if ours.throughput else float("inf")
    print(f"\n{heading}:")
    print(
        f"  median latency  {ours.median:.1f} / {plain.median:.1f} ms = {latency:.2f}×  "
        f"{'OK' if latency <= TARGET_RATIO else 'OVER'}"
    )
    print(
        f"  throughput      {plain.throughput:.1f} / {ours.throughput:.1f} req/s = {throughput:.2f}× the cost  "
        f"{'OK' if throughput <= TARGET_RATIO else 'OVER'}"
    )


def print_rows(counts, expected):
    print("\nRows in the database after the run (warm-ups included):")
    lost = False
    for name, value in counts.items():
        want = expected[name]
        lost = lost or value != want
        print(f"  {name:<58} {value:>6}  (expected {want}{'' if value == want else ', MISMATCH'})")
    return lost


def main(argv=None):
    args = parse_args(argv)
    support_dir = Path(tempfile.mkdtemp(prefix="lms-bench-reg-"))
    failed = False
    try:
        write_support_modules(support_dir, args.emails)
        with harness.postgres_database(
            args.database_url, args.keep_database, example="lms_bench_reg"
        ) as name:
            started = time.perf_counter()
            harness.setup_django(
                SETTINGS_MODULE,
                name,
                paths=[support_dir],
                make_migrations=[PLAIN_APP],
                refusal="The settings do not read DATABASE_URL",
            )
            port = harness.free_port()
            base_url = f"http://127.0.0.1:{port}"
            targets, pages = seed(base_url)
            from django.db import connection

            harness.analyze_if_postgres()
            database = harness.database_label()
            connection.close()
            print(f"{database}: migrated and seeded in {time.perf_counter() - started:.1f} s")

            log_path = support_dir / "gunicorn.log"
            with harness.gunicorn(
                SETTINGS_MODULE,
                support_dir,
                port,
                log_path,
                workers=args.workers,
                environment={"DATABASE_URL": args.database_url},
            ) as process:
                for target in targets:
                    wait_until_serving(process, target.url, log_path)
                print(f"gunicorn serving {base_url} with {args.workers} workers")
                results, warm = measure(targets, args)
            server_log = log_path.read_text().strip()

            print_table(results, args, database)
            ours, beside, top = results
            print_ratios(ours, beside, f"ours / {PLAIN_BESIDE} (the same route), target ≤ {TARGET_RATIO}×")
            print_ratios(ours, top, f"ours / {PLAIN_TOP} (for reference: one page level instead of three)")
            counts = stored_counts(pages)
            connection.close()
            ok_ours = ours.successes + warm[ours.target.label]
            expected = {
                "registrations": ok_ours,
                "distinct emails": ok_ours,
                "places taken": ok_ours,
                **{
                    f"submissions to the {plain.target.label}": plain.successes + warm[plain.target.label]
                    for plain in (beside, top)
                },
            }
            lost = print_rows(counts, expected)
            print(
                "\n(Measured: the POST alone, from sending to the full response; each client thread read its "
                "CSRF token, `started` and group value from one untimed GET per form.)"
            )
            print(
                f"(ours: 302 to the confirmation page, 2 emails {EMAIL_NOTES[args.emails]}; "
                "plain: 200 landing page rendered in the base frame, 1 email; dummy email backend. "
                "Routes: ours and the first plain form /kurs/hodepineskolen/<slug>/, the second /skjema/.)"
            )
            for result in results:
                if result.error_count:
                    print(f"\nFirst error of {result.target.label}: {result.first_error[:1500]}")
            if server_log:
                print(f"\ngunicorn log (last lines):\n{textwrap.indent(server_log[-3000:], '  ')}")
            failed = lost or any(result.error_count for result in results)
    finally:
        shutil.rmtree(support_dir, ignore_errors=True)
    return harness.exit_status(failed, "A submission failed or a row is missing (see above).")


if __name__ == "__main__":
    sys.exit(main())
