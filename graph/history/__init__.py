"""History and review: the change log of every write, diffs between versions, past versions.

- ``graph.history.context``: who makes a change and why (``attributed``).
- ``graph.history.diff``: field-level differences of records.
- ``graph.history.log``: the ``changes`` table in the workspace and ``record``, its write function.
- ``graph.history.hooks``: what the embedded store calls to log its writes.
- ``graph.history.versions``: diffs between two versions and the graph as of a past version.
- ``graph.history.words``: changes told in words.
"""

from __future__ import annotations

from graph.history.context import Attribution, attributed, current
from graph.history.diff import RecordChange
from graph.history.log import Entry, record

__all__ = ["Attribution", "Entry", "RecordChange", "attributed", "current", "record"]
