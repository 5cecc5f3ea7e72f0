"""Read the feeds of the regional catalogues: `manage.py fetch_regional_feeds`.

Run it every few minutes, e.g. from cron (`*/15 * * * *`), or queue the task
`lms_pages.regional.fetching.refresh_regional_feeds` on that schedule. A feed that cannot be read keeps
its last good copy; the command names it and exits with status 1 (so cron reports it).
"""

from django.core.management.base import BaseCommand, CommandError

from lms_pages.regional.fetching import refresh_feeds


class Command(BaseCommand):
    help = "Read the feeds the regional catalogues list, keeping each feed's last good copy."

    def handle(self, *args, **options):
        outcome = refresh_feeds()
        problems = {source: error for source, error in outcome.items() if error}
        if options["verbosity"] > 0:
            self.stdout.write(f"Read {len(outcome)} feeds; {len(problems)} with problems.")
        for source, error in problems.items():
            self.stderr.write(f"{source}: {error}")
        if problems:
            raise CommandError("Some feeds could not be read in full; their last good copies are kept.")
