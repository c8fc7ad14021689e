"""Tickets follow the org tree: when places re-root a subtree, the tickets under it move too.

A ticket keeps a copy of its place's path (``Ticket.org_path``) so that every scoped
list is one prefix scan with no join; a copy must move with the original, or the
tickets of a moved grid stay visible to the old community's supervisor and
counted in its rates. Places announce the move (``apps.places.signals.subtree_moved``)
inside the transaction that rewrote the node paths; this runs in that transaction.
"""

from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr

from apps.places.models import Level, OrgNode
from apps.places.signals import subtree_moved
from apps.tickets.models import Ticket


def move_tickets_with_subtree(sender, *, node, old_path: str, new_path: str, **kwargs) -> dict[str, int]:
    """Re-root the ``org_path`` of every ticket under ``old_path`` at ``new_path``: one UPDATE.

    A grid that moved to another community takes its tickets' ``community`` along
    (a grid ticket's community is its grid's). Neither the state nor ``updated_at``
    changes, and no event is written: nothing happened to the request itself;
    the import reports the count instead.
    """
    moved = Ticket.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1), output_field=CharField())
    )
    if node.level == Level.GRID and node.parent_id is not None:
        # By grid, not by path: a ticket of the grid is its grid's whatever its path says (ticket_grid_state index).
        Ticket.objects.filter(grid_id=node.pk).exclude(community_id=node.parent_id).update(community_id=node.parent_id)
    return {"tickets": moved}


def connect() -> None:
    subtree_moved.connect(move_tickets_with_subtree, sender=OrgNode, dispatch_uid="tickets-follow-org-moves")
