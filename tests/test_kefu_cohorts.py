"""New entrants by stock and flow from Kolada's N00960/N00964, checked against the figures a user
would look up: the kommun's own counts, riket's totals and the reception."""

import pandas as pd
import pytest

from etablering.analysis.kefu.entrants import Count, FillKind, cohorts_for
from etablering.data import store
from etablering.reports.cost import fill_text


@pytest.fixture(scope="module")
def kv(processed):
    return store.read_table("kpi_values", processed)


def test_jonkoping_new_entrants_by_hand(kv):
    co = cohorts_for(kv, "0680")
    e = co.entrants.sum(axis=1)
    # 2016: 1 177 enrolled − (927 enrolled 2015 − 245 left 2015) = 495
    assert e[2016] == pytest.approx(1177 - (927 - 245))
    # 2014 has no year before: enrolled 2014 who left neither 2014 nor 2015
    assert e[2014] == pytest.approx(626 - 89 - 245)
    assert e.loc[2014:2018].sum() == pytest.approx(1877)
    assert co.left.sum(axis=1)[2018] == 610 and not co.notes


def test_hassleholms_2663_entrants_are_the_sum_of_enrolled_during_the_year(kv):
    """The kommun's planning figure '2 663 people entered 2014–2018' is N00960 summed over the
    years, which counts everyone in each year they were enrolled; new entrants are 984."""
    co = cohorts_for(kv, "1293")
    assert co.enrolled.loc[2014:2018].to_numpy().sum() == pytest.approx(2649)
    assert co.entrants.loc[2014:2018].to_numpy().sum() == pytest.approx(984)


def test_riket_new_entrants_match_reception_and_the_kommuner(kv, registry):
    riket = cohorts_for(kv, "0000")
    e = riket.entrants.sum(axis=1)
    assert e[2016] == pytest.approx(82807 - (65122 - 16259))  # 33 944
    # about half of those received each year are new participants (the rest are children,
    # people over 64 and people who move)
    ratio = (e / riket.received).loc[2015:2022]
    assert ratio.between(0.45, 0.56).all(), ratio.round(3).to_dict()
    kommuner = cohorts_for(kv, [a.code for a in registry.kommuner()], "summa")
    both = kommuner.entrants.sum(axis=1).loc[2015:2020] / e.loc[2015:2020]
    assert both.loc[2015:2018].between(0.99, 1.01).all(), both.round(4).to_dict()
    # later years a little higher: a kommun people moved out of gets 0, not a negative number
    assert both.loc[2019:2020].between(1.0, 1.04).all(), both.round(4).to_dict()


def test_small_counts_are_filled_and_named(kv):
    co = cohorts_for(kv, "2403")  # Bjurholm: men who left 2018 are not published
    assert co.left.loc[2018, "M"] == 4  # 9 in total − 5 women
    (fill,) = [f for f in co.notes if f.year == 2018 and f.count == Count.LEFT]
    assert fill.kind == FillKind.OTHER_FROM_TOTAL and fill.gender == "M"
    assert (fill.total, fill.known) == (9, 5)
    assert fill_text(fill) == "Lämnat 2018: män saknas och är totalen minus kvinnor (9 − 5)."


def _rows(values):
    base = {"status": "", "origin": "kolada_api", "retrieved": "", "count": None, "source_file": ""}
    return pd.DataFrame(
        [
            {**base, "kpi": k, "area_code": "9999", "year": y, "gender": g, "value": v}
            for k, y, g, v in values
        ]
    )


def test_missing_leavers_and_negative_entrants():
    rows = []
    for year, (k, m) in {2014: (10, 10), 2015: (20, 20), 2016: (22, 24), 2017: (5, 6)}.items():
        rows += [("N00960", year, "K", k), ("N00960", year, "M", m), ("N00960", year, "T", k + m)]
    for year, (k, m) in {2014: (2, 2), 2015: (3, 3), 2017: (1, 1)}.items():
        rows += [("N00964", year, "K", k), ("N00964", year, "M", m), ("N00964", year, "T", k + m)]
    co = cohorts_for(_rows(rows), "9999")
    # 2016's leavers are missing: the entrants two years before (2014), at most the enrolled
    assert co.left.loc[2016].tolist() == co.entrants.loc[2014].tolist()
    assert any(f.kind == FillKind.LEFT_FROM_ENTRANTS and f.year == 2016 for f in co.notes)
    assert any(fill_text(f).startswith("Lämnat 2016 saknas i Kolada") for f in co.notes)
    # 2017: 5 − (22 − left 2016) < 0 → 0, named
    assert co.entrants.loc[2017, "K"] == 0
    assert any(fill_text(f).startswith("Nya inskrivna 2017, kvinnor:") for f in co.notes)


def test_one_year_without_enrolled_is_bridged_two_end_the_cohorts(kv):
    """Öckerö has no N00960 for 2015 (0 in 2014, 14 in 2016): its cohorts ended in 2014 and
    its report said 0,0 Mkr. One missing year is the mean of its neighbours, named; two or
    more in a row still end the cohorts before them."""
    co = cohorts_for(kv, "1407")
    assert co.enrolled.loc[2015].tolist() == [3.0, 4.0]  # (0 + 6) / 2, (0 + 8) / 2
    assert co.last_year == 2022
    # 2016: 14 enrolled − (7 − 0 left 2015) = 7 new
    assert co.entrants.sum(axis=1).loc[2015:2016].tolist() == [7.0, 7.0]
    (fill,) = [f for f in co.notes if f.kind == FillKind.ENROLLED_BETWEEN]
    assert fill_text(fill) == (
        "Inskrivna 2015 saknas i Kolada; satt till medlet av året före och året efter (7)."
    )
    rows = []
    for year in (2014, 2017, 2018):
        rows += [("N00960", year, g, 10) for g in ("K", "M")]
        rows += [("N00964", year, g, 2) for g in ("K", "M")]
    co = cohorts_for(_rows(rows), "9999")
    assert co.last_year == 2014 and [f.kind for f in co.notes] == [FillKind.ENROLLED_END]


def test_a_lan_and_its_kommuner_share_each_kommuns_cohorts(kv, registry, params, monkeypatch):
    """A län's report sums its kommuner's cohorts and then runs each kommun on its own: the
    panel works out each kommun's once, and the sum is the same as from the raw rows."""
    from etablering.analysis.kefu import model

    members = [a.code for a in registry.kommuner("06")]
    calls = []
    real = model.one_area
    monkeypatch.setattr(
        model, "one_area", lambda rows, code: calls.append(code) or real(rows, code)
    )
    panel = model.Panel.build(kv, params)
    lan = panel.cohorts(members, "0006")
    each = [panel.cohorts([code], code) for code in members]
    assert sorted(calls) == sorted(members)  # once per kommun, not for the län and again
    by_rows = cohorts_for(kv, members, "0006")
    pd.testing.assert_frame_equal(lan.entrants, by_rows.entrants)
    assert lan.area_code == "0006" and lan.members == len(members) == 13
    pd.testing.assert_frame_equal(each[0].entrants, cohorts_for(kv, members[0]).entrants)
    assert each[0].area_code == members[0]
