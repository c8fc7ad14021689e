"""Which action may be taken in which state, by whom. The one table every interface consults.

Roles relative to a ticket (computed by ``relations``):
- ``owner``      the resident who submitted it (or on whose behalf it was recorded)
- ``assignee``   the grid worker / department staff it is assigned to
- ``department`` staff of the department whose queue holds it
- ``dispatcher`` a clerk or supervisor whose scope covers the ticket's place, or an admin
- ``supervisor`` a supervisor whose scope covers the ticket's place, or an admin
- ``system``     the SLA scan and other periodic work (actor is None)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.people.models import Role
from apps.people.scopes import scope_for
from apps.tickets.models import OPEN_STATES, State, Ticket

S = State


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_states: tuple[str, ...]
    to_state: str | None  # None: the state does not change (comment, rate, reassign keeps it)
    who: frozenset[str]


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("accept", _("Accept"), (S.SUBMITTED,), S.ACCEPTED, frozenset({"assignee", "department", "dispatcher"})),
        Action("start", _("Start work"), (S.ACCEPTED,), S.IN_PROGRESS, frozenset({"assignee", "dispatcher"})),
        Action(
            "wait_on_resident",
            _("Wait on resident"),
            (S.ACCEPTED, S.IN_PROGRESS),
            S.WAITING_ON_RESIDENT,
            frozenset({"assignee", "dispatcher"}),
        ),
        Action("resume", _("Resume"), (S.WAITING_ON_RESIDENT,), S.IN_PROGRESS, frozenset({"assignee", "dispatcher"})),
        Action("resolve", _("Resolve"), (S.ACCEPTED, S.IN_PROGRESS), S.RESOLVED, frozenset({"assignee", "dispatcher"})),
        Action("close", _("Confirm and close"), (S.RESOLVED,), S.CLOSED, frozenset({"owner", "dispatcher", "system"})),
        Action("reopen", _("Dispute (reopen)"), (S.RESOLVED,), S.IN_PROGRESS, frozenset({"owner", "dispatcher"})),
        Action(
            "reject",
            _("Reject"),
            (S.SUBMITTED, S.ACCEPTED),
            S.REJECTED,
            frozenset({"assignee", "department", "dispatcher"}),
        ),
        Action(
            "transfer",
            _("Transfer"),
            (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS),
            S.SUBMITTED,
            frozenset({"assignee", "department", "dispatcher"}),
        ),
        Action(
            "return",
            _("Return to dispatch"),
            (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS),
            S.SUBMITTED,
            frozenset({"assignee", "department"}),
        ),
        Action("reassign", _("Reassign"), OPEN_STATES, S.SUBMITTED, frozenset({"dispatcher"})),
        Action("merge", _("Merge as duplicate"), OPEN_STATES, S.MERGED, frozenset({"dispatcher"})),
        Action(
            "comment",
            _("Comment"),
            (*OPEN_STATES, S.RESOLVED, S.CLOSED, S.REJECTED),
            None,
            frozenset({"owner", "assignee", "department", "dispatcher"}),
        ),
        Action("rate", _("Rate"), (S.RESOLVED, S.CLOSED), None, frozenset({"owner"})),
        Action("supervise", _("Supervision order"), OPEN_STATES, None, frozenset({"supervisor"})),
        Action(
            "reclassify", _("Change category or priority"), OPEN_STATES, None, frozenset({"assignee", "dispatcher"})
        ),
    ]
}


def relations(user, ticket: Ticket) -> frozenset[str]:
    """The roles ``user`` holds towards ``ticket`` (``system`` when user is None)."""
    if user is None:
        return frozenset({"system"})
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    rel = set()
    if ticket.resident_id is not None and ticket.resident_id == user.pk:
        rel.add("owner")
    if ticket.assignee_id is not None and ticket.assignee_id == user.pk:
        rel.add("assignee")
    scope = scope_for(user)
    if user.role == Role.DEPARTMENT_STAFF and ticket.department_id in scope.department_ids:
        rel.add("department")
    covers = scope.everything or scope.covers_path(ticket.org_path)
    if covers and (scope.everything or user.role in (Role.CLERK, Role.SUPERVISOR)):
        rel.add("dispatcher")
    if covers and (scope.everything or user.role == Role.SUPERVISOR):
        rel.add("supervisor")
    return frozenset(rel)


def check(action_name: str, *, user, ticket: Ticket) -> Action:
    """Return the action if ``user`` may take it on ``ticket`` now; raise Conflict (409) otherwise."""
    from apps.core.errors import Conflict

    action = ACTIONS.get(action_name)
    if action is None:
        raise Conflict(_("Unknown action “%(action)s”.") % {"action": action_name}, code="unknown_action")
    # The label for people, the code for machines and logs: "… 受理 (accept) … 已提交 (submitted)."
    state_label = f"{State(ticket.state).label} ({ticket.state})"
    action_label = f"{action.label} ({action.name})"
    if ticket.state not in action.from_states:
        raise Conflict(
            _("Cannot %(action)s a ticket that is %(state)s.") % {"action": action_label, "state": state_label},
            code="invalid_transition",
        )
    if not (relations(user, ticket) & action.who):
        raise Conflict(
            _("You may not %(action)s this ticket while it is %(state)s.")
            % {"action": action_label, "state": state_label},
            code="action_not_allowed",
        )
    return action


def allowed_actions(user, ticket: Ticket) -> list[str]:
    rel = relations(user, ticket)
    return [a.name for a in ACTIONS.values() if ticket.state in a.from_states and rel & a.who]
