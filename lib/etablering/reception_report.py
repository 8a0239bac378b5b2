"""Everything the 01-mottagande notebook shows, assembled from `reception` and worded in Swedish.

The notebook only displays what `build()` returns, so every number and sentence is tested here.
"""

from dataclasses import dataclass, field

import pandas as pd

from . import fmt, reception, store
from .errors import MissingDataError
from .params import ReportParams
from .registry import Area, Registry
from .schemas import CATEGORIES

SOURCE_MIGRATIONSVERKET = "Migrationsverket: Anvisningar enligt kommuntalen {y}; Kommunmottagna enligt ersättningsförordningen {y}"


@dataclass
class ReceptionReport:
    area: Area
    lan: Area
    year: int
    row: pd.Series
    lan_totals: reception.Totals
    riket_totals: reception.Totals
    peer_title: str | None
    peer_members: list[str]
    peer_means: dict[str, tuple[float, int]]
    lanstal: pd.DataFrame
    table: pd.DataFrame  # all kommuner, for charts
    notes: list[str] = field(default_factory=list)

    @property
    def is_lan(self) -> bool:
        """A län's report: `row` is the sum over its kommuner, and `lan` is the area itself."""
        return self.area.kind == "lan"

    @property
    def population_note(self) -> str:
        r = self.row
        if pd.isna(r["population"]):
            return "Folkmängd saknas för kommunen; antal per 1 000 invånare kan inte beräknas."
        if r["population_proxy"]:
            return (
                f"Folkmängd {self.year} saknas i underlaget; antal per 1 000 invånare använder "
                f"folkmängden {r['population_year']} (närmaste år) som ersättning."
            )
        return f"Folkmängd 31 december {self.year} (SCB)."

    def source(self, population: bool = False) -> str:
        text = "Källa: " + SOURCE_MIGRATIONSVERKET.format(y=self.year)
        if population:
            y = (
                int(self.row["population_year"])
                if pd.notna(self.row["population_year"])
                else self.year
            )
            proxy = f", närmaste år, ersätter {self.year}" if self.row["population_proxy"] else ""
            text += f"; folkmängd: SCB {y}{proxy}"
        return text + "."


def load_tables(data_dir=None) -> dict[str, pd.DataFrame]:
    names = ["areas", "kommuntal", "kommunmottagna", "population", "lanstal", "area_groups"]
    return {n: store.read_table(n, data_dir) for n in names}


def build(
    params: ReportParams, tables: dict[str, pd.DataFrame], registry: Registry
) -> ReceptionReport:
    area, year = params.kommun, params.year
    table = reception.kommun_table(
        year, tables["areas"], tables["kommuntal"], tables["kommunmottagna"], tables["population"]
    )
    rows = table
    if area.kind == "lan":
        rows = reception.lan_table(table, {a.lan_code: a.name for a in registry.lan()})
    row = rows.set_index("kommun_code").loc[area.code]
    row["kommun_code"] = area.code
    lan = registry.lan_of(area)
    notes = []
    peer_title, members, peer_means = None, [], {}
    try:
        if area.kind == "kommun":  # Kolada's peer groups are for kommuner
            peer_title, members = reception.peer_group(
                tables["area_groups"], area.name, params.peer_kind
            )
            peer_means = {
                c: reception.peer_mean(table, members, c)
                for c in ("per_1000", "totalt_per_kommuntal", "uppfyllelse_pct")
            }
    except MissingDataError as exc:
        notes.append(str(exc))
    return ReceptionReport(
        area=area,
        lan=lan,
        year=year,
        row=row,
        lan_totals=reception.totals(table[table["lan_code"] == area.lan_code], lan.name),
        riket_totals=reception.totals(table, "Riket"),
        peer_title=peer_title,
        peer_members=members,
        peer_means=peer_means,
        lanstal=reception.lanstal_context(
            tables["lanstal"], tables["kommuntal"], area.lan_code, area.code
        ),
        table=table,
        notes=notes,
    )


def definitions_text(rep: ReceptionReport) -> str:
    text = (
        "*Kommuntal* är det antal nyanlända som kommunen ska ta emot på anvisning enligt "
        "bosättningslagen (2016:38). *Kommunmottagna totalt* omfattar alla som kommunen fick "
        "statlig ersättning för enligt ersättningsförordningen: kvotflyktingar, anvisade från "
        "anläggningsboende (ABO), personer som ordnat eget boende (EBO), anhöriga och övriga."
    )
    if rep.is_lan:
        return text + " Länets tal är summan över dess kommuner."
    peers = f"*{rep.peer_title}* (ovägt medel)." if rep.peer_title else "– saknas."
    return f"{text} Jämförelsegruppen är Koladas {peers}"


