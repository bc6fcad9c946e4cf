"""Turning a YAML file into a validated model — or into every problem it has, located.

``parse_document`` is the one way files enter ccdrill (CLI, web upload, library):
read safely (:mod:`ccdrill.formats.yamlio`), validate types with Pydantic, then
the cross-checks of :mod:`ccdrill.domain.checks`; all problems are collected and
raised together as :class:`~ccdrill.errors.InvalidInput`.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ccdrill.domain.checks import PlanResolver, check_plan, check_programme
from ccdrill.errors import InvalidInput, Problem
from ccdrill.formats.yamlio import MAX_BYTES, Positions, dotted, read_yaml
from ccdrill.i18n import N_, catalogue

# kind → (module, class name). Imported when first needed.
KINDS: dict[str, tuple[str, str]] = {
    "plan": ("ccdrill.domain.plan", "Plan"),
    "programme": ("ccdrill.domain.programme", "Programme"),
    "centre": ("ccdrill.twin.model", "CentreModel"),
    "effects": ("ccdrill.twin.effects", "EffectsFile"),
    "rubric": ("ccdrill.domain.rubric", "Rubric"),
}


def model_class(kind: str) -> type[BaseModel]:
    module, name = KINDS[kind]
    return getattr(importlib.import_module(module), name)


# Pydantic error type → message id; {placeholders} come from the error's context.
_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("Unknown key {key}; check its spelling or remove it."),
    "string_type": N_("Expected text."),
    "int_type": N_("Expected a whole number."),
    "int_parsing": N_("Expected a whole number."),
    "int_from_float": N_("Expected a whole number."),
    "float_type": N_("Expected a number."),
    "float_parsing": N_("Expected a number."),
    "finite_number": N_("Expected a finite number."),
    "bool_type": N_("Expected true or false."),
    "bool_parsing": N_("Expected true or false."),
    "list_type": N_("Expected a list."),
    "dict_type": N_("Expected a mapping of keys to values."),
    "model_type": N_("Expected a mapping of keys to values."),
    "model_attributes_type": N_("Expected a mapping of keys to values."),
    "literal_error": N_("Expected one of: {expected}."),
    "enum": N_("Expected one of: {expected}."),
    "string_too_short": N_("Must not be empty."),
    "string_too_long": N_("Too long: at most {max_length} characters."),
    "too_short": N_("Needs at least {min_length} item(s)."),
    "too_long": N_("Too many items: at most {max_length}."),
    "greater_than": N_("Must be greater than {gt}."),
    "greater_than_equal": N_("Must be at least {ge}."),
    "less_than": N_("Must be less than {lt}."),
    "less_than_equal": N_("Must be at most {le}."),
    "date_type": N_("Expected a date such as 2023-10-25."),
    "date_parsing": N_("Expected a date such as 2023-10-25."),
    "date_from_datetime_parsing": N_("Expected a date such as 2023-10-25."),
    "date_from_datetime_inexact": N_("Expected a date such as 2023-10-25."),
    "union_tag_invalid": N_("Unknown type {tag}; expected one of: {expected_tags}."),
    "union_tag_not_found": N_("Missing the key {discriminator}."),
    "frozen_instance": N_("This value cannot be changed."),
}
_ID_MESSAGE = N_("Expected a lower-case id: letters, digits, - and _ (e.g. network-failure).")


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Pydantic's location, less the steps that are not in the data (union tags, validator names)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and len(loc) and part == loc[-1]:
            path.append(part)  # a missing or unknown key: keep its name
            node = None
    return tuple(path)


def _custom_msgid(msg: str, ctx: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Recover the message id of a custom error from its formatted text."""
    cat = catalogue("zh")
    if msg in cat:
        return msg, {}
    if ctx:
        for msgid in cat:
            if "{" in msgid:
                try:
                    if msgid.format(**ctx) == msg:
                        return msgid, ctx
                except (KeyError, IndexError, ValueError):
                    continue
    return msg, {}


