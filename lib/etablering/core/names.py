"""Normalising Swedish place names so that 'UPPLANDS-VÄSBY', 'Upplands Väsby' and
'upplands väsby kommun' compare equal."""

import re
import unicodedata


def fold(name: str) -> str:
    """Case-fold, unify hyphens/spaces; keep å, ä, ö (Håbo and Habo are different kommuner)."""
    text = unicodedata.normalize("NFC", str(name)).casefold()
    text = re.sub(r"[\s\-–_]+", " ", text)
    return text.strip()


def ascii_fold(name: str) -> str:
    """As fold() but also drops diacritics, for users typing without å/ä/ö ('jonkoping')."""
    text = unicodedata.normalize("NFKD", fold(name))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def name_variants(query: str) -> list[str]:
    """What a user may have meant: 'Jönköpings kommun' -> 'Jönköpings kommun', 'Jönköpings',
    'Jönköping' (genitive s dropped only after removing 'kommun')."""
    base = fold(query)
    variants = [base]
    for suffix in (" kommun", " stad", " län"):
        if base.endswith(suffix):
            stripped = base[: -len(suffix)].strip()
            variants.append(stripped)
            if stripped.endswith("s"):
                variants.append(stripped[:-1])
    return list(dict.fromkeys(variants))


def slug(name: str) -> str:
    """'Jönköping' -> 'jonkoping', 'Upplands Väsby' -> 'upplands-vasby' (for folder names)."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(name)).strip("-")


# Kommuner named after their island take 'på' in Swedish, as the island itself does.
ON_ISLAND = frozenset(fold(n) for n in ("Gotland", "Orust", "Tjörn", "Öckerö", "Värmdö", "Ekerö"))


def genitive(name: str) -> str:
    """'Jönköpings', but 'Borås', 'Kramfors' (a name ending in s, x or z takes no extra s)."""
    return name if name[-1:].casefold() in ("s", "x", "z") else f"{name}s"


def in_place(name: str) -> str:
    """'i Jönköping', 'på Gotland', 'i Gotlands län'."""
    return f"{'på' if fold(name) in ON_ISLAND else 'i'} {name}"
