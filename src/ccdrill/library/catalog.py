"""The built-in library: plans, programmes, centre models and what-if effects shipped as YAML.

Files live under ``ccdrill/library/{plans,programmes,centres,effects}/*.yaml`` and are read
through :mod:`importlib.resources`, so the library works from a wheel or a zip as well as
from a source checkout.  Nothing is read or cached at import time: every call reads the
packaged files afresh (they are small).

Entry ids are meant to be unique across kinds; a file's id is its top-level ``id`` key
(falling back to the file name without ``.yaml``).  Should two kinds share an id, lookups
prefer plan, then programme, centre, effects, unless ``kind`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

import yaml

from ccdrill.errors import NotFoundError
from ccdrill.i18n import N_

__all__ = [
    "KINDS",
    "LibraryEntry",
    "UnknownEntry",
    "list_entries",
    "get_entry",
    "find_duplicates",
    "read_text",
    "load",
    "plans",
    "programmes",
]

Kind = Literal["plan", "programme", "centre", "effects", "rubric"]

# kind -> folder inside the package
KINDS: dict[str, str] = {
    "plan": "plans",
    "programme": "programmes",
    "centre": "centres",
    "effects": "effects",
    "rubric": "rubrics",
}

_PACKAGE = "ccdrill.library"


class UnknownEntry(NotFoundError, LookupError):
    """No library entry has this id."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(N_("No library entry “{id}”"), id=entry_id)
        self.entry_id = entry_id


@dataclass(frozen=True)
class LibraryEntry:
    kind: Kind
    id: str
    title: dict[str, str] = field(compare=False)
    resource: str  # path inside the package, e.g. "plans/network-failure.yaml"

    @property
    def filename(self) -> str:
        return self.resource.rsplit("/", 1)[-1]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str) -> Any:
    """Safe YAML (the C loader when libyaml is available: the same result, faster)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


def _root() -> Traversable:
    return resources.files(_PACKAGE)


def _yaml_files(folder: str) -> list[Traversable]:
    base = _root() / folder
    if not base.is_dir():
        return []
    return sorted(
        (f for f in base.iterdir() if f.is_file() and f.name.endswith(".yaml")), key=lambda f: f.name
    )


def _title(data: Any, fallback: str) -> dict[str, str]:
    title = data.get("title") if isinstance(data, dict) else None
    if title is None and isinstance(data, dict):
        title = data.get("name")
    if isinstance(title, str):
        return {"zh": title, "en": title}
    if isinstance(title, dict) and title.get("zh"):
        return {"zh": str(title["zh"]), "en": str(title.get("en") or title["zh"])}
    return {"zh": fallback, "en": fallback}


def list_entries(kind: Kind | None = None) -> list[LibraryEntry]:
    """Every packaged entry (optionally of one kind): plans, then programmes, centres, effects.

    Ids are meant to be unique across kinds (``find_duplicates`` lists any that are not;
    the library tests require it to be empty).
    """
    out: list[LibraryEntry] = []
    for k, folder in KINDS.items():
        if kind is not None and kind != k:
            continue
        for f in _yaml_files(folder):
            out.append(_entry(k, folder, f))  # type: ignore[arg-type]
    return out


def _entry(kind: Kind, folder: str, f: Traversable, data: Any = None) -> LibraryEntry:
    if data is None:
        data = _parse(f.read_text(encoding="utf-8"))
    stem = f.name[: -len(".yaml")]
    entry_id = str(data.get("id") or stem) if isinstance(data, dict) else stem
    return LibraryEntry(kind=kind, id=entry_id, title=_title(data, entry_id), resource=f"{folder}/{f.name}")


def find_duplicates() -> dict[str, list[str]]:
    """Ids used by more than one library file: id → resource paths."""
    seen: dict[str, list[str]] = {}
    for e in list_entries():
        seen.setdefault(e.id, []).append(e.resource)
    return {i: r for i, r in seen.items() if len(r) > 1}


def get_entry(entry_id: str, kind: Kind | None = None) -> LibraryEntry:
    """The entry with this id (of ``kind`` if given; else the first in plan, programme, centre, effects order)."""
    kinds = [kind] if kind is not None else list(KINDS)
    # Fast path: library files are named after their id.
    for k in kinds:
        folder = KINDS[k]
        f = _root() / folder / f"{entry_id}.yaml"
        if f.is_file():
            e = _entry(k, folder, f)
            if e.id == entry_id:
                return e
    for e in list_entries(kind):
        if e.id == entry_id:
            return e
    raise UnknownEntry(entry_id)


def _resource(entry: LibraryEntry) -> Traversable:
    folder, name = entry.resource.split("/", 1)
    return _root() / folder / name


def read_text(entry_id: str, kind: Kind | None = None) -> str:
    """The YAML text of an entry, exactly as shipped (for export and adaptation)."""
    return _resource(get_entry(entry_id, kind)).read_text(encoding="utf-8")


def load(entry_id: str, kind: Kind | None = None) -> Any:
    """The validated model of an entry (Plan, Programme, CentreModel, EffectsFile or Rubric)."""
    from ccdrill.formats.validate import model_class

    entry = get_entry(entry_id, kind)
    data = _parse(_resource(entry).read_text(encoding="utf-8"))
    return model_class(entry.kind).model_validate(data)


def plans() -> list[Any]:
    """Every library plan, validated."""
    return [load(e.id, "plan") for e in list_entries("plan")]


def programmes() -> list[Any]:
    """Every library programme, validated."""
    return [load(e.id, "programme") for e in list_entries("programme")]
