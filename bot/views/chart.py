"""The /progress picture: PNG bytes from ChartData, drawn for a phone screen.

matplotlib's object API on the Agg backend (no display, no pyplot global state, so it can
run in a worker thread). Portrait 4:5, large type, one idea per panel, no gridlines or
boxes to squint at, and colours that stay apart for colour-blind eyes (Okabe-Ito). Every
label is in the runner's language (matplotlib's DejaVu Sans has Latin and Cyrillic).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.core.progress import ChartData
from bot.views.i18n import Translator

COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442"]
RIGHT, LEFT = "#0072B2", "#D55E00"
INK, MUTED = "#222222", "#777777"
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
    """Sets per exercise for the last weeks (stacked bars) and, when there is any, the
    left/right split of the one-sided exercises (100 % bars around a 50 % line)."""
    balance = [(e, r, lf) for e, (r, lf) in data.sides.items() if r + lf > 0]
    height = 6.0 + (0.9 + 1.2 * len(balance) if balance else 0.0)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    ratios = [6.0, 0.9 + 1.2 * len(balance)] if balance else [1.0]
    axes = fig.subplots(len(ratios), 1, gridspec_kw={"height_ratios": ratios}, squeeze=False)
    _weekly(t, axes[0][0], data, names)
    if balance:
        _balance(t, axes[1][0], balance, data, names)
    fig.tight_layout(pad=1.2, h_pad=2.5)
    return fig


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
