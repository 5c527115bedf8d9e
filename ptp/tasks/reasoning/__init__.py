"""Multi-style chain-of-thought on eight reasoning datasets, with robust answer checking and
correct-only logs.

>>> task = shipped_questions("gsm8k")[0]
>>> score(task.gold_answer, task).correct
True

The family protocol (``FAMILY``, also ``ptp.tasks.get_family("reasoning")``): one solver per
reasoning style (:data:`STYLES`) plus ``reference`` (the gold answer);
``FAMILY.solvers["plan_then_solve"](task, model)`` then ``FAMILY.score(result.answer, task)``.
Runs over every style: :func:`run_questions`. Oracle over styles: ``python -m
ptp.tasks.reasoning RESULTS``.
"""

from ._answers import Check, answer_text, check_answer, extract_answer, score
from ._extract import final_answer_text, json_answer, last_boxed, marked_answer
from ._family import FAMILY, FIXTURES, NoTools, shipped_questions
from ._judge import Verdict, review, review_reasoning
from ._labels import read_choice, read_nli, read_yes_no
from ._load import SPLITS, dataset_file, load_dataset, normalize_gold
from ._mathcheck import DEFAULT_TIMEOUT_S, MathVerdict, math_equal, normalize_latex
from ._numbers import Number, exact_number, numbers_equal, parse_number
from ._oracle import OracleRow, oracle_markdown, oracle_rows
from ._prompts import ANSWER_RULES, core_prompt
from ._runs import (
    CORRECT_ONLY_FILE,
    ENRICHED_FILE,
    QuestionRun,
    RunFiles,
    correct_only_record,
    enriched_records,
    run_question,
    run_questions,
    write_dataset,
    write_jsonl_atomic,
)
from ._schema import (
    DATASETS,
    KINDS,
    NLI_LABELS,
    AnswerKind,
    Choices,
    ReasoningDataError,
    ReasoningTask,
    answer_kind,
)
from ._solve import CAPS, SOLVERS, StyleReply, ask_style, ptool_for, reply_type, style_ptool
from ._styles import STYLES, Style
from ._timeout import CheckTimeout, time_limit

__all__ = [
    "ANSWER_RULES",
    "CAPS",
    "CORRECT_ONLY_FILE",
    "DATASETS",
    "DEFAULT_TIMEOUT_S",
    "ENRICHED_FILE",
    "FAMILY",
    "FIXTURES",
    "KINDS",
    "NLI_LABELS",
    "SOLVERS",
    "SPLITS",
    "STYLES",
    "AnswerKind",
    "Check",
    "CheckTimeout",
    "Choices",
    "MathVerdict",
    "NoTools",
    "Number",
    "OracleRow",
    "QuestionRun",
    "ReasoningDataError",
    "ReasoningTask",
    "RunFiles",
    "Style",
    "StyleReply",
    "Verdict",
    "answer_kind",
    "answer_text",
    "ask_style",
    "check_answer",
    "core_prompt",
    "correct_only_record",
    "dataset_file",
    "enriched_records",
    "exact_number",
    "extract_answer",
    "final_answer_text",
    "json_answer",
    "last_boxed",
    "load_dataset",
    "marked_answer",
    "math_equal",
    "normalize_gold",
    "normalize_latex",
    "numbers_equal",
    "oracle_markdown",
    "oracle_rows",
    "parse_number",
    "ptool_for",
    "read_choice",
    "read_nli",
    "read_yes_no",
    "reply_type",
    "review",
    "review_reasoning",
    "run_question",
    "run_questions",
    "score",
    "shipped_questions",
    "style_ptool",
    "time_limit",
    "write_dataset",
    "write_jsonl_atomic",
]
