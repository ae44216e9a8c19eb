"""Readable sentences for relationships, built from the vocabulary's verbs.

The rules that keep a sentence from misleading:

- a role belongs to the relationship's *source* (``eric-trump family_of donald-trump, son``: Eric
  is the son), whichever way the hop is read;
- a type whose target did not act (``barred_from``: the bar is a plea term, not an act of the firm)
  is always read from its source;
- an open-ended lasting fact says ``since <start>, last checked <date>``, never a bare present tense;
- talks nobody confirmed read ``reported, unconfirmed``, with the denials;
- a fact with one source says so, and an amount credited against another says it must not be added.
"""

from __future__ import annotations

from graph.model import Relationship
from graph.vocabulary import REL_TYPES

__all__ = ["date_phrase", "is_credited", "sentence", "status_phrase"]

#: Types read from the source whichever way the hop is walked: the target is not the actor.
FIXED_READING = frozenset({"barred_from"})
#: Types whose ``reported`` status means talks or claims that nobody on record confirmed.
UNCONFIRMED_WHEN_REPORTED = frozenset({"in_talks_with"})
#: Phrases in notes that mark an amount credited against another (see data/README.md).
CREDIT_MARKERS = ("credited against", "credit the", "not in addition to", "must not be added")


def date_phrase(
    start: str | None, end: str | None, last_checked: str | None = None, *, lasting: bool = False
) -> str:
    """``2017-07 – 2023-11-21``, ``since 2024-05, last checked 2025-09``, ``until 2023-11-21`` or ``""``.

    >>> date_phrase("2024-05", None, "2025-09", lasting=True)
    'since 2024-05, last checked 2025-09'
    >>> date_phrase("2023-11-21", None, "2025-09")
    '2023-11-21'
    """
    if start and end:
        return f"{start} – {end}" if start != end else start
    if start:
        if not lasting:
            return start
        return f"since {start}, last checked {last_checked}" if last_checked else f"since {start}"
    if end:
        return f"until {end}"
    if lasting and last_checked:
        return f"last checked {last_checked}"
    return ""


def _amount(rel: Relationship) -> str:
    if rel.amount is None:
        return ""
    value = int(rel.amount) if float(rel.amount).is_integer() else rel.amount
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return f"{rel.currency or ''} {text}".strip()


def is_credited(rel: Relationship) -> bool:
    """True when the amount was credited against another one, so the two must not be added."""
    notes = (rel.notes or "").lower()
    return rel.amount is not None and any(m in notes for m in CREDIT_MARKERS)


def status_phrase(rel: Relationship) -> str:
    """``""`` for confirmed, else the status (``reported, unconfirmed`` for unconfirmed talks)."""
    status = rel.status.value if hasattr(rel.status, "value") else str(rel.status)
    if status == "confirmed":
        return ""
    if status == "reported" and rel.type in UNCONFIRMED_WHEN_REPORTED:
        return "reported, unconfirmed"
    return status


def _clause(rel: Relationship, forward: bool, names: dict[str, str]) -> tuple[str, str | None]:
    """The main clause and, when the role could not go in it, a role detail."""
    t = REL_TYPES[rel.type]
    src, tgt = names.get(rel.source, rel.source), names.get(rel.target, rel.target)
    role = rel.role
    if rel.type == "family_of" and role:
        return (f"{src} is the {role} of {tgt}" if forward else f"{tgt}'s {role} is {src}"), None
    if rel.type in FIXED_READING:
        return f"{src} {t.verb} {tgt}", role
    a, b = (src, tgt) if forward else (tgt, src)
    verb = t.verb if forward or t.symmetric else t.reverse_verb
    text = f"{a} {verb} {b}"
    if not role:
        return text, None
    if t.symmetric:
        # both sides read alike, so name the side the role belongs to
        return text, f"{src} as {role}"
    return f"{text} as {role}", None


def sentence(
    rel: Relationship,
    forward: bool,
    names: dict[str, str],
    markers: str = "",
) -> str:
    """One sentence for a relationship, read in the direction it is walked.

    >>> from graph.model import Relationship
    >>> r = Relationship(id="r1", source="cz", target="bn", type="founded", start="2017",
    ...                  status="confirmed", sources=["s1", "s2"])
    >>> sentence(r, True, {"cz": "Changpeng Zhao", "bn": "Binance"}, "[1]")
    'Changpeng Zhao founded Binance (2017) [1].'
    >>> sentence(r, False, {"cz": "Changpeng Zhao", "bn": "Binance"})
    'Binance was founded by Changpeng Zhao (2017).'
    """
    t = REL_TYPES[rel.type]
    text, role_detail = _clause(rel, forward, names)
    details = [role_detail] if role_detail else []
    details += [
        p for p in (date_phrase(rel.start, rel.end, rel.last_checked, lasting=t.lasting), _amount(rel)) if p
    ]
    if is_credited(rel):
        details.append("credited against other penalties: do not add up")
    status = status_phrase(rel)
    if status:
        details.append(status)
    if rel.denied_by:
        details.append("denied by " + ", ".join(names.get(d, d) for d in rel.denied_by))
    if len(set(rel.sources)) == 1:
        details.append("single source")
    if details:
        text += f" ({'; '.join(details)})"
    if markers:
        text += f" {markers}"
    return text + "."
