"""The HTML around the notebooks: report pages, one page per area and the index with its
summary table (CSV and Excel too), from autoescaping templates so that names from data files
cannot inject markup. It reads the records the runner left beside each report (outfolder.py)."""

from datetime import datetime
from pathlib import Path

import jinja2
import markupsafe

from .. import __version__
from ..core.files import write_atomic
from ..core.names import ascii_fold
from ..data import kpis
from .outfolder import META, read_meta

TEMPLATES = Path(__file__).parent / "templates"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
)


def css_string(text: str) -> markupsafe.Markup:
    """A CSS string literal for `content:` in which every character but letters, digits and
    spaces is a hex escape: a name from data ('</style>', '"', '\\') can neither end the
    string nor the style element."""
    out = []
    for ch in str(text):
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return markupsafe.Markup('"' + "".join(out) + '"')


_env.filters["css_string"] = css_string


def page(
    title: str,
    body: str,
    data_version: str,
    root: str = "",
    links=(),
    wide: bool = False,
    running: str | None = None,
) -> str:
    """A site page; `wide` for the index, whose summary table needs the room. `running` is the
    header on every printed page (area and report); the data version and 'sida 2 av 7' are
    added to it."""
    return _env.get_template("page.html").render(
        title=title,
        running=running or title,
        wide=wide,
        body=body,
        css=(TEMPLATES / "style.css").read_text(encoding="utf-8"),
        root=root,
        links=list(links),
        data_version=data_version,
        created=datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
    )


# The site's summary table: (column label, summary key, decimals, key of its year or period).
SUMMARY_COLUMNS = [
    ("Kommuntal", "kommuntal", 0, "year"),
    ("Mottagna på anvisning", "mottagna_anvisade", 0, "year"),
    ("Kommunmottagna", "mottagna_totalt", 0, "year"),
    ("Mottagna per 1\u00a0000 invånare", "per_1000", 1, "year"),
    ("Kvinnor i arbete/studier (%)", "women_pct", 0, "outcome_year"),
    ("Män i arbete/studier (%)", "men_pct", 0, "outcome_year"),
    ("Beräknat försörjningsstöd (Mkr)", "cost_mkr", 1, "cost_horizon"),
]
# What each period is, for the CSV's and the workbook's year columns.
PERIODS = {
    "year": "År, mottagande",
    "outcome_year": "År, arbete/studier",
    "cost_horizon": "Period, försörjningsstöd",
}
SUMMARY_SOURCE = (
    f"Mottagande: Kolada (RKA), {kpis.RECEIVED}, {kpis.RECEIVED_ANVISNING}, "
    f"{kpis.RECEIVED_PER_1000}, och Migrationsverkets kommuntalsfil; "
    f"arbete/studier 90 dagar efter etableringsuppdraget: Kolada (RKA), {kpis.WORK_OR_STUDIES} (SCB/"
    "Arbetsförmedlingen); försörjningsstöd: modellprognos (median) i rapport 03 på Kolada (RKA). "
    "Egna beräkningar."
)


def display_code(area_code: str, kind: str, lan_code: str) -> str:
    """How the site and the reports write an area's code: a län by its two-digit länskod
    ('06'), a kommun by its four digits ('0680'), riket as '00'."""
    return lan_code if kind in ("lan", "riket") else area_code


def collect(out_dir: Path) -> list[dict]:
    """One entry per area with rendered reports: notebooks, and the merged summary figures."""
    areas: dict[str, dict] = {}
    for meta_path in sorted(Path(out_dir).glob(f"*/*{META}")):
        meta = read_meta(meta_path.parent, meta_path.name.removesuffix(META))
        if not {"notebook", "slug", "code", "name", "lan_code", "title"} <= set(meta):
            continue  # not a record this version wrote (or a damaged one): no entry
        if not (meta_path.parent / f"{meta['notebook']}.html").exists():
            continue
        kind = meta.get("kind", "kommun")
        entry = areas.setdefault(
            meta["slug"],
            {
                "code": meta["code"],
                "display_code": display_code(meta["code"], kind, meta["lan_code"]),
                "name": meta["name"],
                "kind": kind,
                "lan_code": meta["lan_code"],
                "slug": meta["slug"],
                "notebooks": [],
                "summary": {},
            },
        )
        entry["notebooks"].append({"file": f"{meta['notebook']}.html", "title": meta["title"]})
        if not meta["notebook"].endswith("-demo"):  # synthetic figures never reach the table
            entry["summary"].update(meta.get("summary") or {})
    for entry in areas.values():
        entry["notebooks"].sort(key=lambda n: n["file"])
        entry["cells"] = [
            _cell(entry["summary"], key, decimals) for _, key, decimals, _ in SUMMARY_COLUMNS
        ]
        entry["periods"] = [_period(entry["summary"], period) for *_, period in SUMMARY_COLUMNS]
        entry["sort_keys"] = [
            _sort_key(entry["summary"].get(key)) for _, key, *_ in SUMMARY_COLUMNS
        ]
    return sorted(areas.values(), key=lambda e: (e["lan_code"], e["kind"] != "lan", e["code"]))


