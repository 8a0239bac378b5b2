"""The HTML around the notebooks: report pages and the index, from autoescaping templates so
that names from data files cannot inject markup."""

import json
import os
from datetime import datetime
from pathlib import Path

import jinja2

from . import __version__
from .names import ascii_fold

TEMPLATES = Path(__file__).parent / "templates"
META = ".meta.json"  # suffix: <notebook>.meta.json
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a file; a failed write
    (disk full) leaves the old file and no temporary one."""
    write_atomic_all({path: data})


def write_atomic_all(files: dict[Path, str | bytes]) -> None:
    """Several files that belong together (a report's .html and .ipynb): all are written to
    temporary files first and renamed only when every one was written, so a full disk never
    leaves one new and the other old."""
    written = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            written.append((tmp, path))
            with open(tmp, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        for tmp, path in written:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise


def page(
    title: str, body: str, data_version: str, root: str = "", links=(), wide: bool = False
) -> str:
    """A site page; `wide` for the index, whose summary table needs the room."""
    return _env.get_template("page.html").render(
        title=title,
        wide=wide,
        body=body,
        css=(TEMPLATES / "style.css").read_text(encoding="utf-8"),
        root=root,
        links=list(links),
        data_version=data_version,
        created=datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
    )


def read_meta(kommun_dir: Path, stem: str) -> dict:
    """What a rendered notebook recorded; {} if nothing (or something unreadable) is there."""
    try:
        meta = json.loads((kommun_dir / f"{stem}{META}").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def meta_text(
    area, stem: str, title: str, key: str, summary: dict, data_version: str | None = None
) -> str:
    """The small record beside each rendered notebook (workers never share one): the index
    and the summary table are built from these; --resume compares the key and version."""
    meta = dict(
        code=area.code,
        name=area.name,
        kind=area.kind,
        lan_code=area.lan_code,
        slug=area.slug,
        notebook=stem,
        title=title,
        key=key,
        data_version=data_version,
        summary=summary,
        rendered=datetime.now().isoformat(timespec="seconds"),
    )
    return json.dumps(meta, ensure_ascii=False, indent=2)


def record_rendered(
    kommun_dir: Path,
    area,
    stem: str,
    title: str,
    key: str,
    summary: dict,
    data_version: str | None = None,
) -> None:
    write_atomic(
        kommun_dir / f"{stem}{META}", meta_text(area, stem, title, key, summary, data_version)
    )


# The site's summary table: (column label, notebook summary key, format, key of its period).
SUMMARY_COLUMNS = [
    ("Kommuntal", "kommuntal", "int", "year"),
    ("Mottagna på anvisning", "mottagna_anvisade", "int", "year"),
    ("Kommunmottagna totalt", "mottagna_totalt", "int", "year"),
    ("Mottagna per 1\u00a0000 inv.", "per_1000", "dec", "year"),
    ("Kvinnor i arbete/studier (%)", "women_pct", "int", "outcome_year"),
    ("Män i arbete/studier (%)", "men_pct", "int", "outcome_year"),
    ("Arbete/studier avser år", "outcome_year", "text", "outcome_year"),
    ("Beräknat försörjningsstöd (Mkr)", "cost_mkr", "dec", "cost_horizon"),
]


def collect(out_dir: Path) -> list[dict]:
    """One entry per area with rendered reports: notebooks, and the merged summary figures."""
    areas: dict[str, dict] = {}
    for meta_path in sorted(Path(out_dir).glob(f"*/*{META}")):
        meta = read_meta(meta_path.parent, meta_path.name.removesuffix(META))
        if not {"notebook", "slug", "code", "name", "lan_code", "title"} <= set(meta):
            continue  # not a record this version wrote (or a damaged one): no entry
        if not (meta_path.parent / f"{meta['notebook']}.html").exists():
            continue
        entry = areas.setdefault(
            meta["slug"],
            {
                "code": meta["code"],
                "name": meta["name"],
                "kind": meta.get("kind", "kommun"),
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
        entry["search"] = ascii_fold(f"{entry['code']} {entry['name']}")
        entry["cells"] = [_cell(entry["summary"], key, kind) for _, key, kind, _ in SUMMARY_COLUMNS]
        entry["periods"] = [entry["summary"].get(period) or "" for *_, period in SUMMARY_COLUMNS]
    return sorted(areas.values(), key=lambda e: (e["lan_code"], e["kind"] != "lan", e["code"]))


NOT_IN_REPORTS = "–"  # no rendered report of the area has this figure


def _cell(summary: dict, key: str, kind: str) -> str:
    """The figure, 'uppgift saknas' when its report found no data, '–' when no report has it."""
    from .fmt import MISSING, number

    if key not in summary:
        return NOT_IN_REPORTS
    if summary[key] is None:
        return MISSING
    if kind == "text":
        return str(summary[key])
    return number(summary[key], 0 if kind == "int" else 1)


def write_site(out_dir: Path, lan_names: dict[str, str], data_version: str) -> Path:
    """index.html (search, län filter, summary table, CSV) and one page per area."""
    out_dir = Path(out_dir)
    entries = collect(out_dir)
    headers = [label for label, *_ in SUMMARY_COLUMNS]
    for e in entries:
        e["lan_name"] = lan_names.get(e["lan_code"], e["lan_code"])
        body = _env.get_template("area.html").render(e=e, headers=headers)
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
    write_atomic(out_dir / "sammanstallning.csv", _summary_csv(entries, headers))
    body = _env.get_template("index.html").render(
        entries=entries, groups=list(groups.items()), headers=headers
    )
    path = out_dir / "index.html"
    write_atomic(path, page("Rapporter per kommun – etablering", body, data_version, wide=True))
    return path


def _summary_csv(entries: list[dict], headers: list[str]) -> bytes:
    """The summary table for Swedish Excel: ';' and decimal comma, empty where data is missing.
    Names a spreadsheet would take for a formula ('=…', '+…', '@…') are kept as text."""
    import csv
    import io

    from .sheetsafe import cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Kod", "Namn", "Län", *headers])
    for e in entries:
        values = [e["summary"].get(key) for _, key, *_ in SUMMARY_COLUMNS]
        writer.writerow(
            [
                cell(e["code"]),
                cell(e["name"]),
                cell(e["lan_name"]),
                *["" if v is None else cell(str(v).replace(".", ",")) for v in values],
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
