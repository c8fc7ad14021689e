"""What the org tree tells the apps that copy parts of it.

Places know nothing of the apps that keep a copy of an org path (tickets store
their place's path so that scoping needs no join). Instead the tree announces
each re-rooted subtree, inside the transaction that rewrote the node paths, and
those apps move their copies in the same transaction: a move is all or nothing.
"""

from django.dispatch import Signal

# Sent with ``node`` (the moved OrgNode, already carrying its new parent, code and path),
# ``old_path`` and ``new_path`` (the materialised path prefixes before and after) each time
# the paths under ``old_path`` have been rewritten to start with ``new_path``.
# A receiver returns ``{label: count}`` of the rows it moved (e.g. ``{"tickets": 12}``),
# which the grid import reports; it must not swallow errors, so a failure rolls the move back.
subtree_moved = Signal()
