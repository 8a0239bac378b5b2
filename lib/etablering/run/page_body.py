"""An executed notebook as the body of its report page: the notebook's headings and the outputs
the library made, none of the code.

Every output of a report is HTML the library built and escaped itself (present/display.py), so
it goes into the page as it is. nbconvert's exporter spent a tenth of a second a report parsing
all of it again with BeautifulSoup; what it added (prompts, wrapper divs) the page hid anyway.
"""

import html
import re

from ..core.summary import SUMMARY_MIME
from ..present.markdown import markdown_html

# Cells tagged so speak to JupyterLab users ("change the parameters in the next cell").
HIDDEN_TAG = "remove-cell"
IMAGE_TYPES = ("image/png", "image/jpeg")
_HEADING = re.compile(r"<(h[1-6])>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def body(nb) -> str:
    """The page's body: each heading with an id to link to (#Scenarier), each output in order.
    The notebook's Markdown goes through the library's renderer: raw HTML in it is text."""
    parts = []
    for cell in nb.cells:
        if HIDDEN_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            parts.append(_HEADING.sub(_with_id, markdown_html(cell.source)))
        elif cell.cell_type == "code":
            parts.extend(output_html(o) for o in cell.get("outputs", []))
    return "\n".join(p.strip() for p in parts if p.strip())


def output_html(output) -> str:
    """One output as HTML: the library's own HTML as is, an image embedded, text escaped.
    Warnings (stderr) are for developers and summaries for the index page: neither is shown."""
    kind = output.get("output_type")
    if kind == "stream":
        return "" if output.get("name") == "stderr" else _pre(_text(output.get("text", "")))
    if kind == "error":
        return _pre(_ANSI.sub("", "\n".join(output.get("traceback", []))))
    data = output.get("data", {})
    if SUMMARY_MIME in data:
        return ""
    if "text/html" in data:
        return _text(data["text/html"])
    for mime in IMAGE_TYPES:
        if mime in data:
            return f'<img alt="" src="data:{mime};base64,{_text(data[mime]).strip()}">'
    if "text/plain" in data:
        return _pre(_text(data["text/plain"]))
    return ""


def _with_id(match: re.Match) -> str:
    tag, inner = match.group(1), match.group(2)
    anchor = html.unescape(_TAG.sub("", inner)).strip().replace(" ", "-")
    return f'<{tag} id="{html.escape(anchor, quote=True)}">{inner}</{tag}>'


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>" if text.strip() else ""
