"""The report page's body: headings and the library's outputs in order, no code, no warnings,
nothing from a cell's text or a notebook's Markdown that a browser would run."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from etablering.core.summary import SUMMARY_MIME
from etablering.run.page_body import body


def _notebook(*cells):
    return new_notebook(cells=list(cells))


def test_headings_and_outputs_in_order_without_code_or_developer_output():
    hidden = new_markdown_cell("# Ändra parametrarna i nästa cell")
    hidden.metadata["tags"] = ["remove-cell"]
    chart = new_code_cell(
        "show.chart(fig)",
        outputs=[
            new_output("stream", name="stderr", text="UserWarning: något för utvecklare\n"),
            new_output("display_data", data={SUMMARY_MIME: {"andel": 43}}),
            new_output(
                "display_data",
                data={
                    "text/html": '<figure class="etablering-figure">X</figure>',
                    "text/plain": "x",
                },
            ),
        ],
    )
    nb = _notebook(
        hidden,
        new_markdown_cell("## Kvinnor och män över tid"),
        chart,
        new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1 < 2\n")]),
    )
    page = body(nb)
    assert page == (
        '<h2 id="Kvinnor-och-män-över-tid">Kvinnor och män över tid</h2>\n'
        '<figure class="etablering-figure">X</figure>\n'
        "<pre>1 &lt; 2\n</pre>"
    )
    assert "show.chart" not in page and "Ändra parametrarna" not in page


def test_text_and_markdown_from_a_notebook_are_shown_as_text():
    nb = _notebook(
        new_markdown_cell('## Rubrik <script>alert("md")</script>'),
        new_code_cell(
            "x",
            outputs=[
                new_output("execute_result", data={"text/plain": "<script>alert(1)</script>"})
            ],
        ),
    )
    page = body(nb)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.startswith('<h2 id="Rubrik-&lt;script&gt;alert(&quot;md&quot;)&lt;/script&gt;">')


def test_a_figure_left_open_is_embedded_as_an_image():
    nb = _notebook(
        new_code_cell("fig", outputs=[new_output("display_data", data={"image/png": "iVBORw0K\n"})])
    )
    assert body(nb) == '<img alt="" src="data:image/png;base64,iVBORw0K">'


def test_a_saved_notebook_reads_back_to_the_same_body(tmp_path):
    nb = _notebook(
        new_markdown_cell("## Sammanfattning"),
        new_code_cell(
            "", outputs=[new_output("display_data", data={"text/html": ["<p>a</p>", "<p>b</p>"]})]
        ),
    )
    path = tmp_path / "r.ipynb"
    nbformat.write(nb, path)
    assert body(nbformat.read(path, as_version=4)) == body(nb)
    assert body(nb).endswith("<p>a</p><p>b</p>")
