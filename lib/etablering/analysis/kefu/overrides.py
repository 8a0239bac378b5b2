"""Dotted-key overrides on the raw parameter dict ({"rent.single": 6000}).

They act on the YAML dict before validation, so an override is checked exactly like the file.
"""

import difflib
from copy import deepcopy
from typing import Any

from ...core.errors import ParameterError


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def key_of(mapping: dict, part: str):
    """A dotted-path part as the dict stores it: YAML keys 2019 and 1 are ints."""
    if part in mapping:
        return part
    if part.lstrip("-").isdigit() and int(part) in mapping:
        return int(part)
    raise KeyError(part)


def walk(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[key_of(node, part)]
    return node


def _all_paths(data: Any, prefix: str = "") -> list[str]:
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(join(prefix, str(k)))
            out += _all_paths(v, join(prefix, str(k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append(join(prefix, str(i)))
            out += _all_paths(v, join(prefix, str(i)))
    return out


def apply_overrides(data: dict, overrides: dict[str, Any]) -> dict:
    """Set dotted keys in the raw dict. A bare number replaces a record's value and keeps its
    source (marked as overridden); a dict replaces the whole record."""
    data = deepcopy(data)
    for path, new in overrides.items():
        *parents, leaf = str(path).split(".")
        try:
            holder = walk(data, ".".join(parents)) if parents else data
            key = int(leaf) if isinstance(holder, list) else key_of(holder, leaf)
        except (KeyError, IndexError, ValueError, TypeError):
            close = difflib.get_close_matches(str(path), _all_paths(data), n=3)
            hint = f" Menade du {', '.join(close)}?" if close else ""
            raise ParameterError(f"Okänd parameter {path!r} i överstyrningen.{hint}") from None
        current = holder[key]
        if isinstance(current, dict) and "value" in current and not isinstance(new, dict):
            record = dict(current)
            record["value"] = new
            record["note"] = f"överstyrt (tidigare {current['value']})"
            dist = record.get("distribution")
            if dist and not (_num(dist.get("low")) <= _num(new) <= _num(dist.get("high"))):
                # An override outside the old range is a new point assumption: drop the range.
                record.pop("distribution")
            holder[key] = record
        else:
            holder[key] = new
    return data


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")
