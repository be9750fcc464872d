"""Pages for duties: the committee's duty board and guidance visits to linked teams (联点班组).

`urlpatterns` is included by activities/urls.py under the "activities" namespace.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branch.models import Branch
from branch.selectors import branches_visible_to
from members.forms import DateInput
from members.models import Member
from members.views.roster import _save

from ..access import Can, can, guidance_visible_to, require
from ..selectors.duties import duty_board as build_duty_board
from ..services.duties import current_link, guidance_visit_log

PAGE_SIZE = 50


class GuidanceVisitForm(forms.Form):
    """A guidance visit as typed on a phone at the work site; the team is always the linked one."""

    visited_on = forms.DateField(label=gettext_lazy("visited on"), widget=DateInput(), initial=timezone.localdate)
    guidance = forms.CharField(
        label=gettext_lazy("what was guided"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    problems = forms.CharField(
        label=gettext_lazy("problems found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    follow_up = forms.CharField(
        label=gettext_lazy("follow-up"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )
    photo = forms.ImageField(
        label=gettext_lazy("photo"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP, at most 5 MB. Location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


def _board_branch(request) -> tuple[Branch, list[Branch]]:
    """The actor's own branch; the administrator picks one with ?branch= (the first by default)."""
    branches = branches_visible_to(request.actor)
    if not request.actor.is_admin:
        return get_object_or_404(branches, pk=request.actor.branch_id), []
    choices = list(branches)
    wanted = request.GET.get("branch")
    if wanted is None:
        if not choices:
            raise Http404
        return choices[0], choices
    for branch in choices:
        if str(branch.pk) == wanted:
            return branch, choices
    raise Http404


@login_required
def duty_board(request):
    require(request.actor, Can.VIEW_DUTIES)
    branch, branch_choices = _board_branch(request)
    board = build_duty_board(branch, timezone.localdate())
    return render(
        request,
        "activities/duties/board.html",
        {
            "board": board,
            "branch_choices": branch_choices,
            "can_log": can(request.actor, Can.LOG_GUIDANCE),
            "own_member_id": request.actor.member.pk if request.actor.member else None,
        },
    )


@login_required
def guidance_add(request):
    """A committee member logs a visit to their own linked team."""
    require(request.actor, Can.LOG_GUIDANCE)
    member = request.actor.member
    if member is None:
        raise Http404
    link = current_link(member)
    form = GuidanceVisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        visit = _save(form, lambda: guidance_visit_log(member=member, **form.cleaned_data))
        if visit:
            messages.success(
                request,
                _("Guidance visit to %(team)s on %(date)s logged.")
                % {"team": visit.work_team.name, "date": f"{visit.visited_on:%Y-%m-%d}"},
            )
            return redirect("activities:duty_board")
    if link:
        intro = _("Your linked work team: %(team)s.") % {"team": link.work_team.name}
    else:
        intro = _("You are not linked to a work team yet; the branch secretary links committee members to teams.")
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Log a guidance visit"),
            "intro": intro,
            "submit_label": _("Log the visit"),
            "cancel_url": reverse("activities:duty_board"),
        },
    )


@login_required
def guidance_list(request):
    require(request.actor, Can.VIEW_DUTIES)
    visits = guidance_visible_to(request.actor).select_related("member", "work_team")
    chosen = None
    member_id = request.GET.get("member", "")
    if member_id.isdigit():
        chosen = get_object_or_404(Member.objects.visible_to(request.actor), pk=int(member_id))
        visits = visits.filter(member=chosen)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/duties/guidance_list.html",
        {
            "page": page,
            "chosen": chosen,
            "query_string": f"member={chosen.pk}" if chosen else "",
            "can_log": can(request.actor, Can.LOG_GUIDANCE),
        },
    )


@login_required
def guidance_detail(request, pk: int):
    require(request.actor, Can.VIEW_DUTIES)
    visit = get_object_or_404(guidance_visible_to(request.actor).select_related("member", "work_team"), pk=pk)
    return render(request, "activities/duties/guidance_detail.html", {"visit": visit})


urlpatterns = [
    path("duties/", duty_board, name="duty_board"),
    path("guidance/", guidance_list, name="guidance_list"),
    path("guidance/add/", guidance_add, name="guidance_add"),
    path("guidance/<int:pk>/", guidance_detail, name="guidance_detail"),
]
