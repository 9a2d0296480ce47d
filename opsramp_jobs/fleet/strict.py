"""Read a fleet file's YAML or JSON so that nothing in it can silently merge or drop tenants.

Plain `yaml.safe_load` and `json.loads` keep the last of two equal keys, turn the keys `1`,
`yes` and `on` into numbers and booleans (which a later `str()` merges with `"1"` and `"True"`),
expand aliases (a 1 KB file with anchors six deep grew to 924 MB before it failed), and recurse
without a bound. Here every such document is refused, with the key's path, its line (YAML) and
the fix: duplicate keys, keys that are not strings, anchors, aliases and merge keys (`<<`),
nesting deeper than MAX_DEPTH, and files larger than MAX_BYTES (checked before parsing).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.model.problems import kind_of

__all__ = ["MAX_BYTES", "MAX_DEPTH", "DocumentError", "load_document"]

# A fleet of 1,000 tenants with their settings is about 0.3 MB.
MAX_BYTES = 2 * 1024 * 1024
# The deepest part of a fleet file, a job's script or schedule, is about 6 levels down.
MAX_DEPTH = 32
_MERGE_TAG = "tag:yaml.org,2002:merge"


class DocumentError(OpsRampJobsError, ValueError):
    """The document cannot be read safely; `problems` says where and how to fix it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Mapping(dict[Any, Any]):
    """A mapping as read, with what a dict cannot keep: each key's line and the repeated keys."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.repeated: list[tuple[Any, int | None]] = []
        self.problems: list[str] = []


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _kind(value: Any) -> str:
    """What YAML made of a scalar, in words."""
    return "a date" if isinstance(value, datetime.date) else kind_of(value)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors, aliases or merge keys, depth-bounded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Refuse an anchor or alias where it appears, before anything is built from it."""
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise DocumentError(
                [
                    f"line {event.start_mark.line + 1}: YAML anchors and aliases "
                    f"({sign}{event.anchor}) are not allowed in a fleet file: write the values "
                    "out, or put shared settings in `defaults` and shared jobs in `jobs`"
                ]
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise DocumentError(
                    [f"line {event.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels"]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        """A _Mapping that records repeated, merge and non-string keys instead of resolving them."""
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.tag}", node.start_mark
            )
        mapping = _Mapping()
        for key_node, value_node in node.value:
            line = _line(key_node)
            if key_node.tag == _MERGE_TAG:
                mapping.problems.append(
                    f"line {line}: YAML merge keys (<<) are not allowed in a fleet file: write "
                    "the keys out"
                )
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                # `1`, `yes`, `on`, `null`, `2026-01-01` as keys: never names, and str() of
                # them would merge `yes` with "True" and `1` with "1".
                spelled = key_node.value if isinstance(key_node, ScalarNode) else "..."
                mapping.problems.append(
                    f"line {line}: key {spelled} is read as {_kind(key)}, not as a name: quote it "
                    f'("{spelled}") if it is meant as one'
                )
                continue
            if key in mapping:
                mapping.repeated.append((key, line))
                continue
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.lines[key] = line
        return mapping


def _construct_map(loader: _StrictLoader, node: Node) -> dict[Any, Any]:
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _json_object(pairs: list[tuple[str, Any]]) -> _Mapping:
    mapping = _Mapping()
    for key, value in pairs:
        if key in mapping:
            mapping.repeated.append((key, None))
        else:
            mapping[key] = value
    return mapping


def _plain(value: Any, path: str, depth: int, problems: list[str]) -> Any:
    """`value` as plain dicts and lists; what _Mapping recorded becomes problems with paths."""
    if depth > MAX_DEPTH:
        problems.append(f"{path or '(top level)'}: nested deeper than {MAX_DEPTH} levels")
        return None
    if isinstance(value, list):
        return [_plain(item, f"{path}[{i}]", depth + 1, problems) for i, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    prefix = f"{path}." if path else ""
    if isinstance(value, _Mapping):
        problems.extend(f"{path or '(top level)'}: {problem}" for problem in value.problems)
        for key, line in value.repeated:
            first = value.lines.get(key)
            lines = f" (line {line}, first at line {first})" if line and first else ""
            problems.append(
                f"{prefix}{key}: duplicate key{lines}: the later one would silently replace the "
                "earlier one: remove or rename one of them"
            )
    return {
        key: _plain(item, prefix + str(key), depth + 1, problems) for key, item in value.items()
    }


def load_document(text: str, *, json_format: bool) -> Any:
    """The document in `text` as plain data; DocumentError lists every problem found."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise DocumentError(
            [f"{size:,} bytes: a fleet file may be at most {MAX_BYTES:,}; split the fleet"]
        )
    try:
        if json_format:
            raw = json.loads(text, object_pairs_hook=_json_object)
        else:
            raw = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: builds no objects
    except RecursionError:
        raise DocumentError([f"nested deeper than {MAX_DEPTH} levels"]) from None
    problems: list[str] = []
    plain = _plain(raw, "", 0, problems)
    if problems:
        raise DocumentError(problems)
    return plain
