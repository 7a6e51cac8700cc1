"""The /progress picture: PNG bytes from ChartData, drawn for a phone screen.

matplotlib's object API on the Agg backend (no display, no pyplot global state, so it can
run in a worker thread). Portrait, large type, one idea per panel, no gridlines or
boxes to squint at, and colours that stay apart for colour-blind eyes (Okabe-Ito). Every
label is in the runner's language (matplotlib's DejaVu Sans has Latin and Cyrillic).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from datetime import date

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.core.progress import ChartData
from bot.views.i18n import Translator

COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442"]
RIGHT, LEFT = "#0072B2", "#D55E00"
# Tightness: before a routine in vermillion (tight, warm), after it in blue.
BEFORE, AFTER = "#D55E00", "#0072B2"
INK, MUTED = "#222222", "#777777"
TIGHTNESS_HEIGHT = 3.6  # inches: a 0-10 scale readable on a phone
WIDTH_IN, DPI = 7.2, 150  # 1080 px wide


def _week_label(t: Translator, week: date, this_week: date) -> str:
    """Two short lines under a bar: `This / week`, else the day and month it starts."""
    if week == this_week:
        # Translators: under the chart's last bar, on two short lines ("\n" breaks them).
        return t._("This\nweek")
    return f"{t.number(week.day)}\n{t.month(week.month)}"


def render(t: Translator, data: ChartData, names: Mapping[str, str]) -> bytes:
    """The chart as PNG bytes, worded in `t`'s language (see `figure`)."""
    out = io.BytesIO()
    figure(t, data, names).savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def figure(t: Translator, data: ChartData, names: Mapping[str, str]) -> Figure:
    """One panel per idea, each only when it has something to show: sets per exercise for
    the last weeks (stacked bars), the left/right split of the one-sided exercises (100 %
    bars around a 50 % line), and hip tightness before and after a routine (two lines on
    a 0-10 scale)."""
    balance = [(e, r, lf) for e, (r, lf) in data.sides.items() if r + lf > 0]
    panels: list[tuple[float, Callable[[Axes], None]]] = []
    if data.has_sets or not data.has_tightness:
        panels.append((6.0, lambda ax: _weekly(t, ax, data, names)))
    if balance:
        panels.append((0.9 + 1.2 * len(balance), lambda ax: _balance(t, ax, balance, data, names)))
    if data.has_tightness:
        panels.append((TIGHTNESS_HEIGHT, lambda ax: _tightness(t, ax, data)))
    ratios = [height for height, _ in panels]
    fig = Figure(figsize=(WIDTH_IN, sum(ratios)), dpi=DPI, facecolor="white")
    axes = fig.subplots(len(ratios), 1, gridspec_kw={"height_ratios": ratios}, squeeze=False)
    for (_, draw), row in zip(panels, axes, strict=True):
        draw(row[0])
    fig.tight_layout(pad=1.2, h_pad=2.5)
    return fig


def _week_span(weeks: int) -> tuple[float, float]:
    """The x range of a panel over the weeks, so each week's column lines up panel to panel
    (and the last one has room for its value)."""
    return -0.75, weeks - 0.25


def _clean(ax: Axes) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=14, length=0)


def _weekly(t: Translator, ax: Axes, data: ChartData, names: Mapping[str, str]) -> None:
    x = list(range(len(data.weeks)))
    bottoms = [0] * len(x)
    for i, (exercise, counts) in enumerate(data.sets_per_week.items()):
        ax.bar(
            x,
            counts,
            bottom=bottoms,
            width=0.7,
            color=COLOURS[i % len(COLOURS)],
            label=names.get(exercise, exercise),
        )
        bottoms = [b + c for b, c in zip(bottoms, counts, strict=True)]
    top = max(bottoms) if bottoms else 0
    for xi, total in zip(x, bottoms, strict=True):
        if total:
            ax.text(
                xi, total + top * 0.02, t.number(total), ha="center", va="bottom",
                fontsize=14, color=INK, fontweight="bold",
            )  # fmt: skip
    title = t.n_("Sets per week · last {n} week", "Sets per week · last {n} weeks", len(x))
    ax.set_title(title, fontsize=19, color=INK, loc="left", pad=44)
    ax.set_xticks(x, [_week_label(t, w, data.weeks[-1]) for w in data.weeks])
    ax.set_xlim(*_week_span(len(x)))
    ax.set_yticks([])
    ax.set_ylim(0, max(1, top) * 1.15)
    ax.legend(
        loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(3, len(data.sets_per_week)),
        frameon=False, fontsize=13, handlelength=1.0, columnspacing=1.2, borderaxespad=0.2,
    )  # fmt: skip
    _clean(ax)


