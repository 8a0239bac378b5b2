"""All 290 kommuner, 21 län and riket, looked up by code or by name.

Codes are 4-character strings ('0114'); län are also known by their 2-digit län code ('12').
Every lookup either returns the area the user meant or raises UnknownAreaError with the
closest matches: it never guesses a different kommun.
"""

import difflib
import math
import re
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ..core.errors import UnknownAreaError
from ..core.names import ascii_fold, fold, name_variants, slug


@dataclass(frozen=True)
class Area:
    code: str  # '0680' kommun, '0006' län (Kolada style), '0000' riket
    name: str
    kind: str
    lan_code: str  # two digits; '00' for riket

    @property
    def slug(self) -> str:
        return f"{self.code}-{slug(self.name)}"

    @property
    def display_code(self) -> str:
        """How reports and the site write the code: a län by its two-digit länskod ('06')."""
        return self.lan_code if self.kind in ("lan", "riket") else self.code


class Registry:
    def __init__(self, areas: pd.DataFrame):
        self._areas = [
            Area(**rec) for rec in areas[["code", "name", "kind", "lan_code"]].to_dict("records")
        ]
        self._by_code = {a.code: a for a in self._areas}

    @classmethod
    def load(cls, data_dir=None) -> "Registry":
        from .store import read_table

        return cls(read_table("areas", data_dir))

    # --- plain access -------------------------------------------------------------------
    def kommuner(self, lan_code: str | None = None) -> list[Area]:
        return [a for a in self._areas if a.kind == "kommun" and lan_code in (None, a.lan_code)]

    def lan(self) -> list[Area]:
        return [a for a in self._areas if a.kind == "lan"]

    def get(self, code: str) -> Area:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownAreaError(f"Okänd områdeskod {code!r}.") from None

    def lan_of(self, area: Area) -> Area:
        return self._by_code["00" + area.lan_code]

    @property
    def riket(self) -> Area:
        return self._by_code["0000"]

    # --- name matching used by parsers: exact (case, spaces and hyphens ignored) ------------
    @cached_property
    def _folded(self) -> dict[tuple[str, str], Area]:
        return {(a.kind, fold(a.name)): a for a in self._areas}

    def match_name(self, name: str, kind: str = "kommun") -> Area | None:
        return self._folded.get((kind, fold(name)))

    # --- user lookup ----------------------------------------------------------------------
    def resolve(self, query, kinds: tuple[str, ...] = ("kommun",)) -> Area:
        """Turn what a user or a parameter file gave into an area, or raise with suggestions."""
        if isinstance(query, bool) or query is None:
            raise UnknownAreaError(
                f"{query!r} är ingen kommun. Ange en kod som text, t.ex. '0680'."
            )
        if isinstance(query, float):
            if not (math.isfinite(query) and query.is_integer()):
                raise UnknownAreaError(f"{query!r} är ingen kommunkod.")
            query = int(query)
        if isinstance(query, int):
            return self._resolve_int(query, kinds)
        text = str(query).strip()
        if not text:
            raise UnknownAreaError(
                "En tom kommun angavs; ange en kod eller ett namn, t.ex. 0680 eller Jönköping."
            )
        if re.fullmatch(r"\d+", text):
            return self._resolve_digits(text, kinds)
        return self._resolve_name(text, kinds)

    def _resolve_digits(self, text: str, kinds) -> Area:
        if len(text) == 2 and "lan" in kinds and "00" + text in self._by_code:
            return self._by_code["00" + text]
        if len(text) == 4:
            area = self._by_code.get(text)
            if area and area.kind in kinds:
                return area
            raise UnknownAreaError(
                f"Ingen {_kind_words(kinds)} har koden {text}. Kommunkoder har fyra siffror där "
                "de två första är länskoden (t.ex. 0680 Jönköping, 1280 Malmö).",
                self._close_codes(text, kinds),
            )
        if len(text) < 4:
            padded = text.zfill(4)
            area = self._by_code.get(padded)
            if area and area.kind in kinds and area.kind == "lan":
                raise UnknownAreaError(
                    f"Länskoden {text} har för få siffror – en länskod har två (den inledande "
                    f"nollan har troligen försvunnit). Menade du {area.lan_code} {area.name}? "
                    f"Ange länskoden som text med två siffror: {area.lan_code}.",
                    [f"{area.lan_code} {area.name}"],
                )
            if area and area.kind in kinds:
                raise UnknownAreaError(
                    f"Koden {text} har för få siffror – den inledande nollan har troligen "
                    f"försvunnit (Excel och read_csv tar bort den). Menade du {padded} "
                    f"{area.name}? Ange koden som text med fyra siffror: {padded}.",
                    [f"{padded} {area.name}"],
                )
        if len(text) == 2 and "00" + text in self._by_code:
            lan = self._by_code["00" + text]
            raise UnknownAreaError(
                f"{text} är länskoden för {lan.name}, inte en kommunkod. Alla kommuner i länet: "
                f"--lan {text}; en kommun har fyra siffror (t.ex. {text}80).",
                [f"--lan {text}"],
            )
        hint = ""
        if kinds == ("lan",):
            hint = " Länskoderna: " + ", ".join(f"{a.lan_code} {a.name}" for a in self.lan()) + "."
        raise UnknownAreaError(f"{text!r} är ingen giltig kod för {_kind_words(kinds)}.{hint}")

    def _resolve_int(self, number: int, kinds) -> Area:
        # Ints >= 1000 keep all their digits whichever way they were read; smaller ones are
        # ambiguous: papermill '-p kommun 0114' gives 114, YAML 'kommun: 0114' gives octal 76.
        if number >= 1000:
            return self._resolve_digits(str(number), kinds)
        candidates = []
        padded = str(number).zfill(4)
        if padded in self._by_code and self._by_code[padded].kind in kinds:
            candidates.append(
                f"{padded} {self._by_code[padded].name} (om den inledande nollan föll bort)"
            )
        octal = "0" + format(number, "o")
        if len(octal) == 4 and octal in self._by_code and self._by_code[octal].kind in kinds:
            candidates.append(
                f"{octal} {self._by_code[octal].name} (om YAML läste {octal} som det oktala talet {number})"
            )
        hint = (" Menade du " + " eller ".join(candidates) + "?") if candidates else ""
        raise UnknownAreaError(
            f"Kommunen angavs som talet {number}, inte som text, så den inledande nollan kan ha "
            f"försvunnit eller koden ha lästs som ett oktalt tal.{hint} Ange koden som text: "
            'papermill -r kommun 0114, eller i YAML kommun: "0114".',
            candidates,
        )

    def _resolve_name(self, text: str, kinds) -> Area:
        pool = [a for a in self._areas if a.kind in kinds]
        # 'X kommun' means the kommun and 'X län' the län, when both are allowed
        said = fold(text)
        if said.endswith((" kommun", " stad")):
            pool = [a for a in pool if a.kind == "kommun"] or pool
        elif said.endswith(" län"):
            if "lan" not in kinds:  # 'Jönköpings län' is never the kommun Jönköping
                raise self._lan_not_kommun(text)
            pool = [a for a in pool if a.kind == "lan"]
        # with diacritics first, then without; the area's own name before its variants
        # ('Jönköping' is the kommun, not Jönköpings län)
        for same in (fold, ascii_fold):
            for variant in map(same, name_variants(text)):
                own = [a for a in pool if variant == same(a.name)]
                if len(own) == 1:
                    return own[0]
                hits = [a for a in pool if variant in map(same, name_variants(a.name))]
                if len(hits) == 1:
                    return hits[0]
                if len(hits) > 1 and same is ascii_fold:
                    options = [f"{a.code} {a.name}" for a in hits]
                    raise UnknownAreaError(
                        f"{text!r} kan vara flera: {', '.join(options)}. Ange koden.", options
                    )
        suggestions = self._close_names(text, pool)
        hint = f" Menade du {' eller '.join(suggestions)}?" if suggestions else ""
        raise UnknownAreaError(f"Okänd {_kind_words(kinds)} {text!r}.{hint}", suggestions)

    def _lan_not_kommun(self, text: str) -> UnknownAreaError:
        try:
            lan = self._resolve_name(text, ("lan",))
        except UnknownAreaError as exc:
            return UnknownAreaError(f"{text!r} är inte en kommun. {exc}", exc.suggestions)
        return UnknownAreaError(
            f"{text!r} är ett län, inte en kommun. Alla kommuner i länet och länets egna "
            f"rapporter: --lan {lan.lan_code}; en kommun anges med namn eller kod (t.ex. "
            f"{self.kommuner(lan.lan_code)[0].code} {self.kommuner(lan.lan_code)[0].name}).",
            [f"--lan {lan.lan_code}"],
        )

    def _close_names(self, text: str, pool: list[Area]) -> list[str]:
        keys = {ascii_fold(a.name): a for a in pool}
        target = ascii_fold(name_variants(text)[-1])
        hits = difflib.get_close_matches(target, list(keys), n=3, cutoff=0.6)
        return [f"{keys[h].code} {keys[h].name}" for h in hits]

    def _close_codes(self, text: str, kinds) -> list[str]:
        codes = [a.code for a in self._areas if a.kind in kinds]
        hits = difflib.get_close_matches(text, codes, n=3, cutoff=0.75)
        return [f"{c} {self._by_code[c].name}" for c in hits]


def _kind_words(kinds) -> str:
    words = {"kommun": "kommun", "lan": "län", "riket": "riket"}
    return " eller ".join(words[k] for k in kinds)
