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
META = "meta.json"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


def page(title: str, body: str, data_version: str, root: str = "", links=()) -> str:
    return _env.get_template("page.html").render(
        title=title,
        body=body,
        css=(TEMPLATES / "style.css").read_text(encoding="utf-8"),
        root=root,
        links=list(links),
        data_version=data_version,
        created=datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
    )


def read_meta(kommun_dir: Path) -> dict:
    meta_path = kommun_dir / META
    return json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}


def record_rendered(kommun_dir: Path, area, notebook: str, title: str, key: str) -> None:
    """Remember what was rendered for a kommun (the index lists earlier runs too; --resume
    compares the key)."""
    meta = read_meta(kommun_dir)
    meta.update(code=area.code, name=area.name, lan_code=area.lan_code, slug=area.slug)
    meta.setdefault("notebooks", {})[notebook] = title
    meta.setdefault("keys", {})[notebook] = key
    write_atomic(kommun_dir / META, json.dumps(meta, ensure_ascii=False, indent=2))


def write_index(out_dir: Path, lan_names: dict[str, str], data_version: str) -> Path:
    entries = []
    for meta_path in sorted(Path(out_dir).glob(f"*/{META}")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        notebooks = [
            {"file": f"{nb}.html", "title": title}
            for nb, title in sorted(meta["notebooks"].items())
            if (meta_path.parent / f"{nb}.html").exists()
        ]
        if notebooks:
            entries.append(
                dict(meta, notebooks=notebooks, search=ascii_fold(f"{meta['code']} {meta['name']}"))
            )
    groups = {}
    for e in sorted(entries, key=lambda e: e["code"]):
        groups.setdefault(lan_names.get(e["lan_code"], e["lan_code"]), []).append(e)
    body = _env.get_template("index.html").render(entries=entries, groups=sorted(groups.items()))
    path = Path(out_dir) / "index.html"
    write_atomic(path, page("Rapporter per kommun – etablering", body, data_version))
    return path
