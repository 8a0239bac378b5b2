"""Charts for the reports: seaborn/matplotlib, Swedish labels, the source under every chart."""

import math
import re
import textwrap
from dataclasses import dataclass

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # reports render headless; JupyterLab's inline backend overrides this
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ..core import gender as genders
from ..core.fmt import number

# Names from data go into titles and labels: '$' in one must stay a dollar sign, not start
# mathtext (which fails on a stray '$\\' and would fail the whole report).
matplotlib.rcParams["text.parse_math"] = False

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008): every pair stays
# apart under deuteranopia, protanopia and tritanopia; never red against green.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
PALETTE = {
    "kommun": OKABE_ITO["blue"],
    "lan": OKABE_ITO["sky_blue"],
    "riket": "#bbbbbb",
    "peer": OKABE_ITO["orange"],
}
CYCLE = [OKABE_ITO[c] for c in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                "sky_blue", "black", "yellow")]  # fmt: skip
SYNTHETIC = "SYNTETISKA DATA"
# Figures are sized in inches and shown at SCREEN_DPI pixels per inch, but drawn at CHART_DPI
# from the start (crisp when pasted into Word or printed): laid out and drawn at one
# resolution on one canvas, each text is measured once instead of once per resolution.
SCREEN_DPI = 100
CHART_DPI = 2 * SCREEN_DPI
SOURCE_FONTSIZE = 8
_YEARS = re.compile(r"\b(?:19|20)\d\d(?:\s*[–-]\s*(?:19|20)\d\d)?\b")


@dataclass
class ChartData:
    """What a chart shows, as a table with Swedish headings, for its CSV download."""

    frame: pd.DataFrame
    source: str
    year: object = None
    decimals: dict | None = None


def setup() -> None:
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {
            "figure.dpi": CHART_DPI,
            "savefig.dpi": CHART_DPI,
            "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            # A fixed title height: matplotlib's automatic one measures every axis at each
            # layout and draw to lift the title over labels on top, which no chart has.
            "axes.titley": 1.0,
            "figure.figsize": (8, 4),
            "text.parse_math": False,
        }
    )


def finish(
    fig, source: str, synthetic: bool = False, data: pd.DataFrame | None = None, year=None,
    decimals: dict | None = None, bottom: float | None = None,
):  # fmt: skip
    """Put 'Källa: …' (and the synthetic-data mark) under the chart, Swedish numbers on every
    axis, and attach `data` (what the chart shows) for its CSV download. The download's `År`
    is the data's own year column, else `year`, else the year or period in the title. The
    axes are laid out above `bottom` (a share of the height: room for a legend placed there
    before; by default room for the source lines)."""
    text = source if source.startswith("Källa") else f"Källa: {source}"
    swedish_ticks(fig)
    if data is not None:
        if year is None and "År" not in data.columns:
            titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
            titles += [ax.get_title() for ax in fig.axes]
            found = next((m.group(0) for t in titles for m in [_YEARS.search(t)] if m), None)
            year = found.replace(" ", "") if found else None
        mark = f"{SYNTHETIC}. " if synthetic else ""
        fig.etablering_data = ChartData(data, mark + text, year, decimals)
    if synthetic:
        text = f"{SYNTHETIC}. {text}"
        fig.text(
            0.5,
            0.5,
            SYNTHETIC,
            fontsize=28,
            color="red",
            alpha=0.15,
            ha="center",
            va="center",
            rotation=20,
            transform=fig.transFigure,
        )
    note = fig.text(
        0.01, 0.005, _wrapped(fig, text, SOURCE_FONTSIZE), fontsize=SOURCE_FONTSIZE,
        color="#444", ha="left", va="bottom",
    )  # fmt: skip
    if bottom is None:
        # 6 % of the height, but no more than the source lines and 20 points need: in a tall
        # chart (a län's 26 kommuner) 6 % left an inch of white between axis and source. Up to
        # about 6 inches 6 % is less, so ordinary charts keep their layout.
        needed = note.get_window_extent(fig.canvas.get_renderer()).height + 20 * fig.dpi / 72
        bottom = min(0.06, needed / fig.bbox.height)
    _tight_above(fig, bottom)
    if _wrap_overflowing_labels(fig):
        _tight_above(fig, bottom)
    return fig


def _tight_above(fig, bottom: float) -> None:
    """What `fig.tight_layout(rect=(0, bottom, 1, 1))` gives a figure with one row of axes (every
    chart here), in one measuring pass instead of its two: with a `rect`, matplotlib measures
    every label, fits the axes to the whole figure, then measures the same labels again to fit
    them to the rect, which for one row only moves the bottom edge up by `bottom`."""
    specs = [ax.get_subplotspec() for ax in fig.axes]
    if any(spec is not None and spec.get_gridspec().nrows > 1 for spec in specs):
        fig.tight_layout(rect=(0, bottom, 1, 1))  # rows: the gaps between them change too
        return
    before = vars(fig.subplotpars).copy()
    fig.tight_layout()
    if vars(fig.subplotpars) != before:  # unchanged: matplotlib could not fit it, and said so
        fig.subplots_adjust(bottom=fig.subplotpars.bottom + bottom)