NOT_IN_REPORTS = "–"  # no rendered report of the area has this figure


def _period(summary: dict, key: str) -> str:
    value = summary.get(key)
    return "" if value is None else str(value)


def _sort_key(value) -> str:
    return "" if value is None or value != value else repr(float(value))


def _cell(summary: dict, key: str, decimals: int) -> str:
    """The figure, 'uppgift saknas' when its report found no data, '–' when no report has it."""
    from ..core.fmt import MISSING, number

    if key not in summary:
        return NOT_IN_REPORTS
    if summary[key] is None:
        return MISSING
    return number(summary[key], decimals)


def column_headers(entries: list[dict]) -> list[dict]:
    """Each summary column with its year or period in the heading when every area has the
    same ('Kommunmottagna 2022'); otherwise the heading says so and each cell shows its own."""
    headers = []
    for i, (label, _key, _decimals, period) in enumerate(SUMMARY_COLUMNS):
        seen = {e["periods"][i] for e in entries if e["cells"][i] != NOT_IN_REPORTS} - {""}
        common = next(iter(seen)) if len(seen) == 1 else None
        headers.append(
            {
                "label": label,
                "period": common,
                "text": f"{label}, {common}" if common else f"{label} (år anges per rad)",
                "per_row": common is None and bool(seen),
                "kind": PERIODS[period],
            }
        )
    return headers


def write_site(out_dir: Path, lan_names: dict[str, str], data_version: str) -> Path:
    """index.html (search, län filter, sortable summary table, CSV and Excel) and one page per
    area: a län's page lists its kommuner, a kommun's page links its län."""
    out_dir = Path(out_dir)
    entries = collect(out_dir)
    headers = column_headers(entries)

    lan_pages = {e["lan_code"]: e for e in entries if e["kind"] == "lan"}
    for e in entries:
        e["lan_name"] = lan_names.get(e["lan_code"], e["lan_code"])
        e["search"] = ascii_fold(f"{e['display_code']} {e['name']} {e['lan_name']}")
    for e in entries:
        members = [k for k in entries if k["kind"] == "kommun" and k["lan_code"] == e["lan_code"]]
        lan_page = lan_pages.get(e["lan_code"]) if e["kind"] == "kommun" else None
        body = _env.get_template("area.html").render(
            e=e, headers=headers, members=members if e["kind"] == "lan" else [], lan=lan_page
        )
        write_atomic(
            out_dir / e["slug"] / "index.html",
            page(
                f"{e['name']} – etablering",
                body,
                data_version,
                root="../",
                links=[{"href": "../index.html", "label": "Alla kommuner"}],
            ),
        )
    groups: dict[str, list] = {}
    for e in entries:
        groups.setdefault(e["lan_name"], []).append(e)
    write_atomic(out_dir / "sammanstallning.csv", summary_csv(entries, data_version))
    write_atomic(out_dir / "sammanstallning.xlsx", summary_xlsx(entries, data_version))
    body = _env.get_template("index.html").render(
        entries=entries, groups=list(groups.items()), headers=headers
    )
    path = out_dir / "index.html"
    write_atomic(path, page("Rapporter per kommun – etablering", body, data_version, wide=True))
    return path


