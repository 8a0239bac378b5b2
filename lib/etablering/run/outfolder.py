"""The output folder's bookkeeping: the record beside each rendered notebook
(<notebook>.meta.json), which --resume, the index and the summary table read. The HTML site
built from these records is site.py."""

import json
from datetime import datetime
from pathlib import Path

META = ".meta.json"  # suffix: <notebook>.meta.json


def read_meta(area_dir: Path, stem: str) -> dict:
    """What a rendered notebook recorded; {} if nothing (or something unreadable) is there."""
    try:
        meta = json.loads((area_dir / f"{stem}{META}").read_text(encoding="utf-8"))
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