def _wrapped(fig, text: str, fontsize: float, room: float = 0.97) -> str:
    """`text` broken into lines that fit `room` of the figure's width. Measured once per line
    (matplotlib's own wrap=True measures every word of the line again at every draw)."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    font = FontProperties(size=fontsize)
    limit = fig.bbox.width * room

    def width(line: str) -> float:
        return renderer.get_text_width_height_descent(line, font, ismath=False)[0]

    full = width(text)
    if full <= limit:
        return text
    chars = max(20, int(len(text) * limit / full))
    while True:
        lines = textwrap.wrap(text, chars, break_on_hyphens=False)
        if chars <= 20 or all(width(line) <= limit for line in lines):
            return "\n".join(lines)
        chars -= max(1, chars // 20)


def swedish_ticks(fig) -> None:
    """Every plain numeric axis in Swedish ('12,5', '1 000', '−3'); years stay '2018'."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if (
                type(axis.get_major_formatter()) is matplotlib.ticker.ScalarFormatter
                and axis.get_scale() == "linear"
            ):
                axis.set_major_formatter(SwedishFormatter())


def _wrap_overflowing_labels(fig) -> bool:
    """Break titles and x labels that would run off the figure (they are centred on the axes,
    which long tick labels such as the tornado's push to the right). True if any changed."""
    renderer = fig.canvas.get_renderer()
    page = fig.get_window_extent(renderer)
    changed = False
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        centre = (box.x0 + box.x1) / 2
        room = 2 * min(centre - page.x0, page.x1 - centre) * 0.96
        for label in (ax.title, ax.xaxis.label):
            text = label.get_text()
            width = label.get_window_extent(renderer).width if text else 0
            if width > room:
                chars = max(20, int(len(text) * room / width))
                label.set_text(textwrap.fill(text, chars))
                changed = True
    return changed


def interval_points(ax, x, mid, low, high, **kw):
    """Points with an asymmetric interval (low–high) drawn as error bars."""
    return ax.errorbar(x, mid, yerr=[mid - low, high - mid], **kw)


def legend_below(ax, ncol: int = 2) -> None:
    """The legend under the axes, clear of the year labels: on a chart over time any corner
    may hold data (a small kommun's peak year), and a legend there hides it."""
    size = 8
    labels = ax.xaxis.get_majorticklabels()
    tick_size = labels[0].get_fontsize() if labels else size
    # the gap in the legend's font sizes: the ticks and their labels (points), whatever the
    # axes' height
    below_labels = (ax.xaxis.get_tick_padding() + 1.3 * tick_size) / size
    ax.legend(
        fontsize=size,
        ncol=ncol,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=below_labels,
        frameon=False,
    )


def _rows_top_down(ax, first_edge: float, last_edge: float) -> None:
    """Horizontal bars listed from the top, with 0,15 of a row free at either end: the default
    margin is a share of all rows, more than a row of empty axes under a län's 26 kommuner."""
    ax.set_ylim(last_edge + 0.15, first_edge - 0.15)


def percent_limits(ax) -> None:
    """A share's axis: 0–100 % with a little room beyond, so that a point at exactly 0 or 100
    (a small kommun's whole cohort) shows its whole marker instead of half of it."""
    ax.set_ylim(-3, 103)


def bar_labels(ax, values, decimals: int = 0) -> None:
    for patch, value in zip(ax.patches, values, strict=False):
        if pd.notna(value):
            ax.annotate(
                number(value, decimals),
                (patch.get_x() + patch.get_width() / 2, patch.get_height()),
                ha="center",
                va="bottom",
                fontsize=9,
                xytext=(0, 2),
                textcoords="offset points",
            )


def kommuntal_vs_received(name: str, kommuntal, anvisade, totalt, source: str):
    """Three bars: kommuntal, received on anvisning, all kommunmottagna. Missing bars are named."""
    labels = ["Kommuntal", "Mottagna på anvisning", "Kommunmottagna totalt"]
    values = [kommuntal, anvisade, totalt]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    heights = [0 if pd.isna(v) else float(v) for v in values]
    ax.bar(labels, heights, color=[PALETTE["riket"], PALETTE["lan"], PALETTE["kommun"]])
    bar_labels(ax, values)
    for i, v in enumerate(values):
        if pd.isna(v):
            ax.annotate(
                "uppgift saknas", (i, 0), ha="center", va="bottom", fontsize=9, color="#a00"
            )
    ax.set_ylabel("Personer")
    ax.set_title(f"{name}: kommuntal och mottagna")
    ax.margins(y=0.15)
    data = pd.DataFrame({"Område": name, "Uppgift": labels, "Personer": values})
    return finish(fig, source, data=data)


def category_mix(shares: pd.DataFrame, source: str, title: str = "Mottagna efter kategori"):
    """Stacked horizontal bars of category shares (%) for kommun, län and riket."""
    with plt.rc_context({"axes.titley": None}):  # the axis label is on top: lift the title
        fig, ax = plt.subplots(figsize=(8, 3.6))
        ax.set_title(title)
    left = pd.Series(0.0, index=shares.index)
    colors = [CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i in range(len(shares.columns))]
    hatches = [CATEGORY_HATCHES[i % len(CATEGORY_HATCHES)] for i in range(len(shares.columns))]
    for color, hatch, column in zip(colors, hatches, shares.columns, strict=True):
        ax.barh(
            shares.index, shares[column], left=left, color=color, label=column, hatch=hatch,
            edgecolor="white", linewidth=0.5,
        )  # fmt: skip
        for y, (value, start) in enumerate(zip(shares[column], left, strict=True)):
            if value >= 6:
                ax.text(
                    start + value / 2, y, number(value), ha="center", va="center", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                )  # fmt: skip
        left = left + shares[column]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("Andel av kommunmottagna (%)")
    legend_below(ax, ncol=3)  # placed in points: a share of the axes left white above the source
    ax.xaxis.set_label_position("top")
    data = shares.rename_axis("Område").add_suffix(" (%)")
    return finish(fig, source, data=data)


