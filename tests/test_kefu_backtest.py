"""`etablering backtest`: the model beside what every kommun actually paid, as a CSV a Swedish
Excel opens, and its summary."""

import pandas as pd
import pytest

from etablering.analysis.kefu import Panel, backtest, load_params
from etablering.data import store
from etablering.run.cli import main

SAMPLE = [
    ("0680", "Jönköping"),
    ("1293", "Hässleholm"),
    ("2403", "Bjurholm"),
    ("0114", "Upplands Väsby"),
]


@pytest.fixture(scope="module")
def result(processed):
    params = load_params()
    data = Panel.build(store.read_table("kpi_values", processed), params)
    return backtest.run(data, params, SAMPLE, n_draws=200)


def test_one_row_per_kommun_and_year_below_the_total(result):
    rows = result.rows
    assert list(rows.columns) == backtest.COLUMNS
    assert set(rows["ar"]) == set(range(2016, 2023)) and len(rows) == 4 * 7
    ok = rows.dropna(subset=["faktiskt_mkr"])
    assert (ok["modell_hog_mkr"] <= ok["faktiskt_mkr"]).all()  # never more than was paid
    assert (rows["modell_lag_mkr"] <= rows["modell_mkr"]).all()
    assert (rows["modell_mkr"] <= rows["modell_hog_mkr"]).all()
    j = rows[(rows["kommun"] == "0680") & (rows["ar"] == 2018)].iloc[0]
    assert j["faktiskt_mkr"] == pytest.approx(119.38, abs=0.01)  # N31857 / 1 000
    assert j["faktiskt_flykting_mkr"] == pytest.approx(11.6, abs=0.05)


def test_metrics(result):
    m = result.metrics()
    assert m["kommuner"] == 4 and m["over_totalen"] == 0
    assert m["flykting_sankta"] == 0  # all four are below their statistic
    assert m["forandring_kommuner"] == 4
    assert 0 <= m["forandring_inom_95"] <= 1
    assert m["forandring_inom_95"] + m["forandring_over_band"] + m["forandring_under_band"] == (
        pytest.approx(1)
    )


def test_a_capped_kommun_says_by_how_much(processed):
    """Södertälje's model was 192 % of its flyktinghushåll statistic 2016–2022: its level is
    lowered to 52 %, so the model's cost in those years sums to the statistic."""
    params = load_params()
    data = Panel.build(store.read_table("kpi_values", processed), params)
    capped = backtest.run(data, params, [("0181", "Södertälje")], n_draws=50)
    rows = capped.rows
    assert rows["niva_sankt_till"].round(2).unique().tolist() == [0.52]
    assert rows["modell_flykting_mkr"].sum() == pytest.approx(
        rows["faktiskt_flykting_mkr"].sum(), rel=1e-6
    )
    assert capped.metrics()["flykting_sankta"] == 1


def test_csv_for_swedish_excel(result, tmp_path):
    path = tmp_path / "bt.csv"
    backtest.write_csv(result.rows, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("kommun;namn;ar;modell_mkr;modell_lag_mkr")
    assert "\n0114;Upplands Väsby;2016;" in text  # the code as text, leading zero kept
    back = pd.read_csv(path, sep=";", decimal=",", dtype={"kommun": str}, encoding="utf-8-sig")
    assert back["faktiskt_mkr"].dtype == float and back["kommun"].iloc[0] == "0680"


def test_command(processed, tmp_path, capsys):
    out = tmp_path / "bt.csv"
    assert main(["backtest", "0680", "Hässleholm", "--draws", "50", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Skrev 14 rader" in printed and "Förändring 2016–2020" in printed
    assert "95 %-spann över kommunens totala bistånd (N31857): 0 kommun-år" in printed
    assert out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["backtest", "--draws", "5"], "--draws måste vara mellan 10"),
        (["backtest", "Atlantis"], "Atlantis"),
        (["backtest", "--out", "/finns/inte/bt.csv"], "finns inte"),
    ],
)
def test_bad_input_exits_2(processed, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("fel: ") and message in err and "Traceback" not in err
