"""Readable sentences for relationships, built from the vocabulary's verbs."""

from __future__ import annotations

from graph.model import Relationship
from graph.vocabulary import REL_TYPES

__all__ = ["date_phrase", "sentence"]


def date_phrase(start: str | None, end: str | None) -> str:
    """``(2017)``, ``(2017-07 – 2023-11-21)``, ``(until 2023-11-21)`` or ``""``."""
    if start and end:
        return f"{start} – {end}" if start != end else start
    if start:
        return start
    if end:
        return f"until {end}"
    return ""


def _amount(rel: Relationship) -> str:
    if rel.amount is None:
        return ""
    value = int(rel.amount) if float(rel.amount).is_integer() else rel.amount
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return f"{rel.currency or ''} {text}".strip()


def sentence(
    rel: Relationship,
    forward: bool,
    names: dict[str, str],
    markers: str = "",
) -> str:
    """One sentence for a relationship, read in the direction it is walked.

    >>> from graph.model import Relationship
    >>> r = Relationship(id="r1", source="cz", target="bn", type="founded", start="2017",
    ...                  status="confirmed", sources=["s1"])
    >>> sentence(r, True, {"cz": "Changpeng Zhao", "bn": "Binance"}, "[1]")
    'Changpeng Zhao founded Binance (2017) [1].'
    >>> sentence(r, False, {"cz": "Changpeng Zhao", "bn": "Binance"})
    'Binance was founded by Changpeng Zhao (2017).'
    """
    t = REL_TYPES[rel.type]
    a, b = (rel.source, rel.target) if forward else (rel.target, rel.source)
    verb = t.verb if forward or t.symmetric else t.reverse_verb
    text = f"{names.get(a, a)} {verb} {names.get(b, b)}"
    if rel.role:
        text += f" as {rel.role}"
    details = [p for p in (date_phrase(rel.start, rel.end), _amount(rel)) if p]
    status = rel.status.value if hasattr(rel.status, "value") else str(rel.status)
    if status != "confirmed":
        details.append(status)
    if rel.denied_by:
        details.append("denied by " + ", ".join(names.get(d, d) for d in rel.denied_by))
    if details:
        text += f" ({'; '.join(details)})"
    if markers:
        text += f" {markers}"
    return text + "."
