"""The ``ptp`` command: serve the embedded model, generate task fixtures, render reports."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


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


def _airline(args: argparse.Namespace) -> Path:
    from ptp.tasks.airline import write_fixtures

    return write_fixtures(args.out, args.n, args.seed, args.complexity, args.style)


def _knapsack(args: argparse.Namespace) -> Path:
    from ptp.tasks.knapsack import write_fixtures

    return write_fixtures(args.out, args.n, args.seed, args.difficulty)


FAMILIES: dict[str, Callable[[argparse.Namespace], Path]] = {
    "airline": _airline,
    "knapsack": _knapsack,
}


def _generate(args: argparse.Namespace) -> int:
    path = FAMILIES[args.family](args)
    print(f"wrote {path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from ptp.report import terminal_table, write_reports

    summary = write_reports(Path(args.dir), n_resamples=args.resamples, seed=args.seed)
    print(terminal_table(summary))
    print(f"wrote summary.json, tables.tex, summary.md, accuracy_vs_cost.png in {args.dir}")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ptp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run an embedded model's OpenAI-compatible server")
    serve.add_argument("spec", help="e.g. local:gemma-3-270m")
    serve.add_argument("--threads", type=int, default=None, help="default: all cores")
    serve.add_argument("--log", type=Path, default=None, help="server log file")
    serve.set_defaults(run=_serve)

    tasks = sub.add_parser("tasks", help="task fixtures").add_subparsers(
        dest="action", required=True
    )
    gen = tasks.add_parser("generate", help="write seeded task instances as JSONL fixtures")
    gen.add_argument("--family", choices=sorted(FAMILIES), required=True)
    gen.add_argument("--n", type=int, required=True, help="number of tasks")
    gen.add_argument("--seed", type=int, required=True)
    gen.add_argument("--out", type=Path, required=True, help="output directory")
    gen.add_argument("--complexity", type=int, default=0, help="airline: 0/1/2 (4/7/10 bags)")
    gen.add_argument("--style", default="template", choices=["template", "paraphrase"])
    gen.add_argument("--difficulty", default="easy", help="knapsack: easy or medium")
    gen.set_defaults(run=_generate)

    report = sub.add_parser("report", help="re-render tables and plots from results.jsonl")
    report.add_argument("dir")
    compare = sub.add_parser("compare", help="pair two result sets by task id")
    compare.add_argument("a")
    compare.add_argument("b")
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


def main(argv: Sequence[str] | None = None) -> int:
    args: Any = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError, RuntimeError) as err:
        print(f"ptp: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