def comparison_bars(
    values: pd.Series,
    kinds: pd.Series,
    title: str,
    xlabel: str,
    source: str,
    decimals: int = 1,
    year=None,
):
    """Horizontal bars, one per area, coloured by kind (kommun, län, riket, peer)."""
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(values) + 1.4))
    colors = [PALETTE[k] for k in kinds]
    ax.barh(values.index, values.fillna(0).to_numpy(), color=colors)
    for y, v in enumerate(values):
        ax.text(
            0 if pd.isna(v) else v,
            y,
            " " + (number(v, decimals) if pd.notna(v) else "uppgift saknas"),
            va="center",
            fontsize=8,
        )
    _rows_top_down(ax, -0.4, len(values) - 0.6)  # barh's bars are 0,8 high
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.margins(x=0.12)
    data = pd.DataFrame({"Område": values.index, xlabel: values.to_numpy()})
    return finish(fig, source, data=data, decimals={xlabel: decimals}, year=year)


# Women and men differ in colour (Okabe–Ito vermillion and blue), marker, line and hatch, so
# they stay apart in greyscale print and for every colour vision.
GENDER_COLORS = {"K": OKABE_ITO["vermillion"], "M": OKABE_ITO["blue"], "T": "#555555"}
GENDER_NAMES = genders.LABELS  # one home: core/gender.py
GENDER_STYLE = {
    "K": {"marker": "o", "linestyle": "-"},
    "M": {"marker": "s", "linestyle": "--"},
    "T": {"marker": "^", "linestyle": ":"},
}
GENDER_HATCH = {"Män": "///"}
CATEGORY_COLORS = [OKABE_ITO[c] for c in ("orange", "sky_blue", "bluish_green", "yellow",
                                          "reddish_purple", "vermillion", "blue")]  # fmt: skip
CATEGORY_HATCHES = ["", "///", "", "...", "\\\\", "xx", ""]


