"""Charts keep their words on the page: long titles and axis labels are wrapped, not cut."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from etablering.present import plots


def test_long_title_and_x_label_beside_long_tick_labels_stay_inside_the_figure():
    plots.setup()
    tornado = pd.DataFrame(
        {
            "label": ["Andel utan arbete/studier som behöver bistånd", "Hyra / hyrestak"],
            "cost_at_low_kr": [40e6, 50e6],
            "cost_at_high_kr": [65e6, 55e6],
        }
    )
    title = "Känslighet: ett antagande i taget till sitt låga och höga värde, övriga som i basen"
    fig = plots.tornado_chart(tornado, 52e6, title, "Källa: test")
    renderer = fig.canvas.get_renderer()
    page = fig.get_window_extent(renderer)
    ax = fig.axes[0]
    for label in (ax.title, ax.xaxis.label):
        box = label.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1, label.get_text()
    assert ax.title.get_text().replace("\n", " ") == title  # wrapped, nothing dropped
    plt.close(fig)


def test_a_short_title_is_left_alone():
    plots.setup()
    fig, ax = plt.subplots()
    ax.set_title("Kort titel")
    plots.finish(fig, "Källa: test")
    assert ax.title.get_text() == "Kort titel"
    plt.close(fig)


def test_a_long_source_is_broken_into_lines_that_fit_and_keeps_every_word():
    plots.setup()
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([2020, 2021], [1, 2])
    source = "Källa: Kolada (RKA), " + ", ".join(
        f"N0{i:04d} en lång nyckeltalstitel" for i in range(9)
    )
    plots.finish(fig, source)
    (text,) = fig.texts
    lines = text.get_text().split("\n")
    assert len(lines) >= 3
    assert " ".join(lines) == source
    renderer = fig.canvas.get_renderer()
    assert text.get_window_extent(renderer).x1 <= fig.get_window_extent(renderer).x1
    plt.close(fig)


def test_charts_are_drawn_at_twice_the_resolution_they_are_shown_at():
    from etablering.present import display

    plots.setup()
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot([2020, 2021], [1, 2])
    plots.finish(fig, "Källa: test")
    page = display.chart_html(fig)
    assert 'width="800" height="400"' in page
    import base64
    import io

    from PIL import Image

    png = base64.b64decode(page.split("base64,")[1].split('"')[0])
    assert Image.open(io.BytesIO(png)).size == (1600, 800)


def test_a_transparent_figure_is_flattened_on_white_and_an_opaque_one_keeps_its_colours():
    import io

    from PIL import Image

    from etablering.present import display

    def pixels(facecolor):
        fig = plt.figure(figsize=(1, 1), dpi=50, facecolor=facecolor)
        fig.add_artist(plt.Rectangle((0, 0), 0.5, 1, color="#0072B2", alpha=0.5))
        png = display._png(fig)
        plt.close(fig)
        return Image.open(io.BytesIO(png)).convert("RGB")

    clear, grey = pixels("none"), pixels("#808080")
    # the right half: nothing drawn on a transparent figure is white, not black
    assert clear.getpixel((clear.width - 5, 5)) == (255, 255, 255)
    assert grey.getpixel((grey.width - 5, 5)) == (128, 128, 128)

    # the half-transparent blue over white and over grey
    def near(pixel, expected):
        return all(abs(v - w) <= 2 for v, w in zip(pixel, expected, strict=True))

    assert near(clear.getpixel((5, 5)), (127, 184, 216))
    assert near(grey.getpixel((5, 5)), (64, 121, 153))


def test_one_measuring_pass_lays_a_chart_out_as_tight_layout_with_a_rect_does():
    def single():
        fig, ax = plt.subplots(figsize=(8, 3.6))
        ax.barh(["Högst förgymnasial utbildning", "Eftergymnasial"], [35, 1200])
        ax.set_xlabel("Andel av de inskrivna (%)")
        ax.set_title("Utbildning bland inskrivna, 2022")
        ax.legend(["Kvinnor"], loc="lower right")
        return fig

    def pair():
        fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharey=True)
        for ax, title in zip(axes, ("Kvinnor", "Män"), strict=True):
            ax.plot([1, 10, 100], [20, 40, 60], label="Kommuner")
            ax.set_xscale("log")
            ax.set_title(title)
            ax.set_xlabel("Antal som lämnat (logaritmisk skala)")
        axes[0].set_ylabel("Andel i arbete eller studier (%)")
        fig.suptitle("Alla kommuner, 2020–2022", fontweight="bold")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center")
        return fig

    def rows():
        fig, axes = plt.subplots(2, 1, figsize=(8, 6))
        for ax in axes:
            ax.barh(["Kommunmottagna totalt", "Kommuntal"], [241, 199])
            ax.set_xlabel("Personer")
        return fig

    plots.setup()
    for make in (single, pair, rows):
        for bottom in (0.0, 0.06, 0.14):
            ours, theirs = make(), make()
            plots._tight_above(ours, bottom)
            theirs.tight_layout(rect=(0, bottom, 1, 1))
            for name, value in vars(theirs.subplotpars).items():
                assert getattr(ours.subplotpars, name) == pytest.approx(value, abs=1e-9), name
            plt.close(ours)
            plt.close(theirs)


def test_million_kronor_ticks_are_whole_steps_with_the_decimals_they_need():
    for top, expected in (
        (15.6e6, "0 2 4 6 8 10 12 14 16"),
        (0.7e6, "0,0 0,1 0,2 0,3 0,4 0,5 0,6 0,7"),
    ):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, top])
        plots.mkr_axis(ax)
        ax.set_ylim(0, top)
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        assert " ".join(labels).replace("\u2212", "-") == expected
        plt.close(fig)


def test_every_axis_speaks_swedish_and_every_chart_carries_its_data():
    plots.setup()
    gap = pd.DataFrame(
        {
            "year": [2020, 2021, 2022],
            "gap_pp": [0.0, 12.5, -3.25],
            "gap_low": [None] * 3,
            "gap_high": [None] * 3,
        }  # fmt: skip
    )
    fig = plots.gap_over_time(gap, "Källa: test")
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    years = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and not any("." in t or "-" in t for t in ticks), ticks  # '12,5', '−2,5'
    assert any("," in t for t in ticks) and any(t.startswith("\u2212") for t in ticks)
    assert "2021" in years  # a year is not '2 021'
    data = fig.etablering_data
    assert list(data.frame.columns)[:2] == ["År", "Kvinnor − män (procentenheter)"]
    assert data.source == "Källa: test"
    plt.close(fig)


def test_women_and_men_differ_by_more_than_colour():
    assert plots.GENDER_STYLE["K"]["marker"] != plots.GENDER_STYLE["M"]["marker"]
    assert plots.GENDER_STYLE["K"]["linestyle"] != plots.GENDER_STYLE["M"]["linestyle"]
    # Okabe–Ito: never a red and a green together
    assert set(plots.GENDER_COLORS.values()) <= {*plots.OKABE_ITO.values(), "#555555"}


def test_a_title_clears_an_axis_label_placed_above_the_bars():
    # titles sit at a fixed height (cheaper to lay out); the one chart with its axis label on
    # top lifts its title over it
    plots.setup()
    shares = pd.DataFrame(
        {"Kvotflyktingar": [10.0, 7.0], "Anhöriga": [90.0, 93.0]}, index=["Jönköping", "Riket"]
    )
    fig = plots.category_mix(shares, "Källa: test", title="Mottagna efter kategori 2018")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    title, label = (t.get_window_extent(renderer) for t in (ax.title, ax.xaxis.label))
    assert title.y0 >= label.y1
    plt.close(fig)


@pytest.mark.parametrize("nudge", [-1e-3, 1e-3])
def test_scenarios_ending_together_share_one_label_in_their_own_order(nudge):
    """A rounding error in the last krona must not reorder the names at the line ends."""
    ends = {"bas": 100e6, "aktiv": 100e6 + nudge, "langsamt": 150e6}
    frame = pd.DataFrame(
        [
            {"scenario": name, "year": year, "cost_kr": cost}
            for name, end in ends.items()
            for year, cost in ((2023, 90e6), (2024, end))
        ]
    )
    labels = {"bas": "Basscenario", "aktiv": "Aktiv från dag ett", "langsamt": "Långsamt"}
    fig = plots.scenario_lines(frame, labels, "Källa: test")
    written = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
    assert "Basscenario ≈ Aktiv från dag ett" in written and "Långsamt" in written
    plt.close(fig)


def test_a_share_of_exactly_0_or_100_shows_its_whole_marker():
    frame = pd.DataFrame({"Kvinnor": [0.0, 55.0], "Män": [100.0, 60.0]}, index=[2021, 2022])
    fig = plots.refugee_employment(frame, "Liten kommun", "Källa: test")
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    assert low < 0 and high > 100
    assert [t for t in ax.get_yticks() if low <= t <= high] == [0, 20, 40, 60, 80, 100]
    plt.close(fig)


def test_the_legend_of_grouped_bars_covers_no_bar():
    frame = pd.DataFrame(
        {"Kvinnor": [20.0, 31.0, 23.0], "Män": [25.0, 53.0, 58.0], "Totalt": [43.0, 41.0, 35.0]},
        index=["Bjurholm", "Västerbottens län", "Riket"],
    )
    fig = plots.grouped_bars(frame, "I arbete eller studier", "Andel (%)", "Källa: test")
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    bars = [p.get_window_extent() for p in ax.patches]
    assert bars and not any(legend.overlaps(b) for b in bars)
    plt.close(fig)


def test_a_lans_tall_bar_chart_has_no_band_of_white_under_the_bars_or_the_axis():
    """A län's 26 kommuner: the last bars end near the axes' bottom (not a row and a half of
    empty axes above it) and the source sits close under the axis label (not an inch below)."""
    rows = [f"Kommun {i} (50/40)" for i in range(26)] + ["Stockholms län (3 837/3 503)", "Riket"]
    frame = pd.DataFrame({"Kvinnor": 40.0, "Män": 50.0}, index=rows)
    fig = plots.grouped_bars(frame, "Stockholms län", "Andel (%)", "Källa: test; " + "ord " * 40)
    fig.canvas.draw()
    ax, inch = fig.axes[0], fig.dpi
    top_bar = min(p.get_window_extent().y0 for p in ax.patches)  # lowest bar on the page
    row = ax.transData.transform((0, 0))[1] - ax.transData.transform((0, 1))[1]
    assert top_bar - ax.bbox.y0 < 0.3 * row  # was about 1,4 rows
    source = fig.texts[-1].get_window_extent()
    label = ax.xaxis.label.get_window_extent()
    assert label.y0 - source.y1 < 0.5 * inch  # was about 0,85 inch at 17 inches of height
    assert label.y0 > source.y1  # and they do not touch
    plt.close(fig)
    values = pd.Series(1.0, index=rows)
    fig = plots.comparison_bars(values, pd.Series("kommun", index=rows), "T", "x", "Källa: test")
    fig.canvas.draw()
    ax = fig.axes[0]
    row = ax.transData.transform((0, 0))[1] - ax.transData.transform((0, 1))[1]
    assert min(p.get_window_extent().y0 for p in ax.patches) - ax.bbox.y0 < 0.3 * row
    first, last = (p.get_window_extent().y0 for p in (ax.patches[0], ax.patches[-1]))
    assert first > last  # the first area on top
    plt.close(fig)


def test_an_ordinary_chart_keeps_six_percent_under_its_axes_for_the_source():
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot([2018, 2019], [1, 2])
    plots.finish(fig, "Källa: test")
    before = fig.subplotpars.bottom
    fig2, ax2 = plt.subplots(figsize=(8, 4))
    ax2.plot([2018, 2019], [1, 2])
    plots.finish(fig2, "Källa: test", bottom=0.06)
    assert before == fig2.subplotpars.bottom  # unchanged layout up to about 6 inches
    plt.close(fig)
    plt.close(fig2)


def _legend_under_the_year_labels(fig) -> bool:
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    labels = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    return legend.y1 <= min(b.y0 for b in labels)


def test_a_chart_over_time_keeps_its_legend_off_a_peak_in_any_corner():
    years = range(2005, 2023)
    peak_first = pd.DataFrame(
        {"Bjurholm, egen beräkning": [12.4] + [4.0] * 17, "Riket, egen beräkning": [2.0] * 18},
        index=years,
    )
    fig = plots.per_1000_lines(peak_first, "Bjurholm: kommunmottagna per 1 000", "Källa: test")
    assert _legend_under_the_year_labels(fig)
    plt.close(fig)
    shares = pd.DataFrame({"Kvinnor": [100.0, 20.0], "Män": [0.0, 60.0]}, index=[2021, 2022])
    fig = plots.refugee_employment(shares, "Liten kommun", "Källa: test")
    assert _legend_under_the_year_labels(fig)
    plt.close(fig)


def test_the_gap_chart_lists_only_the_kinds_of_point_it_has():
    def legend(gap):
        fig = plots.gap_over_time(pd.DataFrame(gap), "Källa: test")
        texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        plt.close(fig)
        return texts

    with_ci = {"year": [2021, 2022], "gap_pp": [-20.0, -8.0], "gap_low": [-29.0, -14.0],
               "gap_high": [-11.0, -2.0]}  # fmt: skip
    assert legend(with_ci) == ["med 95 % intervall"]
    mixed = with_ci | {"gap_low": [-29.0, None], "gap_high": [-11.0, None]}
    assert len(legend(mixed)) == 2


def test_the_tornado_keeps_its_figures_inside_the_axes_off_the_labels():
    tornado = pd.DataFrame(
        {
            "label": ["Kommunens nivå mot rikskalibreringen (faktor)", "Hyra / hyrestak"],
            "cost_at_low_kr": [148.6e6, 329.4e6],
            "cost_at_high_kr": [785.5e6, 401.7e6],
        }
    )
    fig = plots.tornado_chart(tornado, 372e6, "Känslighet", "Källa: test")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    figures = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(figures) == 4
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in figures)
    plt.close(fig)


def test_the_category_legend_sits_under_the_ticks_not_half_an_inch_above_the_source():
    shares = pd.DataFrame(
        {"Kvotflyktingar": [10.0, 7.0], "ABO": [32.0, 18.0], "EBO": [20.0, 23.0],
         "Övriga": [11.0, 11.0], "Anhöriga": [27.0, 41.0]},
        index=["Jönköping", "Riket"],
    )  # fmt: skip
    fig = plots.category_mix(shares, "Källa: test", "Mottagna efter kategori 2018")
    fig.canvas.draw()
    ax = fig.axes[0]
    legend, source = ax.get_legend().get_window_extent(), fig.texts[-1].get_window_extent()
    ticks = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
    assert legend.y1 <= min(t.y0 for t in ticks) + 1  # under the tick labels (its padding aside)
    assert 0 < legend.y0 - source.y1 < 0.3 * fig.dpi  # was half an inch of white
    plt.close(fig)
