"""A ``marshal`` image of a loaded embedded graph, stored in the workspace next to its JSON.

Reopening a big workspace from the JSON records means parsing every record, sharing equal
strings and linking millions of networkx adjacency dicts: about 30 s at 3 million
relationships. The image holds those dicts already linked (``marshal`` keeps shared objects
shared: the key dict of an edge is one object in ``succ`` and ``pred``, and its attribute dict
is the one in the relationship table), and comes back in about 40 % of the time (12.6 s instead
of 30.8 s at 3 million relationships).

The JSON records stay the truth: the image is written in the same transaction as a full
replace, dropped by every later write, and ignored when it was written by another Python
(``marshal``'s format is tied to the interpreter) or for another graph version. ``marshal``
only reads plain data (no code runs while loading), but like every binary format read without
validation it trusts the file: open workspaces you or your tools wrote.
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["PART_BYTES", "Image", "dump_parts", "load_parts"]

MAGIC = b"cryptokg-graph-image 1"
#: Bytes per stored part: SQLite refuses a single value over 1e9 bytes by default.
PART_BYTES = 128 * 2**20

#: node attributes, successors, predecessors, relationships, sources (see ``MemoryStore``).
Image = tuple[
    dict[str, dict[str, Any]],
    dict[str, dict[str, dict[str, dict[str, Any]]]],
    dict[str, dict[str, dict[str, dict[str, Any]]]],
    dict[str, dict[str, Any]],
    dict[str, dict[str, Any]],
]


def _header(version: str) -> bytes:
    tag = sys.implementation.cache_tag or sys.implementation.name
    return b" ".join([MAGIC, tag.encode(), str(marshal.version).encode(), version.encode()]) + b"\n"


def dump_parts(image: Image, version: str) -> Iterator[memoryview] | None:
    """The image as parts of at most ``PART_BYTES``, or None when it holds a value ``marshal``
    cannot write (then the workspace simply has no image)."""
    try:
        body = marshal.dumps(image, marshal.version)
    except ValueError:
        return None
    data = _header(version) + body
    del body
    view = memoryview(data)
    return (view[i : i + PART_BYTES] for i in range(0, len(data), PART_BYTES))


def load_parts(parts: Iterable[bytes], version: str) -> Image | None:
    """The image from its parts (in order), or None when it belongs to another Python or version."""
    data = b"".join(parts)
    header = _header(version)
    if not data.startswith(header):
        return None
    image: Image = marshal.loads(memoryview(data)[len(header) :])
    return image
