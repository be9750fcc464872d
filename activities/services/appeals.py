"""Opinion forums (群众意见恳谈会) and employee appeals (员工诉求): every write goes through here.

Rules, written once:

- Who: the committee and the secretary (Can.MANAGE_APPEALS) hold forums, record appeals, assign
  them and move any appeal of their branch; the member who handles an appeal (联络员) moves and
  answers that appeal and no other, but cannot reassign it. Anyone else: PermissionDenied (403).
- Nothing is dated in the future: a forum is recorded once held; an appeal is received, answered,
  closed on or before today.
- An appeal raised at a forum has the channel "forum", is received on the day of the forum and
  belongs to the forum's branch; an appeal from another channel names no forum.
- The deadline defaults to the day received plus the branch's `appeal_answer_days`; it cannot be
  before the day received.
- Status only moves forward: received → in progress → answered → closed (steps may be skipped).
  Answered and closed need the answer and the day it was given (the DB checks it too); the answer
  cannot predate the appeal, nor closing the answer. Closing records the requester's satisfaction.
- Attachments are only ever added: whatever the status, an appeal keeps every file it was given.
- Employees are matched by name and work team within the branch, so raising a second appeal for
  someone typed in again does not make a second person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import Branch, WorkTeam
from members.access import Actor
from members.models import Employee, Member
from members.names import normalize_name

from ..access import Can, can
from ..models import Appeal, AppealAttachment, Forum

Status = Appeal.Status
STATUS_ORDER = {status: index for index, status in enumerate(Status.values)}
ANSWERED_STATUSES = (Status.ANSWERED, Status.CLOSED)
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS)


# ---- who may ------------------------------------------------------------------------------------


def may_manage(actor: Actor, branch_id: int) -> bool:
    return actor.member is not None and actor.branch_id == branch_id and can(actor, Can.MANAGE_APPEALS)


def may_handle(actor: Actor, appeal: Appeal) -> bool:
    """Whether the actor may move and answer this appeal: the committee, or its own handler."""
    return may_manage(actor, appeal.branch_id) or (actor.member is not None and appeal.handler_id == actor.member.pk)


def _require_manager(actor: Actor, branch_id: int) -> None:
    if not may_manage(actor, branch_id):
        raise PermissionDenied


def _not_future(day: dt.date | None, field: str, errors: dict) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field, []).append(ValidationError(_("This date is in the future."), code="future"))


# ---- employees ----------------------------------------------------------------------------------


def employee_get_or_create(*, branch: Branch, name: str, work_team: WorkTeam | None, phone: str = "") -> Employee:
    """The branch's employee of this name in this team, created when there is none."""
    name = normalize_name(name or "").strip()
    if not name:
        raise ValidationError({"new_name": _("Give the employee's name.")}, code="required")
    if work_team is not None and work_team.branch_id != branch.pk:
        raise ValidationError({"new_team": _("This work team is not in the branch.")}, code="other_branch")
    employee = Employee.objects.filter(branch=branch, name=name, work_team=work_team).first()
    if employee is None:
        employee = Employee(branch=branch, name=name, work_team=work_team, phone=phone)
        employee.full_clean()
        employee.save()
    return employee


# ---- forums -------------------------------------------------------------------------------------


@transaction.atomic
def forum_create(
    *,
    actor: Actor,
    branch: Branch,
    held_on: dt.date,
    work_team: WorkTeam,
    members_present: Iterable[Member] = (),
    employees_present: Iterable[Employee] = (),
    new_employees: Iterable[str] = (),
    notes: str = "",
) -> Forum:
    """Record a forum held with a work team, and who came. `new_employees` are names of employees not
    on record yet; they are added to the forum's work team.

    Raises PermissionDenied, or ValidationError on `held_on`, `work_team`, `members_present`,
    `employees_present`.
    """
    _require_manager(actor, branch.pk)
    members_present, employees_present = list(members_present), list(employees_present)
    errors: dict = {}
    _not_future(held_on, "held_on", errors)
    if work_team.branch_id != branch.pk:
        errors["work_team"] = [ValidationError(_("This work team is not in the branch."), code="other_branch")]
    if any(m.branch_id != branch.pk for m in members_present):
        errors["members_present"] = [ValidationError(_("Someone chosen is not in the branch."), code="other_branch")]
    if any(e.branch_id != branch.pk for e in employees_present):
        errors["employees_present"] = [ValidationError(_("Someone chosen is not in the branch."), code="other_branch")]
    if errors:
        raise ValidationError(errors)
    forum = Forum.objects.create(branch=branch, held_on=held_on, work_team=work_team, notes=notes)
    employees_present += [
        employee_get_or_create(branch=branch, name=name, work_team=work_team) for name in new_employees if name.strip()
    ]
    forum.members_present.set(members_present)
    forum.employees_present.set(employees_present)
    return forum


# ---- appeals ------------------------------------------------------------------------------------


def _add_attachments(appeal: Appeal, attachments: Iterable) -> None:
    for file in attachments or ():
        AppealAttachment.objects.create(appeal=appeal, file=file)


