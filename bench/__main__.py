"""`python -m bench` / `make bench`: run the scenarios, print a table, write the results.

Never part of `make test`: the figures depend on the machine and on whatever else it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import delivery, plans_scale, report, session_calls, throughput, timers_load
from bench.harness import machine, production_logging

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
MARKDOWN = ROOT / "BENCHMARKS.md"
SCENARIOS: dict[str, ModuleType] = {
    "throughput": throughput,
    "plans": plans_scale,
    "delivery": delivery,
    "calls": session_calls,
    "timers": timers_load,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--quick",
        action="store_true",
        help="smaller sizes, about 90 s; writes nothing unless --write",
    )
    p.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(SCENARIOS)}")
    p.add_argument(
        "--write", action="store_true", help="write results.json and BENCHMARKS.md after --quick"
    )
    p.add_argument(
        "--report", action="store_true", help="only rewrite BENCHMARKS.md from results.json"
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the working directory (databases, logs)"
    )
    return p


def versions() -> dict[str, str]:
    found = {"sqlite": sqlite3.sqlite_version}
    for name in ("python-telegram-bot", "sqlite-utils", "APScheduler", "aiolimiter"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "?"
    return found


def _errors_logged(workdir: Path) -> int:
    count = 0
    for log in workdir.rglob("*.log"):
        with log.open(encoding="utf-8", errors="replace") as lines:
            count += sum(1 for line in lines if " ERROR " in line or " CRITICAL " in line)
    return count


async def run_all(names: list[str], quick: bool, workdir: Path) -> list[dict[str, Any]]:
    done = []
    for name in names:
        print(f"· {name} …", flush=True)
        started = time.perf_counter()
        result = await SCENARIOS[name].run(quick, workdir / name)
        result.seconds = time.perf_counter() - started
        print(f"  done in {result.seconds:.1f} s", flush=True)
        done.append(result.as_json())
    return done


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.report:
        write_markdown(json.loads(RESULTS.read_text(encoding="utf-8")))
        print(f"wrote {MARKDOWN.relative_to(ROOT)} from {RESULTS.relative_to(ROOT)}")
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    info = machine()
    print(
        f"hipcoach benchmarks{' (quick)' if args.quick else ''}: {info['cores']} cores, "
        f"Python {info['python']}, load average {info['load_average_at_start']}"
    )
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="hipcoach-bench-"))
    try:
        for name in names:
            (workdir / name).mkdir(parents=True, exist_ok=True)
        with production_logging(workdir / "bot.log"):
            scenarios = asyncio.run(run_all(names, args.quick, workdir))
        errors = _errors_logged(workdir)
    finally:
        if args.keep:
            print(f"working directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results: dict[str, Any] = {
        "quick": args.quick,
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": time.perf_counter() - started,
        "machine": info,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "versions": versions(),
        "bot_errors_logged": errors,
        "scenarios": scenarios,
    }
    print()
    print(report.table(scenarios))
    print(f"\n{results['seconds']:.0f} s in all; bot errors logged: {errors}")
    if args.quick and not args.write:
        print("quick run: results.json and BENCHMARKS.md left as they were (add --write)")
        return 0
    merged = _merge(results, names)
    RESULTS.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_markdown(merged)
    print(f"wrote {RESULTS.relative_to(ROOT)} and {MARKDOWN.relative_to(ROOT)}")
    return 0


def write_markdown(results: dict[str, Any]) -> None:
    """BENCHMARKS.md from results (each scenario explains its own figures)."""
    analyses = {
        s["key"]: SCENARIOS[s["key"]].analysis(s)
        for s in results["scenarios"]
        if s["key"] in SCENARIOS
    }
    MARKDOWN.write_text(report.markdown(results, analyses), encoding="utf-8")


def _merge(results: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """With --only, keep the other scenarios' earlier figures (each says when it ran)."""
    for s in results["scenarios"]:
        s["measured_at"] = results["finished_at"]
    if set(names) == set(SCENARIOS) or not RESULTS.exists():
        return results
    try:
        old = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return results
    fresh = {s["key"] for s in results["scenarios"]}
    kept = [s for s in old.get("scenarios", []) if s["key"] not in fresh]
    order = list(SCENARIOS)
    results["scenarios"] = sorted(
        results["scenarios"] + kept,
        key=lambda s: order.index(s["key"]) if s["key"] in order else 99,
    )
    return results


if __name__ == "__main__":
    sys.exit(main())