def _gender_rows(table: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """year/gender rows of `table` with Swedish headings, for a chart's download."""
    keep = [c for c in columns if c in table]
    out = table[["year", "gender", *keep]].rename(
        columns={"year": "År", "gender": "Kön", **columns}
    )
    out["Kön"] = out["Kön"].map(GENDER_NAMES).fillna(out["Kön"])
    return out.sort_values(["År", "Kön"]).reset_index(drop=True)


def _kommun_rows(table: pd.DataFrame, names: dict, columns: dict) -> pd.DataFrame:
    """One row per kommun and gender, named 'Kommun' as '0680 Jönköping' (text in Excel: a
    bare code would lose its leading zero)."""
    out = table[["area_code", "gender", *columns]].rename(columns=columns)
    kommun = table["area_code"].map(lambda c: f"{c} {names[c]}" if c in names else c)
    out.insert(0, "Kommun", kommun)
    out["Kön"] = table["gender"].map(GENDER_NAMES).fillna(table["gender"])
    out = out.drop(columns=["area_code", "gender"])
    return out.sort_values(["Kommun", "Kön"]).reset_index(drop=True)


def _expected_rows(rows: pd.DataFrame) -> pd.DataFrame:
    columns = {"actual_pct": "Utfall (%)", "expected_pct": "Förväntat (%)",
               "pi_low": "Vanligt spann, nedre (%)", "pi_high": "Vanligt spann, övre (%)"}  # fmt: skip
    if "gender" not in rows:
        rows = rows.assign(gender="T")
    return _gender_rows(rows, columns)


def shares_over_time(
    table: pd.DataFrame, riket: pd.DataFrame, title: str, source: str, synthetic: bool = False
):
    """Women and men over the years with 95 % interval bands where cohorts are known; riket's
    total as a dashed reference line. Years with fewer than 10 leavers are hollow points, not
    joined by the line: a share of 3 people says little about the trend."""
    fig, ax = plt.subplots(figsize=(8, 4))
    any_small = False
    for gender in genders.BOTH:
        part = table[table["gender"] == gender].sort_values("year")
        if part["share_pct"].notna().any():
            n = part["cohort_n"].astype(float)
            small = n < 10
            any_small |= bool((small & part["share_pct"].notna()).any())
            ax.plot(
                part["year"],
                part["share_pct"].where(~small),
                color=GENDER_COLORS[gender],
                label=GENDER_NAMES[gender],
                **GENDER_STYLE[gender],
            )
            ax.plot(
                part.loc[small, "year"],
                part.loc[small, "share_pct"],
                GENDER_STYLE[gender]["marker"],
                mfc="white",
                color=GENDER_COLORS[gender],
            )
            ax.fill_between(
                part["year"],
                part["low_pct"].astype(float),
                part["high_pct"].astype(float),
                color=GENDER_COLORS[gender],
                alpha=0.15,
                linewidth=0,
            )
    total = riket[riket["gender"] == "T"].sort_values("year")
    if total["share_pct"].notna().any():
        ax.plot(
            total["year"], total["share_pct"], linestyle="--", color="#777", label="Riket, totalt"
        )
    if any_small:
        ax.plot([], [], "o", mfc="white", color="#555", label="färre än 10 som lämnade")
    percent_limits(ax)
    ax.set_ylabel("Andel i arbete eller studier (%)")
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    legend_below(ax, ncol=4)
    data = _gender_rows(table, {"share_pct": "Andel i arbete/studier (%)",
                                "low_pct": "95 % intervall, nedre (%)",
                                "high_pct": "95 % intervall, övre (%)",
                                "cohort_n": "Antal som lämnat"})  # fmt: skip
    ref = total[["year", "share_pct"]].rename(
        columns={"year": "År", "share_pct": "Andel i arbete/studier (%)"}
    )
    data = pd.concat([data, ref.assign(Kön="Riket, totalt")], ignore_index=True)
    return finish(fig, source, synthetic, data=data)


def gap_over_time(gap: pd.DataFrame, source: str, synthetic: bool = False):
    """Women minus men in percentage points, with the Newcombe interval where it exists."""
    fig, ax = plt.subplots(figsize=(8, 3.4))
    g = gap.dropna(subset=["gap_pp"]).sort_values("year")
    has_ci = g["gap_low"].notna()
    ax.axhline(0, color="#333", linewidth=0.8)
    interval_points(
        ax,
        g.loc[has_ci, "year"],
        g.loc[has_ci, "gap_pp"],
        g.loc[has_ci, "gap_low"],
        g.loc[has_ci, "gap_high"],
        fmt="o",
        color=GENDER_COLORS["K"],
        capsize=3,
        # a kind of point the chart does not have gets no line in the legend ('_' hides it)
        label="med 95 % intervall" if has_ci.any() else "_",
    )
    ax.plot(
        g.loc[~has_ci, "year"],
        g.loc[~has_ci, "gap_pp"],
        "o",
        mfc="white",
        color=GENDER_COLORS["K"],
        label="utan intervall (antal som lämnat saknas eller under 10)" if (~has_ci).any() else "_",
    )
    ax.set_ylabel("Kvinnor − män (procentenheter)")
    ax.set_title("Skillnad mellan kvinnor och män")
    ax.xaxis.get_major_locator().set_params(integer=True)
    legend_below(ax)
    data = g[["year", "gap_pp", "gap_low", "gap_high"]].rename(
        columns={"year": "År", "gap_pp": "Kvinnor − män (procentenheter)",
                 "gap_low": "95 % intervall, nedre", "gap_high": "95 % intervall, övre"}
    )  # fmt: skip
    return finish(fig, source, synthetic, data=data)


def grouped_bars(
    frame: pd.DataFrame,
    title: str,
    xlabel: str,
    source: str,
    synthetic: bool = False,
    decimals: int = 0,
    highlight=(),
):
    """Horizontal grouped bars: rows of `frame` are categories, columns the groups (e.g. kön).
    Row labels in `highlight` are set in bold (the report's own kommun among its neighbours)."""
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(frame) * max(1, len(frame.columns) / 2) + 1.6))
    height = 0.8 / max(len(frame.columns), 1)
    palette = {
        "Kvinnor": GENDER_COLORS["K"],
        "Män": GENDER_COLORS["M"],
        "Totalt": GENDER_COLORS["T"],
    }
    for j, column in enumerate(frame.columns):
        ys = [i + j * height for i in range(len(frame))]
        values = frame[column].astype(float)
        ax.barh(
            ys, values.fillna(0), height=height, label=column, color=palette.get(column),
            hatch=GENDER_HATCH.get(column, ""), edgecolor="white", linewidth=0.5,
        )  # fmt: skip
        for y, v in zip(ys, values, strict=True):
            ax.text(
                0 if pd.isna(v) else v,
                y,
                " " + (number(v, decimals) if pd.notna(v) else "uppgift saknas"),
                va="center",
                fontsize=8,
            )
    ax.set_yticks([i + height * (len(frame.columns) - 1) / 2 for i in range(len(frame))])
    ax.set_yticklabels(frame.index)
    for label in ax.get_yticklabels():
        if label.get_text() in set(highlight):
            label.set_fontweight("bold")
    _rows_top_down(ax, -height / 2, len(frame) - 1 + height * (len(frame.columns) - 0.5))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.margins(x=0.15)
    # beside the bars, not on them: the last group's bars may reach any length
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    data = frame.rename_axis(frame.index.name or "Kategori").add_suffix(f" – {xlabel}")
    return finish(fig, source, synthetic, data=data, decimals=dict.fromkeys(data.columns, decimals))


