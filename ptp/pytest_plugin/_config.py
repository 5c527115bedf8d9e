"""The run's configuration: read from the command line and the environment once, on the
controller, before collection; every problem is one short ``pytest.UsageError``."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from ptp.errors import ConfigError
from ptp.models import parse_spec


def record_mode(config: pytest.Config) -> str:
    """pytest-recording's mode; ``none`` (replay only) unless asked."""
    return config.getoption("--record-mode", default=None) or "none"


def is_live(config: pytest.Config) -> bool:
    """True when model calls really go out (recording, or recording disabled)."""
    return record_mode(config) != "none" or bool(
        config.getoption("--disable-recording", default=False)
    )


@dataclass(frozen=True)
class RunConfig:
    """What decides a run's cases and answers; two runs into one results dir must agree."""

    models: tuple[str, ...]
    epochs: int
    seed: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "models": list(self.models)}

    def differences(self, other: dict[str, Any]) -> list[str]:
        """``name: theirs -> ours`` for every field where ``other`` (a runs.jsonl row) differs."""
        ours = self.as_dict()
        theirs = {**other, "models": sorted(other.get("models") or [])}
        ours["models"] = sorted(ours["models"])  # the order of --ptp-model is no difference
        return [f"{k}: {theirs.get(k)!r} -> {v!r}" for k, v in ours.items() if theirs.get(k) != v]


def run_config(config: pytest.Config) -> RunConfig:
    """Validate the options and environment that shape the run.

    Raises:
        pytest.UsageError: naming the option or variable and the fix.
    """
    epochs = config.getoption("ptp_epochs")
    if epochs < 1:
        raise pytest.UsageError(f"--ptp-epochs {epochs}: must be >= 1 (the runs per case)")
    specs = tuple(config.getoption("ptp_model"))
    for spec in specs:
        try:
            parse_spec(spec)
        except (ConfigError, ValueError) as err:
            raise pytest.UsageError(f"--ptp-model {spec}: {err}") from None
    _check_environment()
    return RunConfig(models=specs, epochs=epochs, seed=config.getoption("ptp_seed"))


def _check_environment() -> None:
    """Environment variables that ptp reads: a bad value is reported once, naming it."""
    from ptp.models import default_timeout_s, local_port

    for name, check in (("PTP_LOCAL_PORT", local_port), ("PTP_TIMEOUT_S", default_timeout_s)):
        if name in os.environ:
            try:
                check()
            except (ConfigError, ValueError) as err:
                raise pytest.UsageError(f"{name}={os.environ[name]!r}: {err}") from None
