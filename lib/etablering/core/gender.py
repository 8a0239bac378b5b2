"""Gender as Kolada codes it (K, M, T) and the one place its Swedish words live."""

from enum import StrEnum


class Gender(StrEnum):
    """A StrEnum, so `Gender.K == "K"` and the members index the tables' `gender` column."""

    K = "K"
    M = "M"
    T = "T"

    @property
    def label(self) -> str:
        """Column and legend label: 'Kvinnor', 'Män', 'Totalt'."""
        return LABELS[self]

    @property
    def word(self) -> str:
        """Inside a sentence: 'kvinnor', 'män', 'totalt'."""
        return LABELS[self].lower()

    def counted(self, shown: str) -> str:
        """'1 kvinna', '4 kvinnor', '1 man' for a number as shown."""
        return f"{shown} {_ONE[self] if shown == '1' else self.word}"

    @property
    def group(self) -> str:
        """The group as a definite noun: 'kvinnorna', 'männen', 'alla'."""
        return _GROUPS[self]

    @property
    def possessive(self) -> str:
        """'kvinnornas', 'männens', 'allas'."""
        return self.group + "s"

    @property
    def other(self) -> "Gender":
        """K for M and M for K (a total has no other)."""
        return {Gender.K: Gender.M, Gender.M: Gender.K}[self]


LABELS = {Gender.K: "Kvinnor", Gender.M: "Män", Gender.T: "Totalt"}  # for Series.map
_ONE = {Gender.K: "kvinna", Gender.M: "man", Gender.T: "person"}
_GROUPS = {Gender.K: "kvinnorna", Gender.M: "männen", Gender.T: "alla"}
BOTH = (Gender.K, Gender.M)  # women and men, the order every table and chart shows them in
ALL = (Gender.K, Gender.M, Gender.T)