def trend_bands(predictions: pd.DataFrame, name: str, source: str, synthetic: bool = False):
    """The trend model's predicted shares with 95 % bands, observed shares as points."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for gender in genders.BOTH:
        part = predictions[predictions["gender"] == gender].sort_values("year")
        color = GENDER_COLORS[gender]
        ax.plot(
            part["year"],
            part["pred_pct"],
            color=color,
            linestyle=GENDER_STYLE[gender]["linestyle"],
            label=f"{GENDER_NAMES[gender]}, modell",
        )
        ax.fill_between(
            part["year"], part["low_pct"], part["high_pct"], color=color, alpha=0.15, linewidth=0
        )
        ax.plot(
            part["year"],
            part["share_pct"],
            GENDER_STYLE[gender]["marker"],
            color=color,
            mfc="white",
            label=f"{GENDER_NAMES[gender]}, utfall",
        )
    percent_limits(ax)
    ax.set_ylabel("Andel i arbete eller studier (%)")
    ax.set_title(f"{name}: trend för kvinnor och män (binomial regression)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    legend_below(ax, ncol=4)
    data = _gender_rows(predictions, {"pred_pct": "Modell (%)", "low_pct": "95 % band, nedre (%)",
                                      "high_pct": "95 % band, övre (%)", "share_pct": "Utfall (%)"})  # fmt: skip
    return finish(fig, source, synthetic, data=data)


class MkrFormatter(matplotlib.ticker.Formatter):
    """Kronor shown in millions with as many decimals as the tick step needs: ticks 2,5 Mkr
    apart must not read '2' and '8'."""

    def format_ticks(self, values):
        steps = [b - a for a, b in zip(values, values[1:], strict=False) if b > a]
        step = min(steps) if steps else 1e6
        decimals = 0 if step >= 1e6 else max(0, -math.floor(math.log10(step / 1e6) + 1e-9))
        return [number(v / 1e6, decimals) for v in values]

    def __call__(self, x, pos=None):
        return number(x / 1e6, 1)


def mkr_scale(axis) -> None:
    """Whole 1-2-5 steps (never 2,5) and labels in Mkr, on an x or y axis."""
    axis.set_major_locator(matplotlib.ticker.MaxNLocator(steps=[1, 2, 5, 10]))
    axis.set_major_formatter(MkrFormatter())


def mkr_axis(ax) -> None:
    mkr_scale(ax.yaxis)
    ax.set_ylabel("Miljoner kronor")


def cost_vs_actual(frame: pd.DataFrame, title: str, source: str):
    """The model's median per year with its 80 % and 95 % spans (bars: utfall dark, prognos
    light), beside the bistånd actually paid: all of it, and to flyktinghushåll."""
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    years = frame.index.to_numpy()
    colors = [PALETTE["kommun"] if u else PALETTE["lan"] for u in frame["utfall"]]
    ax.bar(years, frame["p50"], color=colors, width=0.6, label="Modellen, median")
    ax.errorbar(
        years,
        frame["p50"],
        yerr=[frame["p50"] - frame["p2_5"], frame["p97_5"] - frame["p50"]],
        fmt="none",
        ecolor="#999",
        capsize=4,
        label="95 % spann",
    )
    ax.errorbar(
        years,
        frame["p50"],
        yerr=[frame["p50"] - frame["p10"], frame["p90"] - frame["p50"]],
        fmt="none",
        ecolor="#333",
        elinewidth=3,
        capsize=0,
        label="80 % spann",
    )
    if frame["actual_total"].notna().any():
        ax.plot(
            years,
            frame["actual_total"],
            "s-",
            color="#444",
            label="Faktiskt utbetalt bistånd, totalt",
        )
    if frame["actual_refugee"].notna().any():
        ax.plot(
            years,
            frame["actual_refugee"],
            "o--",
            color=PALETTE["peer"],
            label="Faktiskt bistånd till flyktinghushåll",
        )
    last_utfall = years[frame["utfall"].to_numpy()].max() if frame["utfall"].any() else None
    if last_utfall is not None and last_utfall < years.max():
        ax.axvline(last_utfall + 0.5, color="#888", linewidth=1, linestyle=":")
        top = ax.get_ylim()[1]
        ax.text(last_utfall + 0.6, top * 0.97, "prognos →", fontsize=8, va="top", color="#555")
        ax.text(
            last_utfall + 0.4,
            top * 0.97,
            "← utfall",
            fontsize=8,
            va="top",
            ha="right",
            color="#555",
        )
    mkr_axis(ax)
    top = pd.concat([frame["p97_5"], frame["actual_total"], frame["actual_refugee"]]).max()
    ax.set_ylim(0, top * 1.45)  # room for the legend above the bars
    ax.set_xticks(years)
    ax.tick_params(axis="x", labelrotation=0, labelsize=8)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    names = {"p50": "Modellen, median (Mkr)", "p10": "80 % spann, nedre (Mkr)",
             "p90": "80 % spann, övre (Mkr)", "p2_5": "95 % spann, nedre (Mkr)",
             "p97_5": "95 % spann, övre (Mkr)", "actual_total": "Faktiskt bistånd, totalt (Mkr)",
             "actual_refugee": "Faktiskt bistånd till flyktinghushåll (Mkr)"}  # fmt: skip
    data = (frame[list(names)] / 1e6).rename(columns=names).rename_axis("År")
    data.insert(0, "Period", frame["utfall"].map({True: "utfall", False: "prognos"}))
    return finish(fig, source, data=data)


SCENARIO_STYLES = [
    {"color": "#000000", "linestyle": "-", "marker": "o", "linewidth": 2.6},
    {"color": OKABE_ITO["orange"], "linestyle": "--", "marker": "s", "linewidth": 1.6},
    {"color": OKABE_ITO["sky_blue"], "linestyle": "-.", "marker": "^", "linewidth": 1.6},
    {"color": OKABE_ITO["bluish_green"], "linestyle": ":", "marker": "D", "linewidth": 1.8},
    {"color": OKABE_ITO["reddish_purple"], "linestyle": (0, (5, 1, 1, 1)), "marker": "v",
     "linewidth": 1.6},
    {"color": OKABE_ITO["blue"], "linestyle": (0, (1, 1)), "marker": "P", "linewidth": 1.6},
]  # fmt: skip


def scenario_lines(scenarios: pd.DataFrame, labels: dict, source: str):
    """One line per scenario with its name written at its end (no legend to look up). Lines
    that end within a few percent of each other share one label ('A = B'), so a scenario that
    changes nothing is said, not hidden behind the base line."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ends = []
    for i, (name, part) in enumerate(scenarios.groupby("scenario", sort=False)):
        style = SCENARIO_STYLES[i % len(SCENARIO_STYLES)]
        part = part.sort_values("year")
        ax.plot(part["year"], part["cost_kr"], markersize=5, label=labels.get(name, name), **style)
        ends.append((float(part["cost_kr"].iloc[-1]), i, labels.get(name, name), style["color"]))
    mkr_axis(ax)
    years = sorted(scenarios["year"].unique())
    ax.set_xticks(years)
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
    low, high = ax.get_ylim()
    gap = 0.06 * (high - low)
    groups: list[list] = []
    for end in sorted(ends):
        if groups and end[0] - groups[-1][-1][0] < gap:
            groups[-1].append(end)
        else:
            groups.append([end])
    placed = []
    for group in groups:
        y = sum(e[0] for e in group) / len(group)
        if placed and y - placed[-1] < gap:
            y = placed[-1] + gap
        placed.append(y)
        # ends too close to tell apart, in the scenarios' own order (not by a rounding error)
        text = " ≈ ".join(e[2] for e in sorted(group, key=lambda e: e[1]))
        ax.annotate(
            textwrap.fill(text, 34),
            (years[-1], y),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
            color=group[0][3] if len(group) == 1 else "#000000",
        )
    ax.set_title("Kostnad per år i olika scenarier")
    fig.set_size_inches(10, 3.8)
    data = scenarios[["year", "scenario", "cost_kr"]].copy()
    data["scenario"] = data["scenario"].map(lambda n: labels.get(n, n))
    data["cost_kr"] = data["cost_kr"] / 1e6
    data = data.rename(columns={"year": "År", "scenario": "Scenario", "cost_kr": "Kostnad (Mkr)"})
    fig = finish(fig, source, data=data)
    fig.subplots_adjust(right=0.7)
    return fig