def subtitle(area: Area, registry: Registry, data_version: str) -> str:
    if area.kind == "lan":
        n = len(registry.kommuner(area.lan_code))
        return (
            f"Länskod {area.lan_code}: summan över länets {n} kommuner. Dataversion {data_version}."
        )
    return f"Kommunkod {area.code}, {registry.lan_of(area).name}. Dataversion {data_version}."


def lan_summary_text(rep: ReceptionReport) -> str:
    r, name, y, rt = rep.row, rep.area.name, rep.year, rep.riket_totals
    parts = [
        f"**{name} tog emot {fmt.number(r['mottagna_totalt'])} personer {y}** enligt "
        f"ersättningsförordningen (kommunmottagna i länets {r['n_kommuner']} kommuner), varav "
        f"{fmt.number(r['ensam_totalt'])} ensamkommande barn."
    ]
    if r["kommuntal_status"] == "listad":
        parts.append(
            f"Kommuntalen i länet var sammanlagt {fmt.number(r['kommuntal'])}; "
            f"{fmt.number(r['mottagna_anvisade'])} personer togs emot på anvisning "
            f"({fmt.percent(r['uppfyllelse_pct'])} av kommuntalen). Alla mottagna i dessa "
            f"kommuner motsvarar {fmt.times(r['totalt_per_kommuntal'])} kommuntalen."
        )
        if r["n_not_listed"]:
            parts.append(
                f"{r['n_not_listed']} av länets kommuner finns inte i kommuntalsfilen och ingår "
                "inte i summan."
            )
    else:
        parts.append(f"Kommuntal saknas för länets kommuner ({r['kommuntal_status']}).")
    if r["mottagna_totalt"]:
        parts.append(_biggest_group(r))
    if pd.notna(r["per_1000"]):
        parts.append(
            f"{_per_1000(r)} – plats {r['rank_riket']} av {r['n_rank_riket']} län (plats 1 = "
            f"flest per invånare); riket {fmt.number(rt.per_1000, 1)}."
        )
    kommuner = rep.table[rep.table["lan_code"] == rep.area.lan_code].dropna(subset=["per_1000"])
    if len(kommuner) > 1:
        most = kommuner.loc[kommuner["per_1000"].idxmax()]
        least = kommuner.loc[kommuner["per_1000"].idxmin()]
        parts.append(
            f"Flest per invånare i länet tog {most['name']} emot "
            f"({fmt.number(most['per_1000'], 1)}), färst {least['name']} "
            f"({fmt.number(least['per_1000'], 1)})."
        )
    return " ".join(parts)


def _biggest_group(r: pd.Series) -> str:
    biggest = max(CATEGORIES, key=lambda c: r[c])
    share = 100 * r[biggest] / r["mottagna_totalt"] if r["mottagna_totalt"] else None
    return (
        f"Största gruppen var {reception.CATEGORY_PHRASES[biggest]} "
        f"({fmt.number(r[biggest])} personer, {fmt.percent(share)})."
    )


def _per_1000(r: pd.Series) -> str:
    proxy = f" (folkmängd {r['population_year']}, närmaste år)" if r["population_proxy"] else ""
    return f"Det är {fmt.number(r['per_1000'], 1)} mottagna per 1{fmt.NBSP}000 invånare{proxy}"


