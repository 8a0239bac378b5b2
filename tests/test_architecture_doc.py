"""docs/architecture.md stays true to the tree: every folder and module it names exists, and
every folder of the package has its paragraph."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lib" / "etablering"
DOC = ROOT / "docs" / "architecture.md"
# folders the commands make; a fresh checkout has none of them
MADE_BY_COMMANDS = {"data/processed/", "data/cache/"}


def package_folders() -> set[str]:
    """'core/', 'data/parse/', …: every folder of the package that holds Python modules."""
    return {
        f"{path.parent.relative_to(PACKAGE).as_posix()}/"
        for path in PACKAGE.rglob("*.py")
        if path.parent != PACKAGE and "__pycache__" not in path.parts
    }


def named_paths(text: str) -> list[tuple[str, Path | None]]:
    """(name, the folder its section describes) for every `name.py` and `some/path` in inline
    code outside the code blocks; a bare `name.py` is a module of its section's folder."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    named, section = [], None
    for line in text.splitlines():
        heading = re.fullmatch(r"#+ `([\w/]+/)`", line.strip())
        if heading:
            section = PACKAGE / heading.group(1)
            continue
        if line.startswith("#"):
            section = None
        for token in re.findall(r"`([^`\s]+)`", line):
            if token.endswith(".py") or "/" in token:
                named.append((token, section))
    return named


def resolves(token: str, section: Path | None) -> bool:
    if token in MADE_BY_COMMANDS:
        return True
    if "/" not in token:
        return section is not None and (section / token).exists()
    return (PACKAGE / token).exists() or (ROOT / token).exists()


def test_every_folder_and_module_named_exists():
    missing = [
        t for t, section in named_paths(DOC.read_text(encoding="utf-8")) if not resolves(t, section)
    ]
    assert not missing, f"docs/architecture.md names what is not in the tree: {missing}"


def test_every_package_folder_is_described():
    described = set(re.findall(r"^### `([\w/]+/)`", DOC.read_text(encoding="utf-8"), re.M))
    assert package_folders() - described == set(), "folders without a paragraph"
    assert described - package_folders() == set(), "paragraphs on folders that are gone"


@pytest.mark.parametrize(
    ("doc", "ok"),
    [
        ("### `core/`\nthe writer (`files.py`), see `run/site.py`", True),
        ("### `core/`\nthe writer (`writer.py`)", False),
        ("### `data/`\nthe parser `sheet.py` (it is in data/parse/)", False),
        ("see `run/nowhere.py`", False),
        ("```\n`gone.py` in a picture is not checked\n```", True),
    ],
)
def test_the_check_can_fail(doc, ok):
    assert all(resolves(t, s) for t, s in named_paths(doc)) is ok
