"""Pages for recognition: innovation projects (技术攻关、小改小革) with awards and patents, honours and
three-level publicity (三级宣传), the 五带头标兵 selections, the branch's rules and the wall (三上墙).
`urlpatterns` is included by activities/urls.py under the "activities" namespace.

Access: the committee manages everything here for its branch, the secretary alone the rules and
whether the wall is public; every member nominates while a selection takes nominations. Outside
one's scope is 404 (another branch's objects, someone else's project for a member); in scope but
not allowed is 403 (a member adding an honour, the administrator changing anything). The wall needs
a login unless the branch made it public.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branch.models import Branch

from ..access import Can, require
from ..forms_recognition import (
    AwardForm,
    DecideForm,
    HonorForm,
    InnovationForm,
    NominationForm,
    PatentForm,
    PublicityForm,
    RuleForm,
    SelectionForm,
)
from ..models import ModelSelection, Publicity
from ..selectors import recognition as selectors
from ..services import recognition as service

PAGE_SIZE = 50


# ---- helpers --------------------------------------------------------------------------------------


def _own_branch(request) -> Branch:
    """The branch a manager works on: 403 without the capability (the administrator included, who
    changes data in the admin site)."""
    require(request.actor, Can.MANAGE_RECOGNITION)
    if request.actor.member is None:
        raise PermissionDenied
    return request.actor.member.branch


def _rules_branch(request) -> Branch:
    if not request.actor.is_secretary:
        raise PermissionDenied
    return request.actor.member.branch


def _save(form, save):
    """Run a service with a validated form; put its ValidationError back onto the form."""
    try:
        return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


def _form_page(request, form, *, title, cancel_url, intro="", submit_label=None):
    context = {"form": form, "title": title, "intro": intro, "cancel_url": cancel_url}
    if submit_label:
        context["submit_label"] = submit_label
    return render(request, "form_page.html", context)


def _paged(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# ---- innovations ----------------------------------------------------------------------------------


@login_required
def innovation_list(request):
    actor = request.actor
    return render(
        request,
        "activities/recognition/innovation_list.html",
        {
            "page": _paged(request, selectors.innovation_rows(actor)),
            "can_manage": actor.member is not None and service.may_manage(actor, actor.branch_id),
            "show_branch": actor.is_admin,
        },
    )


@login_required
def innovation_create(request):
    branch = _own_branch(request)
    form = InnovationForm(request.POST or None, branch=branch)
    if request.method == "POST" and form.is_valid():
        innovation = _save(
            form, lambda: service.innovation_create(actor=request.actor, branch=branch, **form.cleaned_data)
        )
        if innovation:
            messages.success(request, _("Project recorded."))
            return redirect("activities:innovation_detail", pk=innovation.pk)
    return _form_page(
        request,
        form,
        title=_("Record a project"),
        intro=_("A technical task-force project or a small improvement (小改小革), with everyone who took part."),
        cancel_url=reverse("activities:innovation_list"),
    )


@login_required
def innovation_detail(request, pk: int):
    innovation = get_object_or_404(selectors.innovation_page(request.actor), pk=pk)
    return render(
        request,
        "activities/recognition/innovation_detail.html",
        {"innovation": innovation, "can_manage": service.may_manage(request.actor, innovation.branch_id)},
    )


def _innovation_to_change(request, pk: int):
    innovation = get_object_or_404(selectors.innovation_page(request.actor), pk=pk)
    if not service.may_manage(request.actor, innovation.branch_id):
        raise PermissionDenied
    return innovation


@login_required
def innovation_edit(request, pk: int):
    innovation = _innovation_to_change(request, pk)
    form = InnovationForm(
        request.POST or None, branch=innovation.branch, initial=InnovationForm.initial_for(innovation)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: service.innovation_update(actor=request.actor, innovation=innovation, **form.cleaned_data),
        )
        if saved:
            messages.success(request, _("Changes to the project saved."))
            return redirect("activities:innovation_detail", pk=innovation.pk)
    return _form_page(
        request,
        form,
        title=_("Change the project"),
        cancel_url=reverse("activities:innovation_detail", args=[innovation.pk]),
    )


def _innovation_add(request, pk: int, form_class, action, title):
    innovation = _innovation_to_change(request, pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, lambda: action(actor=request.actor, innovation=innovation, **form.cleaned_data))
    ):
        messages.success(request, _("Saved."))
        return redirect("activities:innovation_detail", pk=innovation.pk)
    return _form_page(
        request,
        form,
        title=f"{title} · {innovation.title}",
        cancel_url=reverse("activities:innovation_detail", args=[innovation.pk]),
    )


@login_required
def innovation_award_add(request, pk: int):
    return _innovation_add(request, pk, AwardForm, service.award_add, _("Add an award"))


@login_required
def innovation_patent_add(request, pk: int):
    return _innovation_add(request, pk, PatentForm, service.patent_add, _("Add a patent"))


# ---- honours and publicity ------------------------------------------------------------------------


@login_required
def honor_list(request):
    actor = request.actor
    publicity = list(selectors.publicity_rows(actor)[:PAGE_SIZE])
    levels = [(value, label, [p for p in publicity if p.level == value]) for value, label in Publicity.Level.choices]
    return render(
        request,
        "activities/recognition/honor_list.html",
        {
            "page": _paged(request, selectors.honor_rows(actor)),
            "publicity_levels": levels,
            "can_manage": actor.member is not None and service.may_manage(actor, actor.branch_id),
            "wall_branch_id": actor.branch_id,
            "show_branch": actor.is_admin,
        },
    )


@login_required
def honor_create(request):
    branch = _own_branch(request)
    form = HonorForm(request.POST or None, branch=branch)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, lambda: service.honor_create(actor=request.actor, branch=branch, **form.cleaned_data))
    ):
        messages.success(request, _("Honour recorded."))
        return redirect("activities:honor_list")
    return _form_page(
        request,
        form,
        title=_("Record an honour"),
        intro=_("Leave the member empty for an honour of the branch itself."),
        cancel_url=reverse("activities:honor_list"),
    )


@login_required
def publicity_add(request):
    branch = _own_branch(request)
    initial = {name: request.GET[name] for name in ("member", "honor", "title") if request.GET.get(name)}
    form = PublicityForm(request.POST or None, branch=branch, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, lambda: service.publicity_add(actor=request.actor, branch=branch, **form.cleaned_data))
    ):
        messages.success(request, _("Publicity recorded."))
        return redirect("activities:honor_list")
    return _form_page(
        request,
        form,
        title=_("Record publicity"),
        intro=_(
            "Three levels (三级宣传): experience exchange, praise in the operation area's production bulletin, "
            "the plant's website. Name the member or the honour it is about, if any."
        ),
        cancel_url=reverse("activities:honor_list"),
    )


# ---- 五带头标兵 selections --------------------------------------------------------------------------


@login_required
def selection_list(request):
    actor = request.actor
    return render(
        request,
        "activities/recognition/selection_list.html",
        {
            "page": _paged(request, selectors.selection_rows(actor)),
            "can_manage": actor.member is not None and service.may_manage(actor, actor.branch_id),
            "show_branch": actor.is_admin,
        },
    )


@login_required
def selection_create(request):
    branch = _own_branch(request)
    form = SelectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        selection = service.selection_create(actor=request.actor, branch=branch, **form.cleaned_data)
        messages.success(request, _("Nominations are open."))
        return redirect("activities:selection_detail", pk=selection.pk)
    return _form_page(
        request,
        form,
        title=_("Open a model member selection"),
        intro=_("Members nominate, the committee decides, then the result is published."),
        cancel_url=reverse("activities:selection_list"),
    )


def _visible_selection(request, pk: int) -> ModelSelection:
    return get_object_or_404(selectors.selections_visible_to(request.actor).select_related("branch"), pk=pk)


@login_required
def selection_detail(request, pk: int):
    actor = request.actor
    selection = _visible_selection(request, pk)
    can_manage = service.may_manage(actor, selection.branch_id)
    return render(
        request,
        "activities/recognition/selection_detail.html",
        {
            "selection": selection,
            "nominations": list(selectors.nominations_shown(actor, selection)),
            "can_manage": can_manage,
            "can_nominate": service.may_nominate(actor, selection),
            "decide_form": DecideForm(selection=selection)
            if can_manage and selection.state == ModelSelection.State.NOMINATING
            else None,
        },
    )


@login_required
def nominate(request, pk: int):
    selection = _visible_selection(request, pk)
    if not service.may_nominate(request.actor, selection):
        raise PermissionDenied
    form = NominationForm(request.POST or None, selection=selection, nominator=request.actor.member)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, lambda: service.nominate(actor=request.actor, selection=selection, **form.cleaned_data))
    ):
        messages.success(request, _("Nomination sent to the committee."))
        return redirect("activities:selection_detail", pk=selection.pk)
    return _form_page(
        request,
        form,
        title=_("Nominate for %(title)s") % {"title": selection.title},
        intro=_("Put forward a member who leads in the five ways (五带头), and say why. You cannot nominate yourself."),
        submit_label=_("Nominate"),
        cancel_url=reverse("activities:selection_detail", args=[selection.pk]),
    )


@login_required
@require_POST
def selection_decide(request, pk: int):
    selection = _visible_selection(request, pk)
    if not service.may_manage(request.actor, selection.branch_id):
        raise PermissionDenied
    form = DecideForm(request.POST, selection=selection)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose at least one of the nominees."))
        service.selection_decide(
            actor=request.actor, selection=selection, selected=[n.pk for n in form.cleaned_data["selected"]]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The committee's decision is recorded. Publish it when ready."))
    return redirect("activities:selection_detail", pk=selection.pk)


@login_required
@require_POST
def selection_publish(request, pk: int):
    selection = _visible_selection(request, pk)
    if not service.may_manage(request.actor, selection.branch_id):
        raise PermissionDenied
    try:
        service.selection_publish(actor=request.actor, selection=selection)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Published: the model members now show in their record books and on the wall."))
    return redirect("activities:selection_detail", pk=selection.pk)


# ---- the branch's rules (制度) and the wall ---------------------------------------------------------


@login_required
def rule_list(request):
    actor = request.actor
    branch = actor.member.branch if actor.member else None
    return render(
        request,
        "activities/recognition/rule_list.html",
        {
            "rules": list(selectors.rules_visible_to(actor).select_related("branch").order_by("branch", "position")),
            "branch": branch,
            "can_edit": branch is not None and service.may_edit_rules(actor, branch.pk),
            "show_branch": actor.is_admin,
        },
    )


def _rule_form(request, rule=None):
    branch = _rules_branch(request)
    initial = {"title": rule.title, "body": rule.body, "position": rule.position} if rule else {}
    form = RuleForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(form, lambda: service.rule_save(actor=request.actor, branch=branch, rule=rule, **form.cleaned_data))
    ):
        messages.success(request, _("Rule saved."))
        return redirect("activities:rule_list")
    return _form_page(
        request,
        form,
        title=_("Change the rule") if rule else _("Add a rule"),
        intro=_("The branch's rules (制度) are shown on the wall in this order."),
        cancel_url=reverse("activities:rule_list"),
    )


def _visible_rule(request, pk: int):
    return get_object_or_404(selectors.rules_visible_to(request.actor), pk=pk)


@login_required
def rule_create(request):
    return _rule_form(request)


@login_required
def rule_edit(request, pk: int):
    rule = _visible_rule(request, pk)
    return _rule_form(request, rule)


@login_required
@require_POST
def rule_delete(request, pk: int):
    rule = _visible_rule(request, pk)
    service.rule_delete(actor=request.actor, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect("activities:rule_list")


@login_required
@require_POST
def wall_public(request):
    branch = _rules_branch(request)
    service.wall_set_public(actor=request.actor, branch=branch, public=request.POST.get("public") == "1")
    if branch.wall_is_public:
        messages.success(request, _("The wall now opens without a login."))
    else:
        messages.success(request, _("The wall now needs a login."))
    return redirect("activities:rule_list")


def wall(request, branch_pk: int):
    """The hall's screen. Public when the branch says so; otherwise its members and the
    administrator only (anonymous visitors are sent to log in, others get 404)."""
    branch = Branch.objects.filter(pk=branch_pk).first()
    if branch is None or not branch.wall_is_public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if branch is None or not selectors.branches_for_wall(request.actor).filter(pk=branch.pk).exists():
            raise Http404
    return render(request, "activities/recognition/wall.html", {"wall": selectors.wall(branch)})


urlpatterns = [
    path("innovations/", innovation_list, name="innovation_list"),
    path("innovations/new/", innovation_create, name="innovation_create"),
    path("innovations/<int:pk>/", innovation_detail, name="innovation_detail"),
    path("innovations/<int:pk>/edit/", innovation_edit, name="innovation_edit"),
    path("innovations/<int:pk>/awards/new/", innovation_award_add, name="innovation_award_add"),
    path("innovations/<int:pk>/patents/new/", innovation_patent_add, name="innovation_patent_add"),
    path("honours/", honor_list, name="honor_list"),
    path("honours/new/", honor_create, name="honor_create"),
    path("publicity/new/", publicity_add, name="publicity_add"),
    path("selections/", selection_list, name="selection_list"),
    path("selections/new/", selection_create, name="selection_create"),
    path("selections/<int:pk>/", selection_detail, name="selection_detail"),
    path("selections/<int:pk>/nominate/", nominate, name="nominate"),
    path("selections/<int:pk>/decide/", selection_decide, name="selection_decide"),
    path("selections/<int:pk>/publish/", selection_publish, name="selection_publish"),
    path("rules/", rule_list, name="rule_list"),
    path("rules/new/", rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", rule_delete, name="rule_delete"),
    path("rules/wall-public/", wall_public, name="wall_public"),
    path("wall/<int:branch_pk>/", wall, name="wall"),
]
