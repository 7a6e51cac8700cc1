"""Turning scenario results into the printed table, bench/results.json and BENCHMARKS.md."""

from __future__ import annotations

from typing import Any

MARK = {True: "✓", False: "✗ missed", None: ""}


def _shown(figure: dict[str, Any]) -> str:
    value, unit = figure["value"], figure["unit"]
    if value is None:
        return "n/a"
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        digits = 3 if abs(value) < 1 else 2 if abs(value) < 100 else 0
        text = f"{value:,.{digits}f}"
    return f"{text} {unit}".strip()


def _cell(value: Any) -> str:
    """A cell of an extra table: numbers as in the figures, None as n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return _shown({"value": value, "unit": ""})


def table(scenarios: list[dict[str, Any]]) -> str:
    """A plain-text table for the terminal."""
    rows = [("scenario", "figure", "value", "goal", "")]
    for s in scenarios:
        for f in s["figures"]:
            rows.append((s["title"], f["name"], _shown(f), f["goal"], MARK[f["met"]]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(results: dict[str, Any], analyses: dict[str, str]) -> str:
    """BENCHMARKS.md: the goals first, then each scenario's setup, figures and analysis."""
    m = results["machine"]
    when = sorted({s.get("measured_at", results["finished_at"]) for s in results["scenarios"]})
    spent = sum(s["seconds"] for s in results["scenarios"])
    out = [
        "# hipcoach benchmarks",
        "",
        "What one hipcoach process can carry, measured against the fake Telegram Bot API in "
        "`bot/sandbox/` with a baseline in the same run. Written by `make bench` "
        "(`python -m bench`); the figures below are from the run described here, not "
        "hand-edited. Goals come from issues 7 and 15.",
        "",
        "## The run",
        "",
        f"- Measured: {', '.join(when)} ({spent:.0f} s of scenarios)",
        f"- Machine: {m['cores']} cores ({m['processor']}), {m['platform']}",
        f"- Python {m['python']} ({m['implementation']}), python-telegram-bot "
        f"{results['versions'].get('python-telegram-bot', '?')}, sqlite-utils "
        f"{results['versions'].get('sqlite-utils', '?')}, SQLite "
        f"{results['versions'].get('sqlite', '?')}",
        f"- Load average before / after: {m['load_average_at_start']} / "
        f"{results['load_average_at_end']} (other work on the machine shows up here; "
        "rerun if it is high)",
        f"- Bot errors logged during the run: {results['bot_errors_logged']}",
        "",
        "Reproduce: `make bench` (all five, about 7 minutes on 2 cores), "
        "`.venv/bin/python -m bench --quick` (smaller sizes, about 90 s, writes nothing "
        "unless `--write`), `--only throughput,plans,delivery,calls,timers` for a subset (merged "
        "into the existing results). Raw figures: `bench/results.json`.",
        "",
        "## Goals",
        "",
        "| Scenario | Figure | Measured | Goal | |",
        "|---|---|---|---|---|",
    ]
    for s in results["scenarios"]:
        for f in s["figures"]:
            if f["goal"]:
                out.append(
                    f"| {s['title']} | {f['name']} | {_shown(f)} | {f['goal']} | {MARK[f['met']]} |"
                )
    for s in results["scenarios"]:
        when = f"Measured {s.get('measured_at', results['finished_at'])} in {s['seconds']:.0f} s. "
        out += ["", f"## {s['title']}", "", when + s["setup"], "", "| Figure | Value | Goal | |"]
        out.append("|---|---|---|---|")
        for f in s["figures"]:
            out.append(f"| {f['name']} | {_shown(f)} | {f['goal']} | {MARK[f['met']]} |")
        if s["notes"]:
            out.append("")
            out += [f"- {note}" for note in s["notes"]]
        for extra in s.get("tables", []):
            out += ["", f"{extra['title']}:", ""]
            out.append("| " + " | ".join(extra["header"]) + " |")
            out.append("|" + "---|" * len(extra["header"]))
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in extra["rows"]]
        for p in s.get("profiles", []):
            out += ["", f"Profile ({p['what']}), own time by library:", ""]
            out += ["| Library | Own time | Share |", "|---|---|---|"]
            for label, secs, share in p["by_category"]:
                out.append(f"| {label} | {secs:.2f} s | {share:.0%} |")
        analysis = analyses.get(s["key"])
        if analysis:
            out += ["", "### What the figures say", "", analysis.strip()]
    out.append("")
    return "\n".join(out)
