"""Charts for the reports: seaborn/matplotlib, Swedish labels, the source under every chart."""

import matplotlib

matplotlib.use("Agg")  # reports render headless; JupyterLab's inline backend overrides this

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .fmt import number

PALETTE = {"kommun": "#1f5f8b", "lan": "#7fa7c9", "riket": "#b9b9b9", "peer": "#e0a458"}
SYNTHETIC = "SYNTETISKA DATA"


def setup() -> None:
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "figure.figsize": (8, 4),
        }
    )


def finish(fig, source: str, synthetic: bool = False):
    """Put 'Källa: …' (and the synthetic-data mark) under the chart."""
    text = source if source.startswith("Källa") else f"Källa: {source}"
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
    fig.text(0.01, 0.005, text, fontsize=8, color="#444", ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


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
    return finish(fig, source)


def category_mix(shares: pd.DataFrame, source: str):
    """Stacked horizontal bars of category shares (%) for kommun, län and riket."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    left = pd.Series(0.0, index=shares.index)
    colors = sns.color_palette("Set2", n_colors=len(shares.columns))
    for color, column in zip(colors, shares.columns, strict=True):
        ax.barh(shares.index, shares[column], left=left, color=color, label=column)
        for y, (value, start) in enumerate(zip(shares[column], left, strict=True)):
            if value >= 6:
                ax.text(start + value / 2, y, f"{value:.0f}", ha="center", va="center", fontsize=8)
        left = left + shares[column]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("Andel av kommunmottagna (%)")
    ax.set_title("Mottagna efter kategori")
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    ax.xaxis.set_label_position("top")
    return finish(fig, source)


def comparison_bars(
    values: pd.Series, kinds: pd.Series, title: str, xlabel: str, source: str, decimals: int = 1
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
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.margins(x=0.12)
    return finish(fig, source)
