"""What changed between two versions of a plan or programme, field by field (pure).

``diff(a, b)`` compares canonical JSON content (``model_dump(mode="json",
by_alias=True, exclude_none=True)``).  Lists of objects that carry an ``id``
(steps, roles, phases …) or a ``seq`` (injects) are matched by that key, not by
position: inserting a step gives one ``added`` change, and a step that keeps its
content but changes its place gives one ``moved`` change.  Bilingual texts are
objects ``{zh, en}``, so a changed text shows as ``title.zh`` / ``title.en``.
The top-level ``version`` is ignored: it is what differs by definition.

Paths read like ``steps[report].target_minutes``, ``injects[seq=3].title``,
``objectives[2].en`` (positions in lists without keys count from 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed", "moved"]
IGNORED_TOP_LEVEL = frozenset({"version"})
_KEYS = ("id", "seq")


@dataclass(frozen=True)
class Change:
    """One difference. For ``moved``, ``old``/``new`` are the 1-based positions."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None


def diff(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Every change that turns content ``a`` into content ``b``, in document order."""
    out: list[Change] = []
    _dict(
        "",
        {k: v for k, v in a.items() if k not in IGNORED_TOP_LEVEL},
        {k: v for k, v in b.items() if k not in IGNORED_TOP_LEVEL},
        out,
    )
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _value(path: str, a: Any, b: Any, out: list[Change]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        _dict(path, a, b, out)
    elif isinstance(a, list) and isinstance(b, list):
        _list(path, a, b, out)
    elif a != b:
        out.append(Change(path, "changed", a, b))


def _dict(path: str, a: dict[str, Any], b: dict[str, Any], out: list[Change]) -> None:
    keys = list(a) + [k for k in b if k not in a]
    for key in keys:
        sub = _join(path, key)
        if key not in b:
            out.append(Change(sub, "removed", a[key], None))
        elif key not in a:
            out.append(Change(sub, "added", None, b[key]))
        else:
            _value(sub, a[key], b[key], out)


def _list_key(a: list[Any], b: list[Any]) -> str | None:
    """The key items are matched by, if every item of both lists has a distinct one."""
    items = a + b
    if not items or not all(isinstance(x, dict) for x in items):
        return None
    for key in _KEYS:
        if all(key in x for x in items):
            ka, kb = [x[key] for x in a], [x[key] for x in b]
            if len(set(map(_hashable, ka))) == len(ka) and len(set(map(_hashable, kb))) == len(kb):
                return key
    return None


def _hashable(v: Any) -> Any:
    return json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v


def _item_path(path: str, key: str, value: Any) -> str:
    return f"{path}[{value}]" if key == "id" else f"{path}[{key}={value}]"


def _list(path: str, a: list[Any], b: list[Any], out: list[Change]) -> None:
    if a == b:
        return
    key = _list_key(a, b)
    if key is not None:
        _keyed(path, key, a, b, out)
    elif all(not isinstance(x, (dict, list)) for x in a + b):
        # Lists of plain values (step dependencies, role ids …) read best whole.
        out.append(Change(path, "changed", a, b))
    else:
        _positional(path, a, b, out)


def _keyed(path: str, key: str, a: list[dict], b: list[dict], out: list[Change]) -> None:
    by_a = {_hashable(x[key]): x for x in a}
    by_b = {_hashable(x[key]): x for x in b}
    order_a = [_hashable(x[key]) for x in a if _hashable(x[key]) in by_b]
    order_b = [_hashable(x[key]) for x in b if _hashable(x[key]) in by_a]
    stay = set(_lcs(order_a, order_b))
    pos_a = {_hashable(x[key]): i for i, x in enumerate(a, 1)}
    pos_b = {_hashable(x[key]): i for i, x in enumerate(b, 1)}
    # Walk the new order, putting removed items where they used to be.
    for x in a:
        k = _hashable(x[key])
        if k not in by_b:
            out.append(Change(_item_path(path, key, x[key]), "removed", x, None))
    for x in b:
        k = _hashable(x[key])
        sub = _item_path(path, key, x[key])
        if k not in by_a:
            out.append(Change(sub, "added", None, x))
            continue
        if k not in stay:
            out.append(Change(sub, "moved", pos_a[k], pos_b[k]))
        _dict(sub, by_a[k], x, out)


def _lcs(a: list[Any], b: list[Any]) -> list[Any]:
    """Longest common subsequence of two lists of distinct keys (what kept its relative order)."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    out, i, j = [], 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.append(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _positional(path: str, a: list[Any], b: list[Any], out: list[Change]) -> None:
    sa = [_hashable(x) for x in a]
    sb = [_hashable(x) for x in b]
    for op, i1, i2, j1, j2 in SequenceMatcher(a=sa, b=sb, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        # A replaced run is compared item by item (an edited text shows as ``[2].en``);
        # what is left over was removed or added.
        for i, j in zip(range(i1, i1 + paired), range(j1, j1 + paired), strict=True):
            _value(f"{path}[{j + 1}]", a[i], b[j], out)
        for i in range(i1 + paired, i2):
            out.append(Change(f"{path}[{i + 1}]", "removed", a[i], None))
        for j in range(j1 + paired, j2):
            out.append(Change(f"{path}[{j + 1}]", "added", None, b[j]))
