"""Time to send the reminders of a session to 10,000 participants, and to show the results of 1,000
evaluations.

A stand-alone script, not a test: it makes a throw-away database (a temporary SQLite file, or the
PostgreSQL database given by --database-url), seeds an offering with one registration form, groups of
50 participants each holding a place, and one session per group three days ahead, and then:

- reminders: one `send_reminders()` run at the moment the seven-day reminder is due, through Django's
  local-memory email backend (the emails are built, calendar file attached, and handed to the backend;
  no mail server is timed), then a second run, which finds everything sent and sends nothing;
- evaluation: an evaluation form with two 0–10 scales, a choice and a free-text question and its
  answers, timed as `results()` and as the admin's results page (charts and tables), median of rounds.

Timings are informative only: the exit status is non-zero only when a run sends the wrong number of
reminders or the results count the wrong number of answers.

    .venv/bin/python tests/benchmarks/bench_course.py
    .venv/bin/python tests/benchmarks/bench_course.py --participants 10000 --answers 1000 \\
        --database-url postgres://postgres@127.0.0.1:5432/lms_bench_course
"""

import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import harness  # noqa: E402

GROUP_SIZE = 50
ROUNDS = 7


def parse_args(argv=None):
    parser = harness.argument_parser(__doc__.split("\n\n")[0], "a run sends or counts the wrong number")
    parser.add_argument("--participants", type=int, default=10_000, help="people holding a place")
    parser.add_argument("--answers", type=int, default=1_000, help="evaluation answers")
    harness.add_database_url_argument(parser, "lms_bench_course")
    harness.add_keep_database_argument(parser)
    harness.add_settings_argument(parser)
    args = parser.parse_args(argv)
    harness.check_database_url(parser, args)
    return args


def seed_participants(count, start):
    from django.utils import timezone

    from lms_forms.models import Registration
    from lms_pages.models import GroupSession, OfferingGroup

    offering, form, groups, _question = harness.seed_offering(
        [f"Gruppe {n}" for n in range(count // GROUP_SIZE)]
    )
    form.reminder_days = "7, 1"
    form.save()
    GroupSession.objects.bulk_create(
        GroupSession(group=group, start=start, end=start + datetime.timedelta(hours=2), sort_order=0)
        for group in groups
    )
    registered = timezone.now() - datetime.timedelta(days=30)
    Registration.objects.bulk_create(
        [
            Registration(
                page=form,
                offering=offering,
                group=groups[number // GROUP_SIZE],
                group_name=groups[number // GROUP_SIZE].name,
                name=f"Deltaker {number}",
                email=f"deltaker{number}@example.org",
                status="place",
                language="nb",
                form_data={},
                sensitive_answers={},
                field_labels={},
            )
            for number in range(count)
        ],
        batch_size=1000,
    )
    # The time of registering is set when a row is added; these people registered a month ago.
    Registration.objects.filter(offering=offering).update(submit_time=registered)
    return offering, list(OfferingGroup.objects.filter(offering=offering))


def time_reminders(count, now):
    from django.core import mail

    from lms_forms.services.reminders import send_reminders

    mail.outbox = []
    started = time.perf_counter()
    first = send_reminders(now=now)
    first_seconds = time.perf_counter() - started
    sent_emails = len(mail.outbox)
    mail.outbox = []
    started = time.perf_counter()
    second = send_reminders(now=now + datetime.timedelta(minutes=10))
    second_seconds = time.perf_counter() - started
    return first, first_seconds, sent_emails, second, second_seconds


def seed_answers(offering, groups, count):
    from lms_forms.models import EvaluationField, EvaluationFormPage, EvaluationResponse

    page = offering.add_child(instance=EvaluationFormPage(title="Evaluering", slug="evaluering"))
    fields = [
        EvaluationField.objects.create(page=page, label="Utbytte", field_type="scale", sort_order=0),
        EvaluationField.objects.create(page=page, label="Rustet", field_type="scale", sort_order=1),
        EvaluationField.objects.create(
            page=page, label="Beste dag", field_type="radio", choices="Dag 1\nDag 2\nDag 3", sort_order=2
        ),
        EvaluationField.objects.create(page=page, label="Ta med", field_type="multiline", sort_order=3),
    ]
    names = [field.clean_name for field in fields]
    pick = random.Random(1)
    today = datetime.date.today()
    EvaluationResponse.objects.bulk_create(
        [
            EvaluationResponse(
                page=page,
                group=groups[number % len(groups)],
                submitted_on=today,
                answers={
                    names[0]: pick.randint(4, 10),
                    names[1]: pick.randint(0, 10),
                    names[2]: pick.choice(["Dag 1", "Dag 2", "Dag 3"]),
                    names[3]: f"Svar nummer {number}: nyttig å møte andre kommuner.",
                },
            )
            for number in range(count)
        ],
        batch_size=1000,
    )
    return page


def time_results(page, count):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from lms_forms.services.evaluations import results

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
    client = Client()
    client.force_login(user)
    url = reverse("participants_modeladmin_evaluation", args=[page.pk])
    service, view = [], []
    for _round in range(ROUNDS):
        page = type(page).objects.get(pk=page.pk)
        started = time.perf_counter()
        shown = results(page)
        service.append(time.perf_counter() - started)
        started = time.perf_counter()
        response = client.get(url)
        view.append(time.perf_counter() - started)
        assert response.status_code == 200
    return shown["answers"], statistics.median(service), statistics.median(view)


def main(argv=None):
    args = parse_args(argv)
    failed = False
    with harness.throwaway_database(args, example="lms_bench_course") as name:
        harness.setup_django(args.settings, name)
        from django.test.utils import setup_test_environment
        from django.utils import timezone

        setup_test_environment()  # the local-memory email backend, as the tests use
        start = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
        offering, groups = seed_participants(args.participants, start)
        harness.analyze_if_postgres()
        database = harness.database_label()
        first, first_seconds, emails, second, second_seconds = time_reminders(
            args.participants, start - datetime.timedelta(days=2)
        )
        page = seed_answers(offering, groups, args.answers)
        harness.analyze_if_postgres()
        counted, service_seconds, view_seconds = time_results(page, args.answers)

        print(
            f"{database}, {args.participants:,} participants in {len(groups)} groups, {args.answers:,} answers"
        )
        harness.print_columns(
            ["case", "seconds", "result"],
            [
                [
                    "reminders, first run",
                    f"{first_seconds:.2f}",
                    f"{first['sent']:,} sent, {emails:,} emails",
                ],
                ["reminders, second run", f"{second_seconds:.2f}", f"{second['sent']:,} sent"],
                [
                    "evaluation results()",
                    f"{service_seconds:.3f}",
                    f"{counted:,} answers (median of {ROUNDS})",
                ],
                ["evaluation results page", f"{view_seconds:.3f}", f"HTML with charts (median of {ROUNDS})"],
            ],
        )
        failed = (
            first["sent"] != args.participants
            or emails != args.participants
            or second["sent"] != 0
            or counted != args.answers
        )
    return harness.exit_status(failed, "A run sent or counted the wrong number (see above).")


if __name__ == "__main__":
    sys.exit(main())