def pydantic_problems(exc: ValidationError, data: Any, positions: Positions, filename: str) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        etype = err["type"]
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
        path = _data_path(tuple(err["loc"]), data)
        if etype == "extra_forbidden":
            msgid, params = _MESSAGES[etype], {"key": path[-1] if path else "?"}
        elif etype == "string_pattern_mismatch" and "a-z0-9" in str(ctx.get("pattern", "")):
            msgid, params = _ID_MESSAGE, {}
        elif etype == "literal_error":
            # Pydantic says "'a', 'b' or 'c'" in English; list the choices without its words.
            choices = re.split(r",\s*|\s+or\s+", str(ctx.get("expected", "")).replace("'", ""))
            msgid, params = _MESSAGES[etype], {"expected": ", ".join(c for c in choices if c)}
        elif etype in _MESSAGES:
            msgid, params = _MESSAGES[etype], ctx
        else:
            text = str(err.get("msg", ""))
            if etype == "value_error" and text.startswith("Value error, "):
                text = text[len("Value error, "):]
            if etype == "assertion_error" and text.startswith("Assertion failed, "):
                text = text[len("Assertion failed, "):]
            msgid, params = _custom_msgid(text, ctx)
        where = positions.locate(path, key=etype == "extra_forbidden")
        problems.append(Problem(msgid, params, path=dotted(path), file=filename,
                                line=where[0] if where else None, column=where[1] if where else None))
    return problems


def _located(findings: list[tuple[tuple[str | int, ...], str, dict[str, object]]], positions: Positions,
             filename: str) -> list[Problem]:
    out = []
    for path, msgid, params in findings:
        where = positions.locate(path)
        out.append(Problem(msgid, params, path=dotted(path), file=filename,
                           line=where[0] if where else None, column=where[1] if where else None))
    return out


def parse_document(
    data: bytes | str,
    *,
    filename: str = "<input>",
    lang: str = "zh",
    expected_kind: str | None = None,
    resolve_plan: PlanResolver | None = None,
) -> BaseModel:
    """A validated Plan / Programme / CentreModel / EffectsFile, or ``InvalidInput`` with every problem."""
    del lang  # problems are translated where they are shown
    value, positions = read_yaml(data, filename)
    if not isinstance(value, dict):
        raise InvalidInput([Problem("The file must be a mapping of keys to values (key: value).",
                                    file=filename, line=1, column=1)])
    kind = value.get("kind", expected_kind)
    if kind not in KINDS:
        where = positions.locate(("kind",)) or (1, 1)
        raise InvalidInput([Problem("Unknown kind {kind}; expected one of: {kinds}.",
                                    {"kind": kind if kind is not None else "—", "kinds": ", ".join(KINDS)},
                                    path="kind", file=filename, line=where[0], column=where[1])])
    if expected_kind and kind != expected_kind:
        where = positions.locate(("kind",)) or (1, 1)
        raise InvalidInput([Problem("Expected a {expected} file, but this is a {kind} file.",
                                    {"expected": expected_kind, "kind": kind},
                                    path="kind", file=filename, line=where[0], column=where[1])])
    cls = model_class(kind)
    problems: list[Problem] = []
    model = None
    try:
        model = cls.model_validate(value)
    except ValidationError as exc:
        problems += pydantic_problems(exc, value, positions, filename)
    if kind == "plan":
        problems += _located(check_plan(value), positions, filename)
    elif kind == "programme":
        problems += _located(check_programme(value, resolve_plan), positions, filename)
    if problems:
        # One problem per place and message, in file order.
        unique = {(p.line, p.column, p.path, p.msgid, tuple(sorted(map(str, p.params.items())))): p for p in problems}
        raise InvalidInput(sorted(unique.values(), key=lambda p: (p.line or 0, p.column or 0)))
    assert model is not None
    return model


def load_document(path: str | Path, **kwargs: Any) -> BaseModel:
    """Read and validate a file from disk (refusing huge files before reading them)."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InvalidInput([Problem("The file is {size} MB; the limit is {limit} MB.",
                                        {"size": round(size / 1048576, 1), "limit": MAX_BYTES // 1048576}, file=name)])
        data = p.read_bytes()
    except IsADirectoryError:
        raise InvalidInput([Problem("{file} is a folder, not a file.", {"file": name}, file=name)]) from None
    except FileNotFoundError:
        raise InvalidInput([Problem("File not found: {file}", {"file": name}, file=name)]) from None
    except PermissionError:
        raise InvalidInput([Problem("Cannot read {file}: permission denied.", {"file": name}, file=name)]) from None
    return parse_document(data, filename=name, **kwargs)


def peek_plan_data(data: bytes | str, filename: str = "<input>") -> dict[str, Any] | None:
    """The raw data of a file if it is a plan (for resolving references between files), else None."""
    try:
        value, _ = read_yaml(data, filename)
    except InvalidInput:
        return None
    return value if isinstance(value, dict) and value.get("kind") == "plan" else None
