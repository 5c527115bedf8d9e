"""``ptp tasks generate``: every family through the registry, byte-identical fixtures, no
overwrite without --force, nothing left behind on failure, one message shape."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ptp.cli import main
from ptp.tasks import families

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
# "ptp: error: <file or option>: <what>; <fix>", one line
SHAPE = re.compile(r"^ptp: error: \S+( \S+)?: [^;\n]+; [^\n]+\n$")


def _readme_commands() -> list[list[str]]:
    text = (FIXTURES / "README.md").read_text(encoding="utf-8")
    return [
        shlex.split(line.strip())[1:]  # drop "ptp"
        for line in text.splitlines()
        if line.strip().startswith("ptp tasks generate ")
    ]


def _with_out(argv: list[str], out: Path) -> list[str]:
    argv = list(argv)
    argv[argv.index("--out") + 1] = str(out)
    return argv


COMMANDS = _readme_commands()


def test_readme_lists_a_command_for_every_shipped_fixture(tmp_path: Path, capsys) -> None:
    for argv in COMMANDS:
        out = tmp_path / Path(argv[argv.index("--out") + 1]).relative_to("fixtures")
        assert main(_with_out(argv, out)) == 0
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.glob("*/*.jsonl"))
    shipped = sorted(p.relative_to(FIXTURES) for p in FIXTURES.glob("*/*.jsonl"))
    # RuleArena's own problems are written by a one-liner the README shows (checked in
    # test_airline_rulearena.py), not by `ptp tasks generate`.
    copied = [p for p in shipped if p.name.endswith("-rulearena.jsonl")]
    assert written == [p for p in shipped if p not in copied]
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert all(f"`fixtures/{p.as_posix()}`" in readme for p in copied)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: "-".join(a[3:9:2]))
def test_shipped_fixtures_regenerate_byte_for_byte(argv: list[str], tmp_path: Path, capsys) -> None:
    shipped_dir = ROOT / argv[argv.index("--out") + 1]
    assert main(_with_out(argv, tmp_path)) == 0
    written = Path(capsys.readouterr().out.removeprefix("wrote ").strip())
    assert written.parent == tmp_path
    assert written.read_bytes() == (shipped_dir / written.name).read_bytes()


@pytest.mark.parametrize("argv", [COMMANDS[0], COMMANDS[-1]], ids=["airline", "knapsack"])
def test_refuses_to_overwrite_without_force(argv: list[str], tmp_path: Path, capsys) -> None:
    assert main(_with_out(argv, tmp_path)) == 0
    path = Path(capsys.readouterr().out.removeprefix("wrote ").strip())
    original = path.read_bytes()
    path.write_text("edited\n", encoding="utf-8")
    assert main(_with_out(argv, tmp_path)) == 1
    err = capsys.readouterr().err
    assert SHAPE.match(err), err
    assert err.startswith(f"ptp: error: {path}: already exists; pass --force to overwrite it")
    assert path.read_text(encoding="utf-8") == "edited\n"
    assert main([*_with_out(argv, tmp_path), "--force"]) == 0
    assert path.read_bytes() == original


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--family", "airline", "--complexity", "5"], "--complexity 5: not one of 0, 1, 2"),
        (["--family", "airline", "--complexity", "x"], "--complexity x: not one of 0, 1, 2"),
        (["--family", "knapsack", "--difficulty", "hard"], "--difficulty hard: not one of easy"),
        (["--family", "knapsack", "--style", "template"], "--style: not an option of family"),
        (["--family", "airline", "--difficulty", "easy"], "--difficulty: not an option of family"),
        (["--family", "knapsack", "--n", "5000"], "knapsack-easy.jsonl: n must be in [0, 1000]"),
        (["--family", "airline", "--n", "-1"], "airline-c0-template.jsonl: n must be >= 0"),
    ],
)
def test_errors_share_one_shape_and_leave_nothing_behind(
    argv: list[str], message: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "new" / "folder"
    base = ["tasks", "generate", "--n", "2", "--seed", "1", "--out", str(out)]
    assert main([*base, *argv]) == 1
    err = capsys.readouterr().err
    assert SHAPE.match(err), err
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_family_options_come_from_the_registry(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["tasks", "generate", "--help"])
    text = capsys.readouterr().out
    for family in families().values():
        assert family.name in text
        for param in family.params:
            assert f"--{param.name}" in text
    assert "--force" in text
