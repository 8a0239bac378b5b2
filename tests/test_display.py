"""What the report pieces turn into: escaped notices with commands as code, tables with their
source and the synthetic mark, and a CSV download Swedish Excel opens."""

import base64
import re

import pandas as pd

from etablering.present import display


def test_notice_escapes_and_shows_commands_as_code():
    out = display.notice_html(
        "Fil <b>x.csv</b> saknas. Kör `etablering data import` & försök igen."
    )
    assert "<b>" not in out and "&lt;b&gt;x.csv&lt;/b&gt;" in out
    assert "<code>etablering data import</code>" in out and "&amp; försök" in out
    assert display.notice_html("`<script>`").count("<script>") == 0


def test_table_has_source_missing_values_and_synthetic_mark():
    frame = pd.DataFrame({"Andel": [0.5, None]}, index=["Kvinnor", "Män"])
    out = display.table_html(frame, "Kolada N00973", synthetic=True)
    assert "SYNTETISKA DATA" in out and "Källa: Kolada N00973" in out
    assert "uppgift saknas" in out
    assert display.table_html(frame, "Källa: SCB").count("Källa:") == 1


def test_download_is_semicolon_csv_with_decimal_comma_and_bom():
    out = display.download_html(
        pd.DataFrame({"År": [2018], "Andel": [0.25], "Antal": [84.0]}), "x.csv", "Kolada"
    )
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', out)
    assert href, "no data link"
    raw = base64.b64decode(href.group(1))
    assert raw.startswith(b"\xef\xbb\xbf")
    # a count reads 84, not 84,0; every row says its year and source
    assert raw.decode("utf-8-sig").splitlines() == ["År;Andel;Antal;Källa", "2018;0,25;84;Kolada"]
