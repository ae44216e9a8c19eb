"""Limits every text field meets, whatever format it arrives in (CSV, YAML, JSON, the API).

One rule set, so that a value refused in one format is refused in all of them:

- no field holds more than ``MAX_FIELD_CHARS`` characters (CSV's reader is set to the same
  limit, so a long CSV cell and a long YAML value get the same answer);
- no field holds NUL or another C0/C1 control character, except tab, line feed and carriage
  return in free text (descriptions, notes, summaries);
- names, aliases, ids, URLs, roles and the other one-line fields hold no line break of any
  kind (``\\n``, ``\\r``, U+0085, U+2028, U+2029): a line break in a name is how an export's
  comment or a spreadsheet cell would be turned into code.

>>> check_text("Binance", multiline=False)
'Binance'
>>> check_text("Mallory\\nMATCH (n) DETACH DELETE n", multiline=False)
Traceback (most recent call last):
...
ValueError: line break (U+000A) at character 8: this field must be one line
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FREE_TEXT_FIELDS", "MAX_FIELD_CHARS", "check_text", "check_value", "tidy_value"]

#: Longest value of one field, in characters, in every input format.
MAX_FIELD_CHARS = 100_000
#: Fields that may span lines (tab, LF and CR allowed): prose, titles, attribute values.
FREE_TEXT_FIELDS = frozenset(
    {"description", "notes", "summary", "date_note", "title", "publisher", "attributes"}
)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_BREAK = re.compile("[\t\n\r\x85\u2028\u2029]")


def check_text(value: str, *, multiline: bool) -> str:
    """``value`` unchanged, or ``ValueError`` saying what is wrong and where."""
    if len(value) > MAX_FIELD_CHARS:
        msg = f"too long: {len(value):,} characters, at most {MAX_FIELD_CHARS:,}"
        raise ValueError(msg)
    m = _CONTROL.search(value)
    if m is not None:
        msg = f"control character U+{ord(m.group()):04X} at character {m.start() + 1}: not allowed"
        raise ValueError(msg)
    if not multiline:
        m = _BREAK.search(value)
        if m is not None:
            what = "tab" if m.group() == "\t" else "line break"
            msg = f"{what} (U+{ord(m.group()):04X}) at character {m.start() + 1}: this field must be one line"
            raise ValueError(msg)
    return value


def check_value(value: Any, field: str) -> Any:
    """Check every string in ``value`` (a string, or lists and maps of them) for ``field``."""
    multiline = field in FREE_TEXT_FIELDS
    if isinstance(value, str):
        check_text(value, multiline=multiline)
    elif isinstance(value, list):
        for item in value:
            check_value(item, field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(str(key), multiline=False)
            check_value(item, field)
    return value


_SPACES = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def tidy_value(value: Any, field: str) -> Any:
    """What an importer makes of third-party text before validation: line breaks and tabs in a
    one-line field become a space, other control characters go. (Curated ``data/`` files get no
    such help: there a stray control character is a mistake to report.)

    >>> tidy_value("ACME\\r\\nHOLDINGS\\x00", "name")
    'ACME HOLDINGS'
    """
    if isinstance(value, str):
        if field not in FREE_TEXT_FIELDS:
            value = _SPACES.sub(" ", value)
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [tidy_value(v, field) for v in value]
    if isinstance(value, dict):
        return {tidy_value(str(k), ""): tidy_value(v, field) for k, v in value.items()}
    return value
