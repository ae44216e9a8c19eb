"""The data dictionary, generated from the vocabulary (``python -m graph.datadoc``).

``data/README.md`` holds this text between the ``<!-- dictionary -->`` markers; a test fails
when it drifts from the model.
"""

from __future__ import annotations

import re
from pathlib import Path

from graph.vocabulary import (
    CATEGORY_HELP,
    ENTITY_KIND_HELP,
    REL_TYPES,
    SOURCE_KIND_HELP,
    STATUS_HELP,
    Category,
)

__all__ = ["dictionary_markdown", "update_readme"]

BEGIN, END = "<!-- dictionary -->", "<!-- /dictionary -->"


def dictionary_markdown() -> str:
    """Markdown tables of every entity kind, status, source kind, category and relationship type."""
    out = ["### Entity kinds", "", "| kind | meaning |", "|---|---|"]
    out += [f"| `{k.value}` | {h} |" for k, h in ENTITY_KIND_HELP.items()]
    out += ["", "### Statuses", "", "| status | meaning |", "|---|---|"]
    out += [f"| `{s.value}` | {h} |" for s, h in STATUS_HELP.items()]
    out += ["", "### Source kinds", "", "| kind | meaning |", "|---|---|"]
    out += [f"| `{s.value}` | {h} |" for s, h in SOURCE_KIND_HELP.items()]
    out += ["", "### Relationship types", ""]
    for cat in Category:
        out += [
            f"**{cat.value}** — {CATEGORY_HELP[cat]}",
            "",
            "| type | reads forward | reads backward | power | tie | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for t in REL_TYPES.values():
            if t.category == cat:
                out.append(
                    f"| `{t.name}` | {t.verb} | {t.reverse_verb} | {t.power or ''} | "
                    f"{'yes' if t.tie else ''} | {t.description} |"
                )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def update_readme(path: Path) -> bool:
    """Rewrite the dictionary block of ``path``; True when it changed."""
    text = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{dictionary_markdown()}{END}"
    new = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    changed = update_readme(Path(__file__).resolve().parent.parent / "data" / "README.md")
    print("data/README.md updated" if changed else "data/README.md already up to date")  # noqa: T201
