"""Careful wording for conflict-of-interest matches: each hop's status and kind of evidence.

A chain is only as strong as its weakest hop, so the explanation names every hop's status and the
kinds of its sources, flags hops that rest on a single source or are only ``reported``, and labels a
match whose power hop rests only on a party's own statement.
"""

from __future__ import annotations

from collections import Counter

from graph.model import Hop, Path
from graph.vocabulary import SourceKind

__all__ = ["chain_wording", "power_rests_on_own_claim"]


def _kinds(hop: Hop) -> str:
    counts = Counter(s.kind.value.replace("_", " ") for s in hop.citations)
    return ", ".join(f"{k}" if n == 1 else f"{k} ×{n}" for k, n in sorted(counts.items())) or "no source"


def power_rests_on_own_claim(hop: Hop) -> bool:
    """True when every source of the hop is a party's own statement (no court, agency or press)."""
    return bool(hop.citations) and all(s.kind == SourceKind.COMPANY_STATEMENT for s in hop.citations)


def _numbers(idx: list[int]) -> str:
    words = [str(i) for i in idx]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def chain_wording(path: Path, power_index: int | None) -> str:
    """Hop-by-hop status and evidence, then the cautions the chain calls for."""
    parts = []
    single, soft = [], []
    for i, hop in enumerate(path.hops, start=1):
        rel = hop.relationship
        status = rel.status.value if hasattr(rel.status, "value") else str(rel.status)
        primary = any(s.is_primary for s in hop.citations)
        parts.append(
            f"hop {i} ({rel.type.replace('_', ' ')}): {status}, "
            f"{len(set(rel.sources))} source{'s' if len(set(rel.sources)) != 1 else ''} ({_kinds(hop)})"
            + ("" if primary else ", no primary record")
        )
        if len(set(rel.sources)) == 1:
            single.append(i)
        if status != "confirmed":
            soft.append(i)
    text = "Evidence: " + "; ".join(parts) + "."
    if single:
        text += f" Hop{'s' if len(single) > 1 else ''} {_numbers(single)} rest{'s' if len(single) == 1 else ''} on a single source."
    if soft:
        text += (
            f" Hop{'s' if len(soft) > 1 else ''} {_numbers(soft)} {'is' if len(soft) == 1 else 'are'} "
            "not confirmed by a primary record, so the chain is no stronger than that."
        )
    if power_index is not None and power_rests_on_own_claim(path.hops[power_index]):
        text += " The power hop rests only on one party's own claim."
    return text