def summary_rows(entries: list[dict]) -> tuple[list[str], list[list]]:
    """The summary as one row per area: 'Område' ('0680 Jönköping', '06 Jönköpings län'),
    type, län, then each group's year or period before its figures (rounded as the site shows
    them, None where missing), and the source."""
    header = ["Område", "Namn", "Typ", "Län"]
    layout = []
    for label, key, decimals, period in SUMMARY_COLUMNS:
        if not layout or layout[-1][0] != period:
            layout.append((period, []))
            header.append(PERIODS[period])
        layout[-1][1].append((key, decimals))
        header.append(label.replace("\u00a0", " "))
    header.append("Källa")
    rows = []
    for e in entries:
        row = [
            f"{e['display_code']} {e['name']}",
            e["name"],
            "län" if e["kind"] == "lan" else "kommun",
            f"{e['lan_code']} {e['lan_name']}",
        ]
        for period, columns in layout:
            row.append(_period(e["summary"], period) or None)
            for key, decimals in columns:
                value = e["summary"].get(key)
                row.append(None if value is None else round(float(value), decimals))
        row.append(SUMMARY_SOURCE)
        rows.append(row)
    return header, rows


def summary_csv(entries: list[dict], data_version: str = "") -> bytes:
    """The summary for Swedish Excel and other tools (export's rules: ';', decimal comma, BOM,
    rounded, year columns and Källa). Areas are written '0114 Upplands Väsby', as SCB's own
    downloads do: a bare 0114 would become the number 114 in Excel, and the formula trick
    ="0114" is what sheetsafe keeps out. sammanstallning.xlsx has the code as a text cell."""
    import csv
    import io

    from ..present.export import number_cell
    from ..present.sheetsafe import cell

    header, rows = summary_rows(entries)
    decimals = dict([(label.replace("\u00a0", " "), d) for label, _, d, _ in SUMMARY_COLUMNS])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        out = []
        for name, value in zip(header, row, strict=True):
            if isinstance(value, float):
                out.append(number_cell(value, decimals.get(name, 1)))
            else:
                out.append("" if value is None else cell(str(value)))
        writer.writerow(out)
    return buffer.getvalue().encode("utf-8-sig")


def summary_xlsx(entries: list[dict], data_version: str = "") -> bytes:
    """The summary as an Excel workbook: the area code and the länskod as text cells (0114
    stays 0114), figures as numbers with Swedish-looking formats, a frozen header, a filter, and
    a sheet on the sources and the data version."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..present.sheetsafe import cell

    header, rows = summary_rows(entries)
    header = ["Kod", "Namn", "Typ", "Länskod", "Län", *header[4:-1], "Källa"]
    decimals = {label.replace("\u00a0", " "): d for label, _, d, _ in SUMMARY_COLUMNS}
    book = Workbook()
    sheet = book.active
    sheet.title = "Sammanställning"
    sheet.append(header)
    for cellobj in sheet[1]:
        cellobj.font = Font(bold=True)
        cellobj.alignment = Alignment(wrap_text=True, vertical="top")
    for e, row in zip(entries, rows, strict=True):
        values = [e["display_code"], e["name"], row[2], e["lan_code"], e["lan_name"], *row[4:]]
        sheet.append([cell(v) if isinstance(v, str) else v for v in values])
        r = sheet.max_row
        for col in (1, 4):  # codes: text, never numbers
            sheet.cell(r, col).number_format = "@"
            sheet.cell(r, col).data_type = "s"
        for col, name in enumerate(header, start=1):
            c = sheet.cell(r, col)
            if isinstance(c.value, float | int) and name in decimals:
                c.number_format = (
                    "#,##0" if decimals[name] == 0 else "#,##0." + "0" * decimals[name]
                )
    widths = {"Kod": 7, "Namn": 22, "Typ": 8, "Länskod": 8, "Län": 22, "Källa": 60}
    for col, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(name, 16)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet("Om uppgifterna")
    for line in (
        ["Sammanställning av rapporterna per kommun och län (etablering)."],
        [f"Dataversion {data_version}."],
        ["Källa: " + SUMMARY_SOURCE],
        ["Tomt = uppgift saknas eller inget av områdets rapporter visar talet; aldrig 0."],
        ["Talen är avrundade som på webbplatsen; rapporterna har de fullständiga tabellerna."],
    ):
        about.append(line)
    about.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
