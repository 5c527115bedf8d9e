"""ptp's error types: the root :class:`PtpError` and the public classes for bad configuration,
model specs, cassettes, results and task files (model-client errors derive from it too). Each
message names the file, the field and the fix.

    try:
        records = read_results("results/run-1")
    except ptp.errors.ResultsFileError as err:
        print(err)   # results/run-1/results.jsonl:12: field 'score': ...; fix or delete that line
"""

from __future__ import annotations


class PtpError(Exception):
    """Root of every error ptp raises on purpose."""


class ConfigError(PtpError, ValueError):
    """A run's configuration (a command-line option, an environment variable) is invalid."""


class SpecError(ConfigError):
    """A model spec is malformed or names an unknown provider."""


class CassetteFileError(PtpError, ValueError):
    """A cassette file is unreadable or incomplete; the message names it and the fix."""


class ResultsFileError(PtpError, ValueError):
    """A results file is malformed; the message names the file, the line and the field."""


class TaskDataError(PtpError, ValueError):
    """A task fixture or benchmark file is malformed; the message names file, line and field."""


__all__ = [
    "CassetteFileError",
    "ConfigError",
    "PtpError",
    "ResultsFileError",
    "SpecError",
    "TaskDataError",
]
