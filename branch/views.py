from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from members.access import Capability

from .dashboard import branch_dashboard
from .quarters import Quarter, validate_past_or_current
from .selectors import branches_visible_to

# How many quarters back the dashboard's quarter menu offers (any earlier one works by URL).
QUARTER_CHOICES = 8


@login_required
def home(request):
    """Send each person to where their day starts: the committee to the branch, a member to their page."""
    actor = request.actor
    if actor.is_committee:
        return redirect("branch:overview", pk=actor.branch_id)
    if actor.member is not None:
        return redirect("me")
    if actor.is_admin:
        return redirect("branch:list")
    # A login with neither a member record nor admin rights: nothing to show, say so plainly.
    return render(request, "branch/no_role.html", status=403)


@login_required
def branch_list(request):
    request.actor.require(Capability.VIEW_BRANCH_OVERVIEW)
    branches = branches_visible_to(request.actor)
    return render(request, "branch/branch_list.html", {"branches": branches})


@login_required
def overview(request, pk: int):
    """The branch dashboard for a quarter: ?quarter=2026Q3, the current one by default."""
    actor = request.actor
    actor.require(Capability.VIEW_BRANCH_OVERVIEW)
    branch = get_object_or_404(branches_visible_to(actor), pk=pk)
    today = timezone.localdate()
    quarter = Quarter.of(today)
    if wanted := request.GET.get("quarter", "").strip():
        try:
            quarter = validate_past_or_current(Quarter.parse(wanted), today)
        except ValidationError as error:
            # A future or malformed quarter: say why, and show the current one.
            messages.error(request, " ".join(error.messages))
            return redirect("branch:overview", pk=branch.pk)
    dashboard = branch_dashboard(branch, quarter=quarter, today=today)
    choices = [Quarter.of(today)]
    while len(choices) < QUARTER_CHOICES:
        choices.append(choices[-1].previous())
    if quarter not in choices:  # an older quarter asked for by URL
        choices.append(quarter)
    return render(
        request,
        "branch/overview.html",
        {
            "dashboard": dashboard,
            "overview": dashboard.overview,
            "quarter_choices": choices,
            # The administrator, above the branches, tells the calendar and duty board which branch.
            "branch_param": branch.pk if actor.is_admin else None,
            # The pipeline pages are the branch committee's own (by their member record).
            "can_open_pipeline": actor.can(Capability.VIEW_PIPELINE) and actor.branch_id == branch.pk,
        },
    )
