import argparse
import datetime as dt

from django.core.management.base import BaseCommand

from activities.tasks import send_reminders_task


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = (
        "Create in-app notifications for what is due or overdue: the job Celery beat runs every morning, "
        "for installs that only have cron. Safe to run again: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=_date, default=None, help="Run as if today were this day (YYYY-MM-DD); default: today."
        )

    def handle(self, *args, date, **options):
        # The task's function itself, run here and now: the same job whether or not a worker is up.
        created = send_reminders_task(date.isoformat() if date else None)
        self.stdout.write(f"{created} notification(s) created.")
