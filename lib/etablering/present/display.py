"""Showing report pieces in a notebook: Markdown text, tables with their source, charts.

Everything reaches the notebook as HTML made here, never as Markdown for nbconvert or
JupyterLab to render: their renderers keep raw HTML, so a kommun name like
`<script>…</script>` from an imported file would run in every report that names it. The
library's Markdown is rendered with raw HTML off (a tag in data stays visible text), without
links or images (the library writes none; a link in data stays text) and tables escaped.
"""

import base64
import html
import io
import re

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, display

from ..core.names import slug
from ..core.summary import SUMMARY_MIME
from . import export
from .markdown import markdown_html
from .plots import CHART_DPI, SCREEN_DPI, SYNTHETIC


def text(markdown: str) -> None:
    display(
        {"text/html": markdown_html(markdown), "text/plain": str(markdown)},
        raw=True,
    )


def notice_html(message: str, kind: str = "missing", details: str | None = None) -> str:
    """A short note, e.g. for missing data: one line that says what is missing and the command
    that fixes it, with the particulars (a list of KPI codes, where to download a file) folded
    away under 'Detaljer'. Escaped, since messages may quote file contents; only `backticks`
    become <code>, so the commands an analyst should run stand out."""

    def body(text: str) -> str:
        return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(text))

    folded = (
        f"<details><summary>Detaljer</summary><div>{body(details)}</div></details>"
        if details
        else ""
    )
    return f'<div class="etablering-notice etablering-{kind}">{body(message)}{folded}</div>'


def notice(message: str, kind: str = "missing", details: str | None = None) -> None:
    display(HTML(notice_html(message, kind, details)))


def table_html(frame: pd.DataFrame, source: str, synthetic: bool = False) -> str:
    body = frame.to_html(classes="etablering-table", border=0, escape=True, na_rep="uppgift saknas")
    mark = f'<p class="etablering-synthetic">{SYNTHETIC}</p>' if synthetic else ""
    src = source if source.startswith("Källa") else f"Källa: {source}"
    return f"{mark}{body}<p class='etablering-source'>{html.escape(src)}</p>"


def table(frame: pd.DataFrame, source: str, synthetic: bool = False) -> None:
    display(HTML(table_html(frame, source, synthetic)))


def _png(fig) -> bytes:
    """The figure at CHART_DPI as a 256-colour PNG: charts are flat colours, so a palette
    keeps them sharp at about a third of the bytes of a full-colour PNG (a report with a
    dozen charts stays well under 2 MB)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # plots.setup makes figures at CHART_DPI: drawn on the canvas they were laid out on, every
    # text's size is already known. Others (made without setup) scale, being laid out in inches.
    screen = fig.dpi
    if screen != CHART_DPI:
        fig.set_dpi(CHART_DPI)
    try:
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        alpha = image.getchannel("A")
        if alpha.getextrema() == (255, 255):
            flat = image.convert("RGB")  # opaque (every chart on its white figure): same pixels
        else:
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=alpha)
    finally:
        if screen != CHART_DPI:
            fig.set_dpi(screen)
    palette = flat.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    # zlib's default level: level 9 took 0.2 s a chart (a fifth of a report) for 14 % fewer
    # bytes; the pixels are the same
    palette.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def chart_html(fig) -> str:
    """The chart as a PNG inside an <img> (opens offline), with its title as alt text, drawn
    at twice the screen resolution and shown at its natural size (crisp in Word and on paper).
    A chart that carries its data (plots.finish(data=…)) gets a CSV download of it below."""
    width, height = (round(v * SCREEN_DPI) for v in fig.get_size_inches())
    png = _png(fig)
    plt.close(fig)
    title = " / ".join(ax.get_title() for ax in fig.axes if ax.get_title())
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    alt = html.escape((suptitle or title or "Diagram").replace("\n", " "))
    data = base64.b64encode(png).decode("ascii")
    img = (
        f'<img class="etablering-chart" alt="{alt}" width="{width}" height="{height}" '
        f'src="data:image/png;base64,{data}">'
    )
    table = getattr(fig, "etablering_data", None)
    has_year = "År" in table.frame.columns or table.frame.index.name == "År" if table else False
    if table is None or (table.year is None and not has_year):
        # no year to put in the download's År column (a chart without one in its title or
        # data): the chart without a download rather than a download without a year
        return f'<figure class="etablering-figure">{img}</figure>'
    filename = f"{slug(suptitle or title or 'diagram')[:60]}.csv"
    link = download_html(
        table.frame,
        filename,
        table.source,
        "Ladda ner diagrammets data (CSV)",
        year=table.year,
        decimals=table.decimals,
    )
    return f'<figure class="etablering-figure">{img}{link}</figure>'


def chart(fig) -> None:
    display(HTML(chart_html(fig)))


def download_html(
    frame: pd.DataFrame,
    filename: str,
    source: str,
    label: str = "Ladda ner tabellen (CSV)",
    year=None,
    decimals: dict | None = None,
) -> str:
    """A link that saves the table as CSV for Swedish Excel (export.csv_bytes: ';', decimal
    comma, BOM, rounded, `År` and `Källa` columns) – it is embedded in the page, so it works
    offline and by mail. Text a spreadsheet would evaluate as a formula (a name beginning
    with '=') is kept as text (sheetsafe)."""
    csv = export.csv_bytes(frame, source, year=year, decimals=decimals)
    data = base64.b64encode(csv).decode("ascii")
    return (
        f'<p class="etablering-download"><a download="{html.escape(filename)}" '
        f'href="data:text/csv;base64,{data}">{html.escape(label)}</a></p>'
    )


def download(frame: pd.DataFrame, filename: str, source: str, **options) -> None:
    """Shows download_html's link; `options` are its label, year and decimals."""
    display(HTML(download_html(frame, filename, source, **options)))


def summary(**figures) -> None:
    """Key figures for the site's summary table; invisible in the report itself."""
    clean = {k: (None if v is None or v != v else v) for k, v in figures.items()}  # NaN -> null
    display({SUMMARY_MIME: clean}, raw=True)


def details_html(summary: str, parts: list[str], appendix: bool = False) -> str:
    """A folded section (<details>): statistics for those who want them, closed by default.
    Printed open – except an `appendix`, which is printed only if the reader opened it."""
    kind = "etablering-details etablering-appendix" if appendix else "etablering-details"
    return (
        f"<details class='{kind}'><summary>{html.escape(summary)}</summary>"
        + "".join(parts)
        + "</details>"
    )


def details(summary: str, parts: list[str], appendix: bool = False) -> None:
    display(HTML(details_html(summary, parts, appendix)))
