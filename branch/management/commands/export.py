import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from branch.exports.base import FORMATS, exporters
from branch.exports.services import export_to_file
from branch.models import Branch
from members.access import actor_for

logger = logging.getLogger("hongqi.exports")


def find_branch(value: str) -> Branch:
    """A branch by id or by its exact name."""
    branch = None
    if value.strip().isdigit():
        branch = Branch.objects.filter(pk=int(value)).first()
    branch = branch or Branch.objects.filter(name=value.strip()).first()
    if branch is None:
        names = ", ".join(f"{b.pk} {b.name}" for b in Branch.objects.order_by("pk")[:20])
        raise CommandError(
            gettext("There is no branch “%(value)s”. Give its id or its exact name: %(names)s")
            % {"value": value, "names": names or "—"}
        )
    return branch


def parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(gettext("Write each parameter as key=value; got “%(pair)s”.") % {"pair": pair})
        params[key.strip()] = value
    return params


class Command(BaseCommand):
    help = (
        "Make a report straight into a file, through the same exporter and writer as the export pages. "
        "The file is written here and now (no background worker) and never stored in the export log: "
        "the run is logged to the 'hongqi.exports' logger instead. Operators and cron are trusted: without "
        "--user the report is made as the system, with no permission check; with --user USERNAME it is "
        "refused unless that user may make it on the web. Parameters are checked as for a job (a quarter "
        "that has not begun is refused). On any error nothing is written and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="The report, e.g. roster, record_book, assessment.")
        parser.add_argument("--branch", required=True, help="The branch: its id or its exact name.")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A report parameter; repeat for several (e.g. --param include_archived=yes).",
        )
        parser.add_argument("--quarter", help="The quarter, e.g. 2026Q3 (the same as --param quarter=2026Q3).")
        parser.add_argument(
            "--format", dest="file_format", choices=FORMATS, help="xlsx or csv; default: from --output's extension."
        )
        parser.add_argument("--output", required=True, help="The file to write (replaced if it exists).")
        parser.add_argument("--user", help="Make the report with this user's rights (refused if they lack them).")

    def handle(self, *args, identifier, branch, param, quarter, file_format, output, user, **options):
        # Messages are the site's (Chinese), whatever language the shell has.
        with translation.override(settings.LANGUAGE_CODE):
            self._export(identifier, branch, param, quarter, file_format, output, user)

    def _export(self, identifier, branch_value, pairs, quarter, file_format, output, username):
        if identifier not in exporters():
            known = ", ".join(sorted(exporters())) or "—"
            raise CommandError(
                gettext("There is no report called “%(name)s”. Reports: %(known)s")
                % {"name": identifier, "known": known}
            )
        branch = find_branch(branch_value)
        params = parse_params(pairs)
        if quarter:
            params["quarter"] = quarter
        path = Path(output)
        file_format = file_format or (
            path.suffix.lower().lstrip(".") if path.suffix.lower() in (".xlsx", ".csv") else "xlsx"
        )
        if not path.parent.is_dir():
            raise CommandError(gettext("The folder %(folder)s does not exist.") % {"folder": path.parent})
        actor = None
        if username:
            account = get_user_model().objects.filter(username=username).first()
            if account is None:
                raise CommandError(gettext("There is no user “%(name)s”.") % {"name": username})
            actor = actor_for(account)
        try:
            rows = export_to_file(
                exporter_id=identifier, branch=branch, params=params, file_format=file_format, path=path, actor=actor
            )
        except ValidationError as error:
            raise CommandError(" ".join(str(m) for m in error.messages)) from None
        except PermissionDenied:
            raise CommandError(
                gettext("%(user)s may not make this report for %(branch)s.") % {"user": username, "branch": branch.name}
            ) from None
        self.stdout.write(gettext("%(rows)s rows written to %(path)s.") % {"rows": rows, "path": path})
