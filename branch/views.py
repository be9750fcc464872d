from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from members.access import Capability

from .selectors import branch_overview, branches_visible_to


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
    request.actor.require(Capability.VIEW_BRANCH_OVERVIEW)
    branch = get_object_or_404(branches_visible_to(request.actor), pk=pk)
    return render(request, "branch/overview.html", {"overview": branch_overview(branch)})