def summary_text(rep: ReceptionReport) -> str:
    if rep.is_lan:
        return lan_summary_text(rep)
    r, name, y = rep.row, rep.area.name, rep.year
    parts = []
    if pd.isna(r["mottagna_totalt"]):
        parts.append(
            f"{name} saknas i Migrationsverkets fil över kommunmottagna {y}: "
            f"antalet mottagna är {fmt.MISSING}."
        )
    else:
        parts.append(
            f"**{name} tog emot {fmt.number(r['mottagna_totalt'])} personer {y}** enligt "
            f"ersättningsförordningen (kommunmottagna), varav {fmt.number(r['ensam_totalt'])} "
            "ensamkommande barn."
        )
    if r["kommuntal_status"] == "listad" and r["kommuntal"] == 0:
        parts.append(
            f"Kommuntalet var 0 – kommunen skulle inte ta emot några anvisade – och "
            f"{fmt.number(r['mottagna_anvisade'])} personer togs emot på anvisning. Andelar av "
            "kommuntalet går därför inte att räkna."
        )
    elif r["kommuntal_status"] == "listad":
        parts.append(
            f"Kommuntalet var {fmt.number(r['kommuntal'])}; {fmt.number(r['mottagna_anvisade'])} "
            f"personer togs emot på anvisning ({fmt.percent(r['uppfyllelse_pct'])} av kommuntalet)."
        )
        if pd.notna(r["totalt_per_kommuntal"]):
            parts.append(
                f"Alla mottagna motsvarar {fmt.times(r['totalt_per_kommuntal'])} kommuntalet."
            )
    else:
        parts.append(
            f"{name} finns inte med i Migrationsverkets kommuntalsfil för {y} "
            f"({r['kommuntal_status']}). Kommuntalet redovisas därför som {fmt.MISSING}, inte som 0."
        )
    if pd.notna(r["mottagna_totalt"]):
        parts.append(_biggest_group(r))
    if pd.notna(r["per_1000"]):
        parts.append(
            f"{_per_1000(r)} – plats {r['rank_riket']} av {r['n_rank_riket']} kommuner och "
            f"{r['rank_lan']} av {r['n_rank_lan']} i {rep.lan.name} (plats 1 = flest per invånare)."
        )
    comparisons = [
        f"{rep.lan.name} {fmt.number(rep.lan_totals.per_1000, 1)}",
        f"riket {fmt.number(rep.riket_totals.per_1000, 1)}",
    ]
    if rep.peer_title:
        mean, n = rep.peer_means["per_1000"]
        comparisons.append(f"liknande kommuner ({n} st, ovägt medel) {fmt.number(mean, 1)}")
    parts.append("Mottagna per 1 000 invånare: " + "; ".join(comparisons) + ".")
    return " ".join(parts)


COMPARISON_KEYS = (
    "kommuntal",
    "mottagna_anvisade",
    "uppfyllelse_pct",
    "mottagna_totalt",
    "ensam_totalt",
    "totalt_per_kommuntal",
    "per_1000",
)


def comparison_table(rep: ReceptionReport) -> pd.DataFrame:
    """Kommun, län, riket and peer mean side by side, formatted for display."""
    r, lt, rt = rep.row, rep.lan_totals, rep.riket_totals
    columns = {rep.area.name: [r[k] for k in COMPARISON_KEYS]}
    if not rep.is_lan:  # a län's report: the area is the län
        columns[rep.lan.name] = [getattr(lt, k) for k in COMPARISON_KEYS]
    columns["Riket"] = [getattr(rt, k) for k in COMPARISON_KEYS]
    if rep.peer_title:
        columns["Liknande kommuner (medel)"] = [
            None,
            None,
            rep.peer_means["uppfyllelse_pct"][0],
            None,
            None,
            rep.peer_means["totalt_per_kommuntal"][0],
            rep.peer_means["per_1000"][0],
        ]
    formats = [
        fmt.number,
        fmt.number,
        lambda v: fmt.percent(v, 0),
        fmt.number,
        fmt.number,
        lambda v: fmt.number(v, 2),
        lambda v: fmt.number(v, 1),
    ]
    labels = [
        "Kommuntal",
        "Mottagna på anvisning",
        "Uppfyllelse av kommuntalet",
        "Kommunmottagna totalt",
        "varav ensamkommande barn",
        "Mottagna totalt per kommuntal",
        "Mottagna per 1 000 invånare",
    ]
    out = pd.DataFrame(
        {
            col: [("–" if v is None else f(v)) for f, v in zip(formats, vals, strict=True)]
            for col, vals in columns.items()
        },
        index=labels,
    )
    if r["kommuntal_status"] != "listad":
        out.loc["Kommuntal", rep.area.name] = f"{fmt.MISSING} ({r['kommuntal_status']})"
    elif r["kommuntal"] == 0:
        for label in ("Uppfyllelse av kommuntalet", "Mottagna totalt per kommuntal"):
            out.loc[label, rep.area.name] = "ej tillämpligt (kommuntal 0)"
    return out