@transaction.atomic
def appeal_create(
    *,
    actor: Actor,
    branch: Branch,
    requester: Employee,
    content: str,
    category: str,
    handler: Member,
    channel: str | None = None,
    received_on: dt.date | None = None,
    deadline: dt.date | None = None,
    forum: Forum | None = None,
    attachments: Iterable = (),
) -> Appeal:
    """Record an appeal and hand it to a member (联络员). Returns it with status "received".

    A forum's appeal takes the forum's channel and day; otherwise the day defaults to today. The
    deadline defaults to the day received plus the branch's `appeal_answer_days`.

    Raises PermissionDenied, or ValidationError on `forum`, `channel`, `requester`, `handler`,
    `received_on`, `deadline`, `content`.
    """
    _require_manager(actor, branch.pk)
    errors: dict = {}

    def error(field, message, code):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if forum is not None:
        if forum.branch_id != branch.pk:
            error("forum", _("This forum is not in the branch."), "other_branch")
        channel = channel or Appeal.Channel.FORUM
        received_on = received_on or forum.held_on
        if channel != Appeal.Channel.FORUM:
            error("channel", _("An appeal raised at a forum has the channel “opinion forum”."), "channel")
        if received_on != forum.held_on:
            error("received_on", _("An appeal raised at a forum is received on the day of the forum."), "forum_day")
    elif channel == Appeal.Channel.FORUM or not channel:
        error("channel", _("Choose the forum the appeal was raised at, or another channel."), "channel")
    received_on = received_on or timezone.localdate()
    _not_future(received_on, "received_on", errors)
    if requester.branch_id != branch.pk:
        error("requester", _("This employee is not in the branch."), "other_branch")
    if handler.branch_id != branch.pk or handler.is_archived:
        error("handler", _("The handler must be a current member of the branch."), "handler")
    if not (content or "").strip():
        error("content", _("Write down what is asked."), "required")
    deadline = deadline or received_on + dt.timedelta(days=branch.appeal_answer_days)
    if deadline < received_on:
        error("deadline", _("The deadline cannot be before the day the appeal was received."), "deadline")
    if errors:
        raise ValidationError(errors)
    appeal = Appeal.objects.create(
        branch=branch,
        forum=forum,
        channel=channel,
        requester=requester,
        received_on=received_on,
        content=content.strip(),
        category=category,
        handler=handler,
        deadline=deadline,
    )
    _add_attachments(appeal, attachments)
    return appeal


def _progress_errors(
    appeal: Appeal, *, status: str, answer: str, answered_on: dt.date | None, closed_on, satisfaction
) -> dict:
    errors: dict = {}

    def error(field, message, code):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if STATUS_ORDER[status] < STATUS_ORDER[appeal.status]:
        error("status", _("An appeal's status only moves forward."), "backwards")
    if status in ANSWERED_STATUSES:
        if not answer:
            if status == Status.CLOSED:
                error("answer", _("An appeal cannot be closed without an answer."), "no_answer")
            else:
                error("answer", _("Write down the answer given to the requester."), "no_answer")
        if answered_on is None:
            error("answered_on", _("Give the day the answer was given."), "no_answer_date")
        elif answered_on < appeal.received_on:
            error("answered_on", _("The answer cannot be dated before the appeal was received."), "early")
        _not_future(answered_on, "answered_on", errors)
    elif answered_on is not None or satisfaction is not None:
        error("status", _("Only an answered or closed appeal has an answer date or a satisfaction."), "too_early")
    if status == Status.CLOSED:
        if closed_on is None:
            error("closed_on", _("Give the day the appeal was closed."), "no_close_date")
        elif answered_on is not None and closed_on < answered_on:
            error("closed_on", _("An appeal cannot be closed before it was answered."), "early")
        _not_future(closed_on, "closed_on", errors)
        if satisfaction is None:
            error("satisfaction", _("Record the requester's satisfaction before closing."), "no_satisfaction")
    elif closed_on is not None:
        error("closed_on", _("Only a closed appeal has a closing date."), "too_early")
    return errors


@transaction.atomic
def appeal_update(
    *,
    actor: Actor,
    appeal: Appeal,
    status: str,
    answer: str = "",
    answered_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    satisfaction: int | None = None,
    handler: Member | None = None,
    deadline: dt.date | None = None,
    attachments: Iterable = (),
) -> Appeal:
    """Move an appeal on: its status, answer, dates and the requester's satisfaction; new attachments
    are added to the ones it has. `handler` and `deadline` (None: unchanged) are the committee's.

    Answering without a day takes today; closing without a day takes today. Raises PermissionDenied,
    or ValidationError on `status`, `answer`, `answered_on`, `closed_on`, `satisfaction`, `handler`,
    `deadline`.
    """
    if not may_handle(actor, appeal):
        raise PermissionDenied
    reassigning = (handler is not None and handler.pk != appeal.handler_id) or (
        deadline is not None and deadline != appeal.deadline
    )
    if reassigning and not may_manage(actor, appeal.branch_id):
        raise PermissionDenied
    answer = (answer or "").strip()
    today = timezone.localdate()
    if status in ANSWERED_STATUSES and answer and answered_on is None:
        answered_on = appeal.answered_on or today
    if status == Status.CLOSED and closed_on is None:
        closed_on = today
    errors = _progress_errors(
        appeal, status=status, answer=answer, answered_on=answered_on, closed_on=closed_on, satisfaction=satisfaction
    )
    if handler is not None and (handler.branch_id != appeal.branch_id or handler.is_archived):
        errors.setdefault("handler", []).append(
            ValidationError(_("The handler must be a current member of the branch."), code="handler")
        )
    if deadline is not None and deadline < appeal.received_on:
        errors.setdefault("deadline", []).append(
            ValidationError(_("The deadline cannot be before the day the appeal was received."), code="deadline")
        )
    if errors:
        raise ValidationError(errors)
    appeal.status = status
    appeal.answer = answer
    appeal.answered_on = answered_on
    appeal.closed_on = closed_on
    appeal.satisfaction = satisfaction
    if handler is not None:
        appeal.handler = handler
    if deadline is not None:
        appeal.deadline = deadline
    appeal.save()
    _add_attachments(appeal, attachments)
    return appeal
