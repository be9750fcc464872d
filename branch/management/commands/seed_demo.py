from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from branch.demo import build_demo_branch
from branch.models import Branch


class Command(BaseCommand):
    help = "Build the demo branch (检188采油作业区党支部, 57 members). Safe to run again: it changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=settings.HONGQI_DEMO_PASSWORD,
            help="Password for every demo account created by this run (default: %(default)s).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has a branch (used by make run).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (for a demo server, never production)."
        )

    def handle(self, *args, password, force, if_empty, **options):
        if if_empty and Branch.objects.exists():
            self.stdout.write("The database already has a branch; the demo is not loaded.")
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_demo adds demo accounts with a shared password; it refuses to run with DEBUG off. "
                    "Use --force on a demo server."
                )
            )
        result = build_demo_branch(password=password)
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Demo branch {result.branch.name}: {result.created} rows created."))
        else:
            self.stdout.write(f"Demo branch {result.branch.name} is already in place; nothing changed.")