def tornado_chart(tornado: pd.DataFrame, baseline: float, title: str, source: str):
    t = tornado.head(8).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.6))
    lows = t[["cost_at_low_kr", "cost_at_high_kr"]].min(axis=1)
    highs = t[["cost_at_low_kr", "cost_at_high_kr"]].max(axis=1)
    ax.barh(t["label"], highs - lows, left=lows, color=PALETTE["lan"])
    for y, (low, high) in enumerate(zip(lows, highs, strict=True)):
        ax.text(low, y, number(low / 1e6, 1) + " ", ha="right", va="center", fontsize=7)
        ax.text(high, y, " " + number(high / 1e6, 1), ha="left", va="center", fontsize=7)
    # room for the figures at both ends: a bar's start is no hard edge (matplotlib would
    # stop the axis there and push the lowest figure onto the labels)
    ax.use_sticky_edges = False
    ax.margins(x=0.15)
    ax.axvline(baseline, color="#333", linewidth=1)
    mkr_scale(ax.xaxis)
    ax.set_xlabel("Kostnad för hela perioden, miljoner kronor (linjen: basscenariot)")
    ax.set_title(title)
    data = pd.DataFrame(
        {
            "Antagande": tornado["label"].to_numpy(),
            "Kostnad vid lågt värde (Mkr)": tornado["cost_at_low_kr"].to_numpy() / 1e6,
            "Kostnad vid högt värde (Mkr)": tornado["cost_at_high_kr"].to_numpy() / 1e6,
            "Basscenariot (Mkr)": baseline / 1e6,
        }
    )
    return finish(fig, source, data=data)


