"""The reasoning family through the family protocol and the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptp.errors import ConfigError
from ptp.results import Score
from ptp.tasks import Family, TaskFileError, get_family
from ptp.tasks.reasoning import DATASETS, FAMILY, ReasoningDataError, shipped_questions


def test_registered() -> None:
    assert get_family("reasoning") is FAMILY and isinstance(FAMILY, Family)


@pytest.mark.parametrize("dataset", DATASETS)
def test_protocol(dataset: str, tmp_path: Path) -> None:
    tasks = FAMILY.generate(5, 3, dataset=dataset)
    assert [type(t) for t in tasks] == [FAMILY.task_type] * 5
    assert set(tasks) <= set(shipped_questions(dataset))
    assert FAMILY.generate(3, 3, dataset=dataset) == tasks[:3]  # prefixes per seed
    assert FAMILY.generate(12, 4, dataset=dataset) != FAMILY.generate(12, 3, dataset=dataset)
    for task in tasks:
        verdict = FAMILY.score(FAMILY.reference(task), task)
        assert isinstance(verdict, Score) and verdict.correct and verdict.value == 1.0
        assert FAMILY.prompt(task) and FAMILY.tools(task) == []
        assert FAMILY.environment(task).outcome("x") == "x"
    path = FAMILY.write_fixtures(tmp_path / "new", 5, 3, dataset=dataset)
    assert path.name == f"reasoning-{dataset}-test.jsonl"
    assert FAMILY.read_fixtures(path) == tasks


def test_declared_parameters_and_solvers() -> None:
    assert FAMILY.generate(2, 1) == FAMILY.generate(2, 1, dataset="gsm8k", split="test")
    assert FAMILY.exact_solver == "reference" and set(FAMILY.caps) < set(FAMILY.solvers)
    assert issubclass(FAMILY.data_error, TaskFileError) and FAMILY.data_error is ReasoningDataError
    with pytest.raises(ConfigError, match="reasoning: no parameter 'colour'"):
        FAMILY.generate(1, 1, colour="red")
    with pytest.raises(ValueError, match="gsm8k test has 12 shipped questions; ask for 0 to 12"):
        FAMILY.generate(13, 1)


def test_a_written_fixture_with_a_bad_line(tmp_path: Path) -> None:
    path = FAMILY.write_fixtures(tmp_path, 2, 1, dataset="anli")
    first, second = path.read_text(encoding="utf-8").splitlines()
    path.write_text(first + "\n" + second.replace('"anli"', '"squad"') + "\n", encoding="utf-8")
    with pytest.raises(ReasoningDataError) as caught:
        FAMILY.read_fixtures(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: field 'dataset': ")
    assert "or regenerate the file with ptp tasks generate --family reasoning" in message
