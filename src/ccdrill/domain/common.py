"""Small value types shared by plans and programmes: bilingual text, clock times, references."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, description="lower-case id: letters, digits, - and _")]


class Strict(BaseModel):
    """Base of every file model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(Strict):
    """A text in Simplified Chinese and English. ``en`` falls back to ``zh`` when absent."""

    zh: str = Field(min_length=1, max_length=20_000)
    en: str | None = Field(None, max_length=20_000)

    @model_validator(mode="before")
    @classmethod
    def _from_plain(cls, data: Any) -> Any:
        # A plain string is taken as the Chinese text.
        if isinstance(data, str):
            return {"zh": data}
        return data

    def get(self, lang: str) -> str:
        if lang == "en" and self.en:
            return self.en
        return self.zh


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::00)?$")
_OFFSET = re.compile(r"^T\+(\d{1,2}):([0-5]\d)$")


def _parse_clock(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        # YAML 1.1 reads 09:10 (unquoted) as a sexagesimal integer: 9*60+10.
        return time(value // 60, value % 60)
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m:
            return time(int(m.group(1)), int(m.group(2)))
    raise PydanticCustomError("clock_time", 'expected a clock time such as "09:30"')


ClockTime = Annotated[
    time, BeforeValidator(_parse_clock), PlainSerializer(lambda v: clock_str(v), return_type=str, when_used="json")
]


def minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def clock_str(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


class DrillTime(Strict):
    """When an inject fires: a clock time ("09:10") or an offset from the drill start ("T+00:20")."""

    clock: ClockTime | None = None
    offset_minutes: int | None = Field(None, ge=0, le=24 * 60)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"clock": data}
        if isinstance(data, str):
            s = data.strip()
            m = _OFFSET.match(s)
            if m:
                return {"offset_minutes": int(m.group(1)) * 60 + int(m.group(2))}
            if _CLOCK.match(s):
                return {"clock": s}
            raise PydanticCustomError("drill_time", 'expected a clock time "09:10" or an offset "T+00:20"')
        return data

    @model_validator(mode="after")
    def _one(self) -> DrillTime:
        if (self.clock is None) == (self.offset_minutes is None):
            raise PydanticCustomError("drill_time", 'expected a clock time "09:10" or an offset "T+00:20"')
        return self

    def minutes_from(self, start: time) -> int:
        """Minutes after the drill start ``start``."""
        if self.offset_minutes is not None:
            return self.offset_minutes
        assert self.clock is not None
        return minutes_of(self.clock) - minutes_of(start)

    def label(self) -> str:
        if self.offset_minutes is not None:
            return f"T+{self.offset_minutes // 60:02d}:{self.offset_minutes % 60:02d}"
        assert self.clock is not None
        return clock_str(self.clock)


_REF = re.compile(r"^([a-z0-9][a-z0-9_-]{0,63})(?:@([1-9]\d{0,5}))?$")


class Ref(Strict):
    """A reference to a stored plan: ``id`` (latest version) or ``id@version``."""

    id: str
    version: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, str):
            m = _REF.match(data.strip())
            if not m:
                raise PydanticCustomError("plan_ref", 'expected a plan reference "id@version", e.g. "network-failure@1"')
            return {"id": m.group(1), "version": int(m.group(2)) if m.group(2) else None}
        return data

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}@{self.version}"