def category_table(rep: ReceptionReport) -> pd.DataFrame:
    r = rep.row
    rows = []
    for cat in CATEGORIES:
        share = (
            100 * r[cat] / r["mottagna_totalt"]
            if pd.notna(r[cat]) and r["mottagna_totalt"]
            else None
        )
        lan_share = (
            100 * rep.lan_totals.by_category[cat] / rep.lan_totals.mottagna_totalt
            if rep.lan_totals.mottagna_totalt
            else None
        )
        riket_share = 100 * rep.riket_totals.by_category[cat] / rep.riket_totals.mottagna_totalt
        rows.append(
            {
                "Kategori": reception.CATEGORY_LABELS[cat],
                "Personer": fmt.number(r[cat]),
                "varav ensamkommande barn": fmt.number(r["ensam_" + cat]),
                "Andel": fmt.percent(share),
                f"Andel i {rep.lan.name}": fmt.percent(lan_share),
                "Andel i riket": fmt.percent(riket_share),
            }
        )
    rows.append(
        {
            "Kategori": "Totalt",
            "Personer": fmt.number(r["mottagna_totalt"]),
            "varav ensamkommande barn": fmt.number(r["ensam_totalt"]),
            "Andel": fmt.percent(100 if pd.notna(r["mottagna_totalt"]) else None),
            f"Andel i {rep.lan.name}": fmt.percent(100),
            "Andel i riket": fmt.percent(100),
        }
    )
    out = pd.DataFrame(rows).set_index("Kategori")
    return out.drop(columns=f"Andel i {rep.lan.name}") if rep.is_lan else out


def lanstal_table(rep: ReceptionReport) -> pd.DataFrame:
    t = rep.lanstal
    out = pd.DataFrame(
        {
            "År": t["year"].astype(str),
            "Version": t["version"].map(_version_sv),
            f"Länstal {rep.lan.name}": t["lanstal"].map(fmt.number),
            "Riket": t["national_total"].map(fmt.number),
            f"Kommuntal {rep.area.name}": t["kommuntal"].map(fmt.number),
            "Kommunens andel av länstalet": t["andel_av_lanstal_pct"].map(
                lambda v: fmt.percent(v, 1)
            ),
            "Författning": t["sfs"].where(t["sfs"].str.startswith("SFS"), "–"),
        }
    ).set_index("År")
    if rep.is_lan:  # the län's own kommuntal is the länstal's 'härledd' row
        return out.drop(columns=[f"Kommuntal {rep.area.name}", "Kommunens andel av länstalet"])
    return out


def _version_sv(version: str) -> str:
    """The transcribed file labels versions in English; the report speaks Swedish."""
    if version == "original":
        return "ursprunglig"
    if version.startswith("revised"):
        date = version.partition("in force ")[2].rstrip(")")
        return f"reviderad (gäller från {date})" if date else "reviderad"
    if version.startswith("as in file"):
        return "härledd: summan av kommuntalen i Migrationsverkets fil"
    return version


def category_shares(rep: ReceptionReport) -> pd.DataFrame:
    """Share (%) of each category for kommun, län and riket; rows = areas, columns = categories."""
    rows = {}
    if pd.notna(rep.row["mottagna_totalt"]) and rep.row["mottagna_totalt"]:
        rows[rep.area.name] = {c: 100 * rep.row[c] / rep.row["mottagna_totalt"] for c in CATEGORIES}
    for t in (rep.lan_totals, rep.riket_totals):
        if t.mottagna_totalt:
            rows[t.label] = {c: 100 * t.by_category[c] / t.mottagna_totalt for c in CATEGORIES}
    frame = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    return frame.rename(columns=reception.CATEGORY_LABELS)


def per_1000_comparison(rep: ReceptionReport) -> tuple[pd.Series, pd.Series]:
    """Received per 1 000 for the kommun, its peers one by one, the peer mean, län and riket;
    for a län its kommuner, most per invånare first, then the län and riket."""
    table = rep.table.set_index("kommun_code")
    if rep.is_lan:
        own = table[table["lan_code"] == rep.area.lan_code].sort_values(
            "per_1000", ascending=False, na_position="last"
        )
        values = dict(zip(own["name"], own["per_1000"], strict=True))
        kinds = dict.fromkeys(values, "kommun")
        values[rep.area.name], kinds[rep.area.name] = rep.row["per_1000"], "lan"
        values["Riket"], kinds["Riket"] = rep.riket_totals.per_1000, "riket"
        return pd.Series(values, dtype=float), pd.Series(kinds)
    values = {rep.area.name: rep.row["per_1000"]}
    kinds = {rep.area.name: "kommun"}
    for code in rep.peer_members:
        if code in table.index:
            values[table.loc[code, "name"]] = table.loc[code, "per_1000"]
            kinds[table.loc[code, "name"]] = "peer"
    if rep.peer_title:
        label = "Liknande kommuner, medel"
        values[label], kinds[label] = rep.peer_means["per_1000"][0], "peer"
    values[rep.lan.name], kinds[rep.lan.name] = rep.lan_totals.per_1000, "lan"
    values["Riket"], kinds["Riket"] = rep.riket_totals.per_1000, "riket"
    return pd.Series(values, dtype=float), pd.Series(kinds)


