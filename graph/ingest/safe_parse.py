"""Parsers that refuse hostile documents before they cost memory or time.

YAML (``SafeYamlLoader``): PyYAML's safe loader, plus

- only the plain tags (string, number, boolean, null, list, map): ``!!python/...`` and every
  other explicit tag is refused;
- at most ``MAX_ALIASES`` aliases (``*name``) per document, none that points into the list or
  map that contains it (a recursive alias), and at most ``MAX_ALIAS_NODES`` values copied by
  aliases in all ("billion laughs": a few hundred bytes that expand to gigabytes);
- at most ``MAX_DEPTH`` levels of nesting;
- no key twice in one map (YAML says keys are unique; PyYAML would keep the last one).

JSON (``loads_json``): the standard library's parser, with nesting limited to ``MAX_DEPTH`` and
duplicate keys refused.

Every refusal is a ``yaml.MarkedYAMLError`` or ``ValueError`` whose message and line say where.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.error import MarkedYAMLError

__all__ = [
    "MAX_ALIASES",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "JsonRefused",
    "SafeYamlLoader",
    "YamlRefused",
    "loads_json",
]

#: Deepest nesting of lists and maps in a data document (records need three or four levels).
MAX_DEPTH = 64
#: Most aliases (``*name``) in one YAML document.
MAX_ALIASES = 100
#: Most values that aliases may copy in one YAML document, counted as expanded.
MAX_ALIAS_NODES = 10_000

_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
)


class YamlRefused(MarkedYAMLError):
    """A YAML document that is well-formed but refused (a tag, an alias bomb, deep nesting)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _expanded(node: yaml.Node, cap: int) -> int:
    """How many values ``node`` stands for once aliases are copied out (stops counting at ``cap``)."""
    count, stack = 0, [node]
    while stack and count <= cap:
        n = stack.pop()
        count += 1
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.append(k)
                stack.append(v)
    return count


class SafeYamlLoader(yaml.SafeLoader):
    """Safe loader with the limits of this module; dates stay the strings that were typed."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._copied = 0
        self._open: set[str] = set()

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                msg = f"more than {MAX_ALIASES} aliases (*name) in one document"
                raise YamlRefused(msg, event.start_mark)
            if event.anchor in self._open:
                msg = f"alias *{event.anchor} points into the list or map that contains it"
                raise YamlRefused(msg, event.start_mark)
            node = super().compose_node(parent, index)
            if node is not None:
                self._copied += _expanded(node, MAX_ALIAS_NODES)
            if self._copied > MAX_ALIAS_NODES:
                msg = f"aliases copy more than {MAX_ALIAS_NODES:,} values (an alias bomb)"
                raise YamlRefused(msg, event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            msg = f"nested deeper than {MAX_DEPTH} levels"
            raise YamlRefused(msg, event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor:
                self._open.discard(anchor)
        if node is None:
            return None
        if node.tag not in _PLAIN_TAGS:
            msg = f"tag {node.tag!r} is not allowed: only plain strings, numbers, lists and maps"
            raise YamlRefused(msg, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, _value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        msg = f"key {key.value!r} appears twice in one record"
                        raise YamlRefused(msg, key.start_mark)
                    seen.add(key.value)
        return node


SafeYamlLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class JsonRefused(ValueError):
    """A JSON document that is refused; ``lineno`` is its line when known."""

    def __init__(self, msg: str, lineno: int | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.lineno = lineno


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            msg = f"key {key!r} appears twice in one object"
            raise JsonRefused(msg)
        out[key] = value
    return out


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            deepest = max(deepest, d)
            if d > MAX_DEPTH:
                return d
            stack.extend((item, d + 1) for item in v if isinstance(item, (list, dict)))
    return deepest


def loads_json(text: str | bytes) -> Any:
    """``json.loads`` with nesting and duplicate keys checked.

    Raises ``json.JSONDecodeError`` for broken JSON and ``JsonRefused`` for refused JSON.
    """
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        msg = f"nested deeper than {MAX_DEPTH} levels"
        raise JsonRefused(msg, 1) from None
    if _depth(value) > MAX_DEPTH:
        msg = f"nested deeper than {MAX_DEPTH} levels"
        raise JsonRefused(msg, 1)
    return value
