"""The development pipeline pages: who is where, what is due, and recording each step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import forms_development as f
from ..access import Capability, get_visible_member
from ..models import Development, Member
from ..pipeline import due_this_month, next_step, pipeline_rows
from ..services import development as svc
from .roster import _save

S = Member.Status

# action key -> (label, form, service call, statuses it applies to)
ACTIONS = {
    "apply": (
        gettext_lazy("Record the application"),
        f.ApplyForm,
        lambda d, m, c: svc.development_apply(member=m, **c),
        None,
    ),
    "talk": (
        gettext_lazy("Record the talk"),
        f.TalkForm,
        lambda d, m, c: svc.development_record_talk(development=d, **c),
        (S.APPLICANT,),
    ),
    "activist": (
        gettext_lazy("Name as activist"),
        f.ActivistForm,
        lambda d, m, c: svc.development_make_activist(development=d, on=c["activist_on"], contacts=c["contacts"]),
        (S.APPLICANT,),
    ),
    "contact_review": (
        gettext_lazy("Add a contact's quarterly review"),
        f.ContactReviewForm,
        lambda d, m, c: svc.development_add_contact_review(development=d, **c),
        (S.ACTIVIST, S.CANDIDATE),
    ),
    "branch_review": (
        gettext_lazy("Add the branch's half-yearly review"),
        f.BranchReviewForm,
        lambda d, m, c: svc.development_add_branch_review(development=d, **c),
        (S.ACTIVIST, S.CANDIDATE),
    ),
    "candidate": (
        gettext_lazy("Name as candidate"),
        f.CandidateForm,
        lambda d, m, c: svc.development_make_candidate(development=d, on=c["candidate_on"]),
        (S.ACTIVIST,),
    ),
    "preparation": (
        gettext_lazy("Sponsors, political review and training"),
        f.PreparationForm,
        lambda d, m, c: svc.development_record_preparation(development=d, **c),
        (S.CANDIDATE,),
    ),
    "admit": (
        gettext_lazy("Admit as probationary member"),
        f.AdmitForm,
        lambda d, m, c: svc.development_admit(development=d, **c),
        (S.CANDIDATE,),
    ),
    "probation": (
        gettext_lazy("End of probation"),
        f.ProbationForm,
        lambda d, m, c: svc.development_end_probation(development=d, **c),
        (S.PROBATIONARY,),
    ),
}


def _branch_of(actor):
    if actor.member is None:
        raise Http404
    return actor.member.branch


@login_required
def pipeline(request):
    request.actor.require(Capability.VIEW_PIPELINE)
    today = timezone.localdate()
    rows = pipeline_rows(_branch_of(request.actor), today)
    return render(
        request,
        "members/pipeline.html",
        {"rows": rows, "due": due_this_month(rows, today), "today": today, "statuses": Member.Status},
    )


def _actions_for(development, member):
    if development is None:
        return ["apply"]
    if member.status == S.APPLICANT:
        return ["talk"] if development.talked_on is None else ["activist"]
    return [key for key, (_l, _f, _s, statuses) in ACTIONS.items() if statuses and member.status in statuses]


@login_required
def development_detail(request, pk: int):
    request.actor.require(Capability.VIEW_PIPELINE)
    member = get_visible_member(request.actor, pk)
    development = (
        Development.objects.filter(member=member)
        .prefetch_related("contacts", "sponsors", "contact_reviews__contact", "branch_reviews")
        .first()
    )
    can_manage = request.actor.can(Capability.MANAGE_PIPELINE) and not member.is_archived
    forms = []
    if can_manage:
        for key in _actions_for(development, member):
            label, form_class, _call, _statuses = ACTIONS[key]
            forms.append((key, label, form_class(development=development, member=member, prefix=key)))
    today = timezone.localdate()
    return render(
        request,
        "members/development.html",
        {
            "member": member,
            "development": development,
            "next": next_step(development, today) if development else None,
            "forms": forms,
            "today": today,
        },
    )


@login_required
@require_POST
def development_step(request, pk: int, action: str):
    request.actor.require(Capability.MANAGE_PIPELINE)
    member = get_visible_member(request.actor, pk)
    development = Development.objects.filter(member=member).first()
    if action not in _actions_for(development, member) or member.is_archived:
        raise Http404
    label, form_class, call, _statuses = ACTIONS[action]
    form = form_class(request.POST, development=development, member=member, prefix=action)
    if form.is_valid() and _save(form, lambda: call(development, member, form.cleaned_data)):
        messages.success(request, _("Recorded: %(step)s.") % {"step": label})
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, _("Not recorded: %(errors)s") % {"errors": " ".join(errors)})
    return redirect("members:development", pk=member.pk)
