from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Write a quarter's assessment workbook to a file: `export assessment` under a shorter name, with the "
        "same checks (a quarter that has not begun is refused; nothing is written on error; exit status 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--branch", required=True, help="The branch: its id or its exact name.")
        parser.add_argument("--quarter", required=True, help="The quarter, e.g. 2026Q3.")
        parser.add_argument("--output", required=True, help="The .xlsx file to write (replaced if it exists).")
        parser.add_argument("--user", help="Make it with this user's rights (refused if they lack them).")

    def handle(self, *args, branch, quarter, output, user, **options):
        call_command(
            "export",
            "assessment",
            branch=branch,
            quarter=quarter,
            output=output,
            file_format="xlsx",
            user=user,
            stdout=self.stdout,
            stderr=self.stderr,
        )