def _balance(
    t: Translator,
    ax: Axes,
    rows: list[tuple[str, int, int]],
    data: ChartData,
    names: Mapping[str, str],
) -> None:
    y = [1.3 * i for i in range(len(rows))][::-1]
    for yi, (exercise, right, left) in zip(y, rows, strict=True):
        share = right / (right + left)
        ax.barh(yi, share, height=0.55, color=RIGHT)
        ax.barh(yi, 1 - share, left=share, height=0.55, color=LEFT)
        name = names.get(exercise, exercise)
        if data.units.get(exercise) == "seconds":
            # Translators: a chart label: the exercise, then "s" for the seconds its bar adds up.
            label = t._("{exercise} (s)", exercise=name)
        else:
            # Translators: a chart label: the exercise, then "reps" for the reps its bar adds up.
            label = t._("{exercise} (reps)", exercise=name)
        # Translators: inside the right side's part of a bar: "R" for right, then its total.
        right_text = t._("R {amount}", amount=t.number(right))
        # Translators: inside the left side's part of a bar: "L" for left, then its total.
        left_text = t._("L {amount}", amount=t.number(left))
        ax.text(
            0.02, yi, right_text, ha="left", va="center", fontsize=14, color="white",
            fontweight="bold",
        )  # fmt: skip
        ax.text(
            0.98, yi, left_text, ha="right", va="center", fontsize=14, color="white",
            fontweight="bold",
        )  # fmt: skip
        ax.text(0, yi + 0.42, label, ha="left", va="bottom", fontsize=14, color=INK)
    ax.axvline(0.5, color="white", linewidth=2.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, 1.3 * (len(rows) - 1) + 0.95)
    title = t.n_("Right vs left · last {n} week", "Right vs left · last {n} weeks", len(data.weeks))
    ax.set_title(title, fontsize=19, color=INK, loc="left", pad=10)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)


def _tightness(t: Translator, ax: Axes, data: ChartData) -> None:
    """The weekly average before and after a routine (a line only if it has any); a week
    without a check-in leaves a gap, and each line ends with its latest value."""
    x = list(range(len(data.weeks)))
    last = [
        next((v for v in reversed(values) if v is not None), None)
        for values in (data.tight_before, data.tight_after)
    ]
    # The higher of the two last values is labelled above its point, the other below, so
    # the labels never sit on each other (before is usually the higher one).
    before_up = last[1] is None or (last[0] is not None and last[0] >= last[1])
    for values, colour, label, up in (
        # Translators: a chart legend: hip tightness rated before a routine.
        (data.tight_before, BEFORE, t._("Before a routine"), before_up),
        # Translators: a chart legend: hip tightness rated after a routine.
        (data.tight_after, AFTER, t._("After a routine"), not before_up),
    ):
        known = [(xi, v) for xi, v in zip(x, values, strict=True) if v is not None]
        if known:  # its last value, labelled beside it
            y = [math.nan if v is None else v for v in values]
            ax.plot(x, y, color=colour, linewidth=3.5, marker="o", markersize=9, label=label)
            xi, v = known[-1]
            ax.annotate(
                t.number(round(v, 1)), (xi, v), xytext=(9, 3 if up else -3),
                textcoords="offset points", ha="left", va="bottom" if up else "top",
                fontsize=14, color=colour, fontweight="bold",
            )  # fmt: skip
    title = t.n_("Hip tightness · last {n} week", "Hip tightness · last {n} weeks", len(x))
    ax.set_title(title, fontsize=19, color=INK, loc="left", pad=44)
    ax.set_xticks(x, [_week_label(t, w, data.weeks[-1]) for w in data.weeks])
    ax.set_xlim(*_week_span(len(x)))
    ax.set_ylim(-0.5, 10.5)
    ax.legend(
        loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize=13,
        handlelength=1.5, columnspacing=1.2, borderaxespad=0.2,
    )  # fmt: skip
    _clean(ax)
    # The 0-10 scale inside the panel's left edge, so it takes no width from the others.
    ax.set_yticks([0, 5, 10], [t.number(v) for v in (0, 5, 10)])
    ax.tick_params(axis="y", pad=-2, labelcolor=MUTED)
    for tick in ax.get_yticklabels():
        tick.set_horizontalalignment("left")