def kommuner_table(rep: ReceptionReport) -> pd.DataFrame:
    """A län's kommuner side by side, most received per 1 000 first."""
    own = rep.table[rep.table["lan_code"] == rep.area.lan_code].sort_values(
        "per_1000", ascending=False, na_position="last"
    )

    def kommuntal(r) -> str:
        return fmt.number(r["kommuntal"]) if r["kommuntal_status"] == "listad" else fmt.MISSING

    out = pd.DataFrame(
        {
            "Kommun": own["name"],
            "Kommuntal": [kommuntal(r) for _, r in own.iterrows()],
            "Mottagna på anvisning": own["mottagna_anvisade"].map(fmt.number),
            "Uppfyllelse": own["uppfyllelse_pct"].map(fmt.percent),
            "Kommunmottagna totalt": own["mottagna_totalt"].map(fmt.number),
            "varav ensamkommande": own["ensam_totalt"].map(fmt.number),
            "Per 1 000 invånare": own["per_1000"].map(lambda v: fmt.number(v, 1)),
            "Plats i länet": own["rank_lan"].map(fmt.number),
        }
    ).set_index("Kommun")
    return out


def data_notes(rep: ReceptionReport) -> str:
    t = rep.table
    not_listed = t.loc[t["kommuntal_status"] == reception.NOT_LISTED, "name"].tolist()
    missing = t.loc[t["mottagna_totalt"].isna(), "name"].tolist()
    lines = [
        f"- Kommuntal och mottagna på anvisning: Migrationsverket, *Anvisningar enligt kommuntalen {rep.year}*.",
        f"- Kommunmottagna per kategori: Migrationsverket, *Kommunmottagna enligt ersättningsförordningen {rep.year}*. "
        "Tomma celler i filen betyder 0 (filens totalkolumn bekräftar det).",
        "- Folkmängd: SCB (BE0101N1, 000007ME). " + rep.population_note,
        "- Jämförelsegrupper: Kolada, *Liknande kommuner* (Källa: Kolada). Gruppmedel är ovägda, som Kolada räknar dem.",
        "- Länstal: SFS 2016:40 med ändringar, transkriberade; kontrollerade mot författningarnas riksbelopp.",
    ]
    if not_listed:
        lines.append(
            f"- {len(not_listed)} kommuner finns inte med i kommuntalsfilen ({reception.NOT_LISTED}); "
            "deras kommuntal visas som *uppgift saknas*, inte som 0, och räknas inte in i läns- och "
            f"rikssummorna av kommuntal (kvoten mottagna per kommuntal för län och riket räknas bara över kommuner med kommuntal): {', '.join(not_listed)}."
        )
    if missing:
        lines.append(f"- Kommunmottagna saknas för: {', '.join(missing)}.")
    return "\n".join(lines)


def key_figures(rep: ReceptionReport) -> dict:
    """The figures the site's summary table shows for this kommun."""
    r = rep.row

    def value(key):
        return None if pd.isna(r[key]) else float(r[key])

    return {
        "year": rep.year,
        "kommuntal": value("kommuntal"),
        "mottagna_anvisade": value("mottagna_anvisade"),
        "mottagna_totalt": value("mottagna_totalt"),
        "per_1000": value("per_1000"),
    }


SERIES_KPIS = {
    "N01986": "Kommunmottagna totalt",
    "N01987": "Kommunmottagna efter anvisning",
    "N02006": "Kommunmottagna per 1 000 invånare",
}
SERIES_SOURCE = "Källa: Kolada (Migrationsverket/SCB), N01986, N01987, N02006."


def kolada_series(kpi_values: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """Reception per year from Kolada (fetched rows only), kommun total: year x measure.
    Empty when `etablering data fetch` has not been run."""
    rows = kpi_values[
        (kpi_values["source"] == "Kolada")
        & (kpi_values["area_code"] == area_code)
        & kpi_values["kpi"].isin(list(SERIES_KPIS))
        & (kpi_values["gender"] == "T")
    ]
    if rows.empty:
        return pd.DataFrame()
    wide = rows.pivot_table(index="year", columns="kpi", values="value", aggfunc="first")
    wide = wide.reindex(columns=[k for k in SERIES_KPIS if k in wide.columns])
    return wide.rename(columns=SERIES_KPIS).rename_axis("År")


def series_missing_text(area: Area) -> str:
    return (
        f"Mottagandet år för år för {area.name} kommer från Kolada (N01986, N01987, N02006) och "
        "finns inte i underlaget. Hämta det med `etablering data fetch --group mottagande` "
        "(kräver internet)."
    )
