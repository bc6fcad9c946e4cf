"""Reading YAML safely, remembering where every value stood.

``read_yaml`` returns plain Python data plus a :class:`Positions` map from field
paths to ``(line, column)``, so a problem found later — by Pydantic or by a
cross-check — can be reported as ``file:line:column``.  It refuses, with a
located :class:`~ccdrill.errors.Problem`, what would hurt: files too large,
bytes that are not UTF-8, alias bombs, duplicate keys, non-string keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ccdrill.errors import InvalidInput, Problem

MAX_BYTES = 2 * 1024 * 1024  # a programme with a thousand injects is ~300 kB
MAX_NODES = 200_000  # values after alias expansion; stops "billion laughs"
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]


@dataclass
class Positions:
    """Field path → (line, column), both 1-based."""

    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int, int] | None:
        """Where ``path`` stood; for a path that does not exist, the nearest parent."""
        if key and path in self.keys:
            return self.keys[path]
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), None)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.positions = Positions()
        self.count = 0
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()

    def problem(self, node: Node, msgid: str, path: PathKey, **params: object) -> None:
        line, col = _mark(node)
        self.problems.append(
            Problem(msgid, params, path=dotted(path), file=self.filename, line=line, column=col)
        )

    def build(self, node: Node, path: PathKey, depth: int) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Abort(node, "The file expands to more than {limit} values (an alias bomb?).", limit=MAX_NODES)
        if depth > MAX_DEPTH:
            raise _Abort(node, "The file nests deeper than {limit} levels.", limit=MAX_DEPTH)
        self.positions.values.setdefault(path, _mark(node))
        if isinstance(node, ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except yaml.YAMLError:
                self.problem(node, "This value cannot be read: {value}", path, value=node.value[:80])
                return None
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: dict[str, object] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problem(key_node, "Merge keys (<<) are not supported; write the fields out.", path)
                    continue
                if isinstance(key_node, ScalarNode) and key_node.tag == "tag:yaml.org,2002:bool":
                    # YAML 1.1 reads the key ``on`` (or yes/no) as a boolean; a key is a name.
                    key: object = key_node.value
                else:
                    key = self.build(key_node, (*path, "<key>"), depth + 1)
                if isinstance(key, bool) or not isinstance(key, str | int):
                    self.problem(key_node, "A key must be a plain name, not {value}.", path, value=repr(key)[:40])
                    continue
                key = str(key)
                if key in out:
                    self.problem(key_node, "Duplicate key {key}.", (*path, key), key=key)
                    continue
                self.positions.keys[(*path, key)] = _mark(key_node)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        raise _Abort(node, "Unsupported YAML construct.")


class _Abort(Exception):
    def __init__(self, node: Node, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.node, self.msgid, self.params = node, msgid, params


def dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path)


def decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) text, or a located problem at the first bad byte."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            [Problem("The file is {size} MB; the limit is {limit} MB.", {"size": round(len(data) / 1048576, 1),
                                                                          "limit": MAX_BYTES // 1048576}, file=filename)]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InvalidInput(
            [Problem("The file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8.",
                     {"byte": data[exc.start]}, file=filename, line=line, column=column)]
        ) from None
    if "\x00" in text:
        raise InvalidInput([Problem("The file contains NUL characters; it is not a text file.", file=filename)])
    return text


# What the YAML parser says (in English) → what to fix, in the user's language.
_SYNTAX = (
    ("mapping values are not allowed", "YAML syntax error: a colon here starts a new key; quote the text or fix the indentation."),
    ("could not find expected ':'", "YAML syntax error: a key is missing its colon (key: value)."),
    ("that cannot start any token", "YAML syntax error: a character here cannot start a value (tabs cannot indent YAML; use spaces)."),
    ("expected ',' or '}'", "YAML syntax error: a {…} mapping is not closed, or its items are not separated by commas."),
    ("expected ',' or ']'", "YAML syntax error: a […] list is not closed, or its items are not separated by commas."),
    ("found undefined alias", "YAML syntax error: an alias (*name) refers to an anchor (&name) that does not exist."),
    ("found unexpected end of stream", "YAML syntax error: the file ends inside a quoted text or a bracket; close it."),
    ("did not find expected key", "YAML syntax error: the indentation here does not line up with the keys above."),
    ("expected <block end>", "YAML syntax error: the indentation here does not line up with the keys above."),
)


def _syntax_message(exc: yaml.MarkedYAMLError) -> tuple[str, dict[str, object]]:
    problem = exc.problem or exc.context or "?"
    for needle, msgid in _SYNTAX:
        if needle in problem:
            return msgid, {}
    return "YAML syntax error: {detail}", {"detail": problem}


def read_yaml(data: bytes | str, filename: str = "<input>") -> tuple[object, Positions]:
    """Parse one YAML document into plain data and the positions of its values."""
    text = decode(data, filename) if isinstance(data, bytes) else data
    if len(text.encode("utf-8")) > MAX_BYTES:
        return read_yaml(text.encode("utf-8"), filename)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msgid, params = _syntax_message(exc)
        raise InvalidInput(
            [Problem(msgid, params, file=filename,
                     line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)]
        ) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Problem("YAML syntax error: {detail}", {"detail": str(exc)[:200]}, file=filename)]) from None
    except RecursionError:
        raise InvalidInput([Problem("The file nests deeper than {limit} levels.", {"limit": MAX_DEPTH},
                                    file=filename)]) from None
    if root is None:
        raise InvalidInput([Problem("The file is empty.", file=filename, line=1, column=1)])
    builder = _Builder(filename)
    try:
        value = builder.build(root, (), 0)
    except _Abort as exc:
        line, col = _mark(exc.node)
        raise InvalidInput([Problem(exc.msgid, exc.params, file=filename, line=line, column=col)]) from None
    if builder.problems:
        raise InvalidInput(builder.problems)
    return value, builder.positions
