"""Showing report pieces in a notebook: Markdown text, tables with their source, charts."""

import base64
import html
import io
import re

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from .plots import SYNTHETIC

SUMMARY_MIME = "application/vnd.etablering.summary+json"


def text(markdown: str) -> None:
    display(Markdown(markdown))


def notice_html(message: str, kind: str = "missing") -> str:
    """A boxed note, e.g. for missing data. Escaped, since messages may quote file contents;
    only `backticks` become <code>, so the commands an analyst should run stand out."""
    body = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(message))
    return f'<div class="etablering-notice etablering-{kind}">{body}</div>'


def notice(message: str, kind: str = "missing") -> None:
    display(HTML(notice_html(message, kind)))


def table_html(frame: pd.DataFrame, source: str, synthetic: bool = False) -> str:
    body = frame.to_html(classes="etablering-table", border=0, escape=True, na_rep="uppgift saknas")
    mark = f'<p class="etablering-synthetic">{SYNTHETIC}</p>' if synthetic else ""
    src = source if source.startswith("Källa") else f"Källa: {source}"
    return f"{mark}{body}<p class='etablering-source'>{html.escape(src)}</p>"


def table(frame: pd.DataFrame, source: str, synthetic: bool = False) -> None:
    display(HTML(table_html(frame, source, synthetic)))


def chart_html(fig) -> str:
    """The chart as a PNG inside an <img> (opens offline), with its title as alt text."""
    buffer = io.BytesIO()
    # plots.finish already laid the figure out; bbox_inches="tight" would draw it twice
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 3})
    plt.close(fig)
    alt = html.escape(" / ".join(ax.get_title() for ax in fig.axes if ax.get_title()) or "Diagram")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="etablering-chart" alt="{alt}" src="data:image/png;base64,{data}">'


def chart(fig) -> None:
    display(HTML(chart_html(fig)))


def download_html(
    frame: pd.DataFrame, filename: str, label: str = "Ladda ner tabellen (CSV)"
) -> str:
    """A link that saves the table as CSV for Swedish Excel (';', decimal comma, BOM) – it is
    embedded in the page, so it works offline and by mail."""
    csv = frame.to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")
    data = base64.b64encode(csv).decode("ascii")
    return (
        f'<p><a download="{html.escape(filename)}" href="data:text/csv;base64,{data}">'
        f"{html.escape(label)}</a></p>"
    )


def download(frame: pd.DataFrame, filename: str, label: str = "Ladda ner tabellen (CSV)") -> None:
    display(HTML(download_html(frame, filename, label)))


def summary(**figures) -> None:
    """Key figures for the site's summary table; invisible in the report itself."""
    clean = {k: (None if v is None or v != v else v) for k, v in figures.items()}  # NaN -> null
    display({SUMMARY_MIME: clean}, raw=True)


def details_html(summary: str, parts: list[str]) -> str:
    """A folded section (<details>): statistics for those who want them, closed by default."""
    return (
        f"<details class='etablering-details'><summary>{html.escape(summary)}</summary>"
        + "".join(parts)
        + "</details>"
    )


def details(summary: str, parts: list[str]) -> None:
    display(HTML(details_html(summary, parts)))


def markdown_html(markdown: str) -> str:
    """Markdown as HTML, for text inside a folded section (paragraphs, **bold**, *italics*)."""
    out = []
    for block in markdown.split("\n\n"):
        body = html.escape(block)
        body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", body)
        body = re.sub(r"\*(.+?)\*", r"<em>\1</em>", body)
        body = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", body)
        out.append(f"<p>{body}</p>")
    return "".join(out)
