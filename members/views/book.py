from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from .access import get_visible_member


@login_required
def me(request):
    """A member's own page; /me/ is the address members bookmark on their phones."""
    if request.actor.member is None:
        raise Http404
    return redirect("members:detail", pk=request.actor.member.pk)


@login_required
def member_detail(request, pk: int):
    member = get_visible_member(request.actor, pk)
    return render(request, "members/member_detail.html", {"member": member})
