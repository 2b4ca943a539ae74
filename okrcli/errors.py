"""Diagnostics, severities, exit codes and the one error type users see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from .frozen import quick


class ExitCode(IntEnum):
    """Process exit codes (SPEC 6, RELIABILITY)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM
    BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `okr export | head -1`


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@quick
@dataclass(frozen=True, slots=True)
class Loc:
    """Where a thing came from: a root-relative POSIX path and a 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1


@quick
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: `path:line:col: severity[rule]: message` (path is root-relative)."""

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str

    @classmethod
    def at(cls, loc: Loc, rule: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
        return cls(loc.path, loc.line, loc.column, severity, rule, message)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)


class OkrError(Exception):
    """An expected failure the CLI reports in one line with exit code 2 (or `code`)."""

    def __init__(self, message: str, hint: str | None = None, code: ExitCode = ExitCode.USAGE):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (every cleanup that runs for one runs for the other), exit 143."""
