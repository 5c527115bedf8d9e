"""The ``ptp`` command: serve the embedded model, generate task fixtures, render reports."""

from __future__ import annotations

import argparse
import signal
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ptp.errors import PtpError


def _serve(args: argparse.Namespace) -> int:
    from ptp.models import LocalServer, parse_spec

    spec = parse_spec(args.spec)
    if spec.provider != "local":
        print(
            f"ptp serve runs the embedded models only (local:...), not {args.spec}", file=sys.stderr
        )
        return 2
    server = LocalServer(spec, threads=args.threads, log=args.log)
    server.start()
    print(f"serving {spec.spec} at {server.base_url} (OpenAI-compatible); Ctrl-C stops it")
    # Ctrl-C and SIGTERM both stop cleanly, even when started in the background (which
    # would otherwise leave SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
        print("the server exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        print("stopped")


def _generate(args: argparse.Namespace) -> int:
    """``ptp tasks generate``: any registered family, its options built from its params."""
    from ptp.errors import ConfigError
    from ptp.tasks import FixtureExistsError, get_family

    family = get_family(args.family)
    declared = {p.name: p for p in family.params}
    given = {n: v for n, v in vars(args).items() if n in args.family_params and v is not None}
    for name in given:
        if name not in declared:
            options = ", ".join(f"--{p}" for p in declared) or "none"
            raise ConfigError(
                f"--{name}: not an option of family {family.name}; drop it (its options: {options})"
            )
    params = {name: declared[name].parse(value) for name, value in given.items()}
    path = family.fixture_path(args.out, **params)
    try:
        family.write_fixtures(args.out, args.n, args.seed, overwrite=args.force, **params)
    except FixtureExistsError:
        raise ConfigError(
            f"{path}: already exists; pass --force to overwrite it (the shipped fixtures are "
            "what the cassettes were recorded on)"
        ) from None
    except ValueError as err:  # the generator refused an argument (n, seed, ...)
        if isinstance(err, PtpError):
            raise
        raise ConfigError(f"{path}: {err}; nothing was written") from err
    print(f"wrote {path}")
    return 0


def _add_generate(tasks: Any) -> None:
    from ptp.tasks import families

    registry = families()
    gen = tasks.add_parser(
        "generate",
        help="write seeded task instances as JSONL fixtures",
        description="Write seeded task instances as JSONL fixtures. The family options below "
        "are declared by the families (each says which family takes it).",
    )
    gen.add_argument("--family", choices=list(registry), required=True)
    gen.add_argument("--n", type=int, required=True, help="number of tasks")
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument("--out", type=Path, required=True, help="output directory")
    gen.add_argument("--force", action="store_true", help="overwrite the fixture file if it exists")
    helps: dict[str, list[str]] = {}
    for family in registry.values():
        for param in family.params:
            default = f" (default {param.default})"
            helps.setdefault(param.name, []).append(param.help + default)
    for name, texts in helps.items():
        gen.add_argument(f"--{name}", default=None, help="; ".join(texts))
    gen.set_defaults(run=_generate, family_params=tuple(helps))


def _report(args: argparse.Namespace) -> int:
    from ptp.report import load_summary, readme_markdown, terminal_table, write_reports

    if args.markdown:
        summary = load_summary(Path(args.dir), n_resamples=args.resamples, seed=args.seed)
        print(readme_markdown(summary), end="")
        return 0
    files = write_reports(Path(args.dir), n_resamples=args.resamples, seed=args.seed)
    print(terminal_table(files.summary))
    print(f"wrote {', '.join(p.name for p in files.paths)} in {args.dir}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from ptp.report import compare_runs, compare_table

    result = compare_runs(Path(args.a), Path(args.b), n_resamples=args.resamples, seed=args.seed)
    print(compare_table(result))
    return 0


def _table(args: argparse.Namespace) -> int:
    from ptp.report import load_table_spec, render_main_table

    spec_path = Path(args.spec)
    latex, markdown = render_main_table(
        load_table_spec(spec_path),
        base_dir=spec_path.parent,
        n_resamples=args.resamples,
        seed=args.seed,
    )
    print(markdown)
    if args.latex:
        Path(args.latex).write_text(latex, encoding="utf-8")
        print(f"wrote {args.latex}")
    return 0


def _distill(args: argparse.Namespace) -> int:
    from ptp.distill import distill

    if args.validate and not args.tasks:
        raise ValueError(
            "--validate needs --tasks FILE: the fixture file(s) of the traces' tasks (and of "
            "held-out tasks), as ptp tasks generate writes them"
        )
    out = Path(args.out)
    result = distill(
        args.traces, args.family, teacher=args.teacher, threshold=args.threshold,
        min_traces=args.min_traces, source_level=args.level,
    )  # fmt: skip
    if out.exists() and out.read_text(encoding="utf-8") != result.source and not args.force:
        raise ValueError(
            f"{out} exists and differs from the new workflow; pass --force to replace it "
            "(git diff shows what changed)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.source, encoding="utf-8")
    plan = result.plan
    print(f"{result.selection.summary()}; {len(plan.on_path)} on the canonical path")
    for step in plan.steps:
        args_ = ", ".join(f"{a}={e.render()}" for a, e in step.args.items())
        print(f"  [{step.place}] {step.var} = {step.tool}({args_})")
    print(f"  answer = {plan.answer.render()}")
    print(f"wrote {out} in {result.seconds:.2f} s")
    return _validate_distilled(args, result, out) if args.validate else 0


def _validate_distilled(args: argparse.Namespace, result: Any, out: Path) -> int:
    """Stage 4 for ``ptp distill --validate``: 1 when a training answer on the mined path
    is not reproduced."""
    from ptp.distill import load_workflow, validate
    from ptp.tasks import get_family

    family = get_family(args.family)
    tasks = [task for path in args.tasks for task in family.read_fixtures(path)]
    check = validate(load_workflow(out), result.plan, args.family, list(result.selection.kept),
                     tasks, teacher=result.selection.teacher, level=args.level)  # fmt: skip
    print("\n".join(check.summary()))
    return 1 if check.lost else 0


def _data_export(args: argparse.Namespace) -> int:
    from ptp.data import export, held_out_by

    manifest = export(
        args.results, args.out, fmt=args.format, min_score=args.min_score,
        held_out=held_out_by(args.held_out, args.held_out_fraction, args.split_seed),
        teacher=args.teacher, ptools=args.ptool, shard_rows=args.shard_rows,
        near_threshold=None if args.near_threshold <= 0 else args.near_threshold,
    )  # fmt: skip
    dropped = ", ".join(f"{n} {why}" for why, n in manifest.dropped.items()) or "none"
    splits = ", ".join(f"{n} {split}" for split, n in manifest.splits.items()) or "none"
    print(f"{args.out}: {manifest.rows} examples ({splits}) in {len(manifest.shards)} "
          f"{manifest.format} shard(s); dropped: {dropped}; see manifest.json")  # fmt: skip
    return 0


def _adf_run(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from ptp.adf import load_config, run_adf
    from ptp.models import LocalServer, is_healthy, parse_spec

    config = load_config(args.config)
    specs = {e.spec for pool in (config.teacher_pool, config.reviewer_pool) for e in pool.endpoints}
    with ExitStack() as servers:
        for spec in sorted(specs):  # the embedded models' servers, unless already running
            parsed = parse_spec(spec) if "{" not in spec else None
            local = parsed is not None and parsed.provider == "local" and parsed.base_url
            if parsed is not None and local and not is_healthy(str(parsed.base_url)):
                print(f"starting {spec} at {parsed.base_url}")
                servers.enter_context(LocalServer(parsed).start())
        summary = run_adf(config, args.out, progress=not args.quiet)
    print(
        f"{args.out}: {summary.items} items, {summary.accepted} accepted and "
        f"{summary.discarded} discarded in this call ({summary.recovered} recovered), "
        f"{summary.accepted_per_min:g} accepted/min; ptp adf report {args.out}"
    )
    return 0


def _adf_report(args: argparse.Namespace) -> int:
    from ptp.adf import report

    print(report(args.folder, qa=args.qa, plot=not args.no_plot, seed=args.seed))
    return 0


def _add_adf(sub: Any) -> None:
    adf = sub.add_parser("adf", help="agentic dataset generation").add_subparsers(
        dest="adf_command", required=True
    )
    run = adf.add_parser("run", help="run (or resume) a dataset configuration")
    run.add_argument("config", help="the YAML configuration (see ptp.adf.AdfConfig)")
    run.add_argument("--out", required=True, help="the run folder (resumed when it exists)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(run=_adf_run)
    rep = adf.add_parser("report", help="coverage, acceptance, reviewer agreement, QA sample")
    rep.add_argument("folder", metavar="RUN", help="a run folder")
    rep.add_argument("--qa", type=int, default=3, help="transcripts to show")
    rep.add_argument("--seed", type=int, default=0, help="which transcripts")
    rep.add_argument("--no-plot", action="store_true")
    rep.set_defaults(run=_adf_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ptp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run an embedded model's OpenAI-compatible server")
    serve.add_argument(
        "spec",
        help="local:gemma-3-270m (port PTP_LOCAL_PORT, default 8765) or local:smollm2-135m "
        "(PTP_LOCAL_PORT + 1)",
    )
    serve.add_argument("--threads", type=int, default=None, help="default: all cores")
    serve.add_argument("--log", type=Path, default=None, help="server log file")
    serve.set_defaults(run=_serve)

    tasks = sub.add_parser("tasks", help="task fixtures").add_subparsers(
        dest="action", required=True
    )
    _add_generate(tasks)

    report = sub.add_parser("report", help="re-render tables and plots from results.jsonl")
    report.add_argument("dir")
    report.add_argument(
        "--markdown",
        action="store_true",
        help="print the README's per-suite markdown tables only; write nothing",
    )
    compare = sub.add_parser("compare", help="pair two result sets by task id")
    compare.add_argument("a")
    compare.add_argument("b")
    dist = sub.add_parser("distill", help="mine agent traces into an L1 workflow module")
    dist.add_argument("traces", help="a results dir (results.jsonl + traces/) or a .jsonl file")
    dist.add_argument("--family", required=True, help="the task family, e.g. airline")
    dist.add_argument("--out", required=True, help="the module to write")
    dist.add_argument("--teacher", default=None, help="keep this model's traces only")
    dist.add_argument("--threshold", type=float, default=1.0, help="minimum score kept")
    dist.add_argument("--min-traces", type=int, default=10, help="refuse below this many")
    dist.add_argument(
        "--level", default="L3", help="the family solver the traces came from (the fallback)"
    )
    dist.add_argument("--force", action="store_true", help="replace a different --out file")
    dist.add_argument(
        "--validate", action="store_true",
        help="run the written workflow with exact ptools on --tasks: training tasks must "
        "reproduce their traces' answers (exit 1 if not); others are held-out",
    )  # fmt: skip
    dist.add_argument(
        "--tasks", nargs="+", default=[], metavar="FILE",
        help="fixture files of training and held-out tasks, for --validate",
    )  # fmt: skip
    dist.set_defaults(run=_distill)
    data = sub.add_parser("data", help="training sets from traces").add_subparsers(
        dest="data_command", required=True
    )
    exp = data.add_parser("export", help="results dirs -> chat examples (JSONL or Parquet shards)")
    exp.add_argument("results", nargs="+", help="results dirs written with --ptp-results")
    exp.add_argument("--out", required=True, help="the dataset folder (appended to if it exists)")
    exp.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    exp.add_argument("--min-score", type=float, default=1.0, help="rows below are left out")
    exp.add_argument("--teacher", default=None, help="keep this model's rows only")
    exp.add_argument("--ptool", action="append", default=[], help="keep this ptool's calls only")
    exp.add_argument(
        "--held-out", action="append", default=[], metavar="GLOB",
        help="task ids matching this glob go to the held_out split (e.g. '*-s7-*')",
    )  # fmt: skip
    exp.add_argument("--held-out-fraction", type=float, default=0.0, help="by a hash of the task")
    exp.add_argument("--split-seed", type=int, default=0)
    exp.add_argument("--shard-rows", type=int, default=1000)
    exp.add_argument("--near-threshold", type=float, default=0.9, help="0 turns it off")
    exp.set_defaults(run=_data_export)
    _add_adf(sub)
    table = sub.add_parser("table", help="render a main table laid out by a JSON spec")
    table.add_argument("spec")
    table.add_argument("--latex", default=None, help="also write the LaTeX table here")
    for p, run in ((report, _report), (compare, _compare)):
        p.add_argument("--resamples", type=int, default=5000)
        p.add_argument("--seed", type=int, default=0)
        p.set_defaults(run=run)
    # None: the spec file's own n_resamples and seed apply unless given here.
    table.add_argument("--resamples", type=int, default=None)
    table.add_argument("--seed", type=int, default=None)
    table.set_defaults(run=_table)
    return parser


def _warn(message: Warning | str, *_: Any, **__: Any) -> None:
    print(f"ptp: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args: Any = build_parser().parse_args(argv)
    warnings.showwarning = _warn  # e.g. a damaged results line that was skipped, with its line
    try:
        return args.run(args)
    except (PtpError, ValueError, OSError, RuntimeError) as err:
        print(f"ptp: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
