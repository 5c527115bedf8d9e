"""Agentic dataset generation (ADF): scenario items run by a teacher pool (with failover),
judged by their environments, validated, reviewed and refined, and the accepted teacher
conversations written as training data with ``ptp.data``'s writer.

    config = ptp.adf.load_config("adf.yaml")
    summary = ptp.adf.run_adf(config, "runs/adf-1")     # resumable
    print(ptp.adf.report("runs/adf-1"))
"""

from ptp.adf._config import AdfConfig, EndpointConfig, PoolConfig, ReviewFlow, load_config
from ptp.adf._item import Flow, ItemRow, RoundRecord, example_of, process_item
from ptp.adf._language import LanguagePolicy, detect, language_problems
from ptp.adf._pool import Attempt, ModelPool, PoolExhaustedError, Refusal, is_refusal
from ptp.adf._prompt import Context, build_context
from ptp.adf._report import Agreement, agreement, report
from ptp.adf._review import Review, reviewer_for, run_review
from ptp.adf._run import ITEMS_FILE, RunSummary, read_items, run_adf, scenario_tasks
from ptp.adf._trace import ScenarioTrace, normalize, render_transcript
from ptp.adf._validate import validate

__all__ = [
    "ITEMS_FILE",
    "AdfConfig",
    "Agreement",
    "Attempt",
    "Context",
    "EndpointConfig",
    "Flow",
    "ItemRow",
    "LanguagePolicy",
    "ModelPool",
    "PoolConfig",
    "PoolExhaustedError",
    "Refusal",
    "Review",
    "ReviewFlow",
    "RoundRecord",
    "RunSummary",
    "ScenarioTrace",
    "agreement",
    "build_context",
    "detect",
    "example_of",
    "is_refusal",
    "language_problems",
    "load_config",
    "normalize",
    "process_item",
    "read_items",
    "render_transcript",
    "report",
    "reviewer_for",
    "run_adf",
    "run_review",
    "scenario_tasks",
    "validate",
]