def people_bars(people: pd.DataFrame, source: str):
    """Average number of people on bistånd per month and year, women and men stacked."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    years = people.index.to_numpy()
    ax.bar(years, people["Kvinnor"], color=GENDER_COLORS["K"], label="Kvinnor", width=0.6)
    ax.bar(
        years,
        people["Män"],
        bottom=people["Kvinnor"],
        color=GENDER_COLORS["M"],
        label="Män",
        width=0.6,
        hatch=GENDER_HATCH["Män"],
        edgecolor="white",
        linewidth=0.5,
    )
    ax.set_xticks(years)
    ax.set_ylabel("Vuxna i hushåll med bistånd\n(snitt per månad)")
    ax.set_title("Personerna bakom kostnaden")
    legend_below(ax)
    data = people[["Kvinnor", "Män"]].rename_axis("År").add_prefix("Vuxna med bistånd, ")
    return finish(fig, source, data=data)


def reception_series(frame: pd.DataFrame, title: str, source: str, highlight: int | None = None):
    """Kommunmottagna per year as bars (women and men stacked where Kolada splits them, the
    total otherwise), with mottagna efter anvisning and anvisade ensamkommande barn as lines.

    `frame`: year index; columns received, received_k, received_m, anvisning, unaccompanied.
    `highlight` outlines the report's year.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    f = frame.sort_index()
    years = f.index.to_numpy()
    split = f["received_k"].notna() & f["received_m"].notna()
    total_only = f["received"].where(~split)
    ax.bar(years, total_only.fillna(0), color=GENDER_COLORS["T"], width=0.7, label="Totalt")
    ax.bar(
        years,
        f["received_k"].where(split).fillna(0),
        color=GENDER_COLORS["K"],
        width=0.7,
        label="Kvinnor",
    )
    ax.bar(
        years,
        f["received_m"].where(split).fillna(0),
        bottom=f["received_k"].where(split).fillna(0),
        color=GENDER_COLORS["M"],
        width=0.7,
        label="Män",
        hatch=GENDER_HATCH["Män"],
        edgecolor="white",
        linewidth=0.5,
    )
    lines = (
        ("anvisning", "Efter anvisning", PALETTE["peer"], "o"),
        ("unaccompanied", "Anvisade ensamkommande barn", "#2a9d8f", "s"),
    )
    for column, label, color, marker in lines:
        if column in f and f[column].notna().any():
            ax.plot(years, f[column], marker=marker, color=color, linewidth=1.8, label=label)
    missing = f.index[f["received"].isna()]
    for year in missing:
        ax.annotate(
            "uppgift saknas",
            (year, 0),
            ha="center",
            va="bottom",
            fontsize=7,
            color="#a00",
            rotation=90,
        )
    if highlight is not None and highlight in f.index and pd.notna(f.loc[highlight, "received"]):
        ax.bar(
            [highlight],
            [f.loc[highlight, "received"]],
            width=0.7,
            fill=False,
            edgecolor="#111",
            linewidth=1.5,
        )
        ax.annotate(
            number(f.loc[highlight, "received"]),
            (highlight, f.loc[highlight, "received"]),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_ylabel("Personer")
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.set_major_formatter(SwedishFormatter())
    ax.margins(y=0.12)
    legend_below(ax, ncol=3)
    names = {"received": "Kommunmottagna", "received_k": "varav kvinnor",
             "received_m": "varav män", "anvisning": "Efter anvisning",
             "unaccompanied": "Anvisade ensamkommande barn"}  # fmt: skip
    data = f[[c for c in names if c in f]].rename(columns=names).rename_axis("År")
    return finish(fig, source, data=data)


def per_1000_lines(frame: pd.DataFrame, title: str, source: str):
    """Per 1 000 invånare over the years: the first column (the area, own computation) solid
    and strong, the second (the area, Kolada's method) dashed, the rest (län, riket) thin."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    styles = [
        {"color": PALETTE["kommun"], "linewidth": 2.4, "marker": "o"},
        {"color": PALETTE["kommun"], "linewidth": 1.4, "linestyle": "--", "marker": "x"},
        {"color": PALETTE["lan"], "linewidth": 1.6},
        {"color": "#555555", "linewidth": 1.6, "linestyle": ":"},
    ]
    for i, column in enumerate(frame.columns):
        style = styles[min(i, len(styles) - 1)]
        ax.plot(frame.index, frame[column], label=column, **style)
    ax.set_ylabel("Mottagna per 1 000 invånare")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.set_major_formatter(SwedishFormatter())
    legend_below(ax)
    return finish(fig, source, data=frame.rename_axis("År"), decimals=dict.fromkeys(frame, 2))


class SwedishFormatter(matplotlib.ticker.Formatter):
    """Tick labels in Swedish ('1 000', '0,25') with as many decimals as the tick step needs."""

    def format_ticks(self, values):
        values = list(values)
        if values and all(float(v).is_integer() and 1900 <= v <= 2100 for v in values):
            return [str(int(v)) for v in values]  # years, not 2 018
        decimals = next(
            (d for d in range(4) if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in values)),
            3,
        )
        return [number(v, decimals) for v in values]

    def __call__(self, x, pos=None):
        return number(x, 0 if float(x).is_integer() else 2)


def per_1000_bars(values: pd.Series, kinds: pd.Series, title: str, xlabel: str, source: str):
    """comparison_bars for per-1 000 figures (one decimal on the bars) with Swedish ticks."""
    fig = comparison_bars(values, kinds, title, xlabel, source, decimals=1)
    fig.axes[0].xaxis.set_major_formatter(SwedishFormatter())
    return fig


def _gender_axes(n_rows: float = 4.0):
    fig, axes = plt.subplots(1, 2, figsize=(9, n_rows), sharey=True)
    return fig, dict(zip(genders.BOTH, axes, strict=True))


def funnel_plot(
    points: pd.DataFrame,
    centre: dict,
    tau: dict,
    highlight: dict,
    title: str,
    source: str,
    synthetic: bool = False,
    names: dict | None = None,
):
    """Share against leavers for every kommun, women and men side by side: the national share,
    binomial 95 % and 99,8 % limits (chance alone) and overdispersed 95 % limits (chance plus
    the usual spread between kommuner). `highlight` maps codes to names to mark."""
    import numpy as np

    fig, axes = _gender_axes(4.2)
    for g, ax in axes.items():
        part = points[(points["gender"] == g) & (points["n"] > 0)]
        if g not in centre or part.empty:
            ax.set_axis_off()
            continue
        c = centre[g]
        grid = np.logspace(0, np.log10(max(part["n"].max(), 20) * 1.2), 200)
        ax.scatter(part["n"], part["share_pct"], s=9, color="#aaaaaa", label="Kommuner")
        ax.axhline(100 * c, color="#333", linewidth=1, label="Riket (kommunernas summa)")
        for z, style, label in (
            (1.96, "--", "95 % (bara slump)"),
            (3.09, ":", "99,8 % (bara slump)"),
        ):
            half = z * np.sqrt(c * (1 - c) / grid)
            ax.plot(grid, 100 * np.clip(c - half, 0, 1), style, color="#555", linewidth=0.9)
            ax.plot(
                grid, 100 * np.clip(c + half, 0, 1), style, color="#555", linewidth=0.9, label=label
            )
        logit = np.log(c / (1 - c))
        half = 1.96 * np.sqrt(1 / (grid * c * (1 - c)) + tau.get(g, 0.0) ** 2)
        for sign in (-1, 1):
            ax.plot(
                grid,
                100 / (1 + np.exp(-(logit + sign * half))),
                "-",
                color=PALETTE["peer"],
                linewidth=1.5,
                label="95 % (slump och vanlig skillnad mellan kommuner)" if sign > 0 else None,
            )
        marked = part[part["area_code"].isin(list(highlight))]
        ax.scatter(
            marked["n"], marked["share_pct"], s=36, color=GENDER_COLORS[g], zorder=3, label=None
        )
        if len(marked) <= 15:
            for _, r in marked.iterrows():
                ax.annotate(
                    highlight[r["area_code"]],
                    (r["n"], r["share_pct"]),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        ax.set_xscale("log")
        # A log axis has up to eight minor ticks a decade that the style never draws; making
        # them was about 40 % of this chart's cost.
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        percent_limits(ax)
        ax.set_title(GENDER_NAMES[g])
        ax.set_xlabel("Antal som lämnat (logaritmisk skala)")
        ax.xaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda v, _pos: number(v) if v >= 1 else "")
        )
    axes["K"].set_ylabel("Andel i arbete eller studier (%)")
    handles, labels = axes["K"].get_legend_handles_labels()
    fig.suptitle(title, fontweight="bold", fontsize=11)
    fig.set_size_inches(9, 5.2)
    fig.legend(
        handles,
        labels,
        fontsize=7,
        loc="lower center",
        ncol=3,
        frameon=False,
        bbox_to_anchor=(0.5, 0.045),
    )
    return finish(fig, source, synthetic, data=_kommun_rows(points, names or highlight, {
        "n": "Antal som lämnat", "share_pct": "Andel i arbete/studier (%)"}), bottom=0.14)  # fmt: skip


def caterpillar(
    effects: pd.DataFrame, highlight: dict, title: str, source: str, synthetic=False, names=None
):
    """Every kommun's pooled effect (percentage points, 95 % interval) sorted, by gender; the
    kommuner in `highlight` (code -> name) are marked."""
    fig, axes = _gender_axes(4.2)
    for g, ax in axes.items():
        part = effects[effects["gender"] == g].sort_values("effect_pp").reset_index(drop=True)
        if part.empty:
            ax.set_axis_off()
            continue
        x = part.index.to_numpy()
        ax.vlines(x, part["effect_pp_low"], part["effect_pp_high"], color="#cccccc", linewidth=0.8)
        ax.plot(x, part["effect_pp"], "o", color="#999999", markersize=1.8)
        marked = part[part["area_code"].isin(list(highlight))]
        ax.vlines(
            marked.index,
            marked["effect_pp_low"],
            marked["effect_pp_high"],
            color=GENDER_COLORS[g],
            linewidth=2,
        )
        ax.plot(marked.index, marked["effect_pp"], "o", color=GENDER_COLORS[g], markersize=5)
        if len(marked) <= 3:
            for i, r in marked.iterrows():
                ax.annotate(
                    highlight[r["area_code"]],
                    (i, r["effect_pp_high"]),
                    fontsize=8,
                    xytext=(0, 4),
                    textcoords="offset points",
                    ha="center",
                )
        ax.axhline(0, color="#333", linewidth=0.8)
        ax.set_title(GENDER_NAMES[g])
        ax.set_xlabel("Kommunerna, från lägst till högst")
        ax.set_xticks([])
    axes["K"].set_ylabel("Jämfört med förväntat (procentenheter)")
    fig.suptitle(title, fontweight="bold", fontsize=11)
    data = _kommun_rows(effects, names or highlight, {
        "effect_pp": "Jämfört med förväntat (procentenheter)",
        "effect_pp_low": "95 % intervall, nedre", "effect_pp_high": "95 % intervall, övre"})  # fmt: skip
    return finish(fig, source, synthetic, data=data)


def expected_by_gender(rows: pd.DataFrame, name: str, source: str, synthetic: bool = False):
    """Actual share per year against the expected share and its usual range, women and men."""
    fig, axes = _gender_axes(3.8)
    for g, ax in axes.items():
        r = rows[rows["gender"] == g].dropna(subset=["expected_pct"]).sort_values("year")
        if r.empty:
            ax.set_axis_off()
            continue
        ok = r["pi_low"].notna()
        interval_points(
            ax,
            r.loc[ok, "year"],
            r.loc[ok, "expected_pct"],
            r.loc[ok, "pi_low"],
            r.loc[ok, "pi_high"],
            fmt="s",
            color="#999",
            capsize=3,
            label="Förväntat, vanligt spann (95 %)",
        )
        ax.plot(
            r["year"],
            r["actual_pct"],
            GENDER_STYLE[g]["marker"],
            color=GENDER_COLORS[g],
            label=f"{name}, utfall",
        )
        percent_limits(ax)
        ax.set_title(GENDER_NAMES[g])
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=7, loc="upper left")
    axes["K"].set_ylabel("Andel i arbete eller studier (%)")
    fig.suptitle(
        "Utfall jämfört med förväntat givet deltagarna och arbetsmarknaden",
        fontsize=11,
        fontweight="bold",
    )
    return finish(fig, source, synthetic, data=_expected_rows(rows))


def refugee_employment(frame: pd.DataFrame, title: str, source: str, synthetic: bool = False):
    """Refugees' employment over the years: total, women, men (solid) and Kolada's expected
    value (dashed); columns of `frame` are the series labels."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    styles = {
        "Förvärvsarbetande, totalt": ("-", GENDER_COLORS["T"]),
        "Kvinnor": ("-", GENDER_COLORS["K"]),
        "Män": ("-", GENDER_COLORS["M"]),
        "Förväntat enligt Koladas modell (totalt)": ("--", PALETTE["peer"]),
    }
    for column in frame.columns:
        style, color = styles.get(column, ("-", None))
        marker = {"Kvinnor": GENDER_STYLE["K"]["marker"], "Män": GENDER_STYLE["M"]["marker"]}
        ax.plot(
            frame.index, frame[column], style, marker=marker.get(column, "o"), color=color,
            label=column,
        )  # fmt: skip
    percent_limits(ax)
    ax.set_ylabel("Andel förvärvsarbetande (%)")
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    legend_below(ax)
    return finish(fig, source, synthetic, data=frame.rename_axis("År").add_suffix(" (%)"))
