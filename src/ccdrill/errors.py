"""One root for every error a user can cause; each carries a translatable message.

Edges (CLI, web, API) turn a :class:`CcdrillError` into a located, translated
message and an exit code or HTTP status.  Nothing below the edges prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccdrill.i18n import t


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    msgid: str
    params: dict[str, object] = field(default_factory=dict)
    path: str = ""  # dotted field path, e.g. ``steps.2.role``
    file: str = ""
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def message(self, lang: str) -> str:
        return t(self.msgid, lang, **self.params)

    def format(self, lang: str) -> str:
        """``file:line:column: field.path: message`` — the form editors and CI understand."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.message(lang)}"


class CcdrillError(Exception):
    """Root of every error a user can cause. ``http_status`` guides the web edge."""

    http_status = 400
    exit_code = 2

    def __init__(self, msgid: str, /, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params

    def message(self, lang: str) -> str:
        return t(self.msgid, lang, **self.params)

    def __str__(self) -> str:  # English, for logs
        return self.message("en")


class NotFoundError(CcdrillError):
    http_status = 404


class ConflictError(CcdrillError):
    http_status = 409


class PermissionDenied(CcdrillError):
    http_status = 403


class TooLargeError(CcdrillError):
    http_status = 413


class InvalidInput(CcdrillError):
    """An input with one or more located problems."""

    http_status = 422

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Invalid input: {detail}", detail=len(problems))
        self.problems = problems

    def message(self, lang: str) -> str:
        return "\n".join(p.format(lang) for p in self.problems)
