"""Exceptions that carry a message a municipal analyst can act on."""


class EtableringError(Exception):
    """Base class: the message is meant to be shown to the user as it is."""


class UsageError(EtableringError):
    """Bad input on the command line: nothing was done (exit code 2)."""


class UnknownAreaError(UsageError, ValueError):
    """A kommun/län code or name that is not in the registry."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


class ParseError(EtableringError):
    """A raw file that does not have the published layout or holds a bad value."""

    def __init__(self, path, message: str, row: int | None = None, column: str | None = None):
        where = str(path)
        if row is not None:
            where += f", rad {row}"
        if column is not None:
            where += f", kolumn {column!r}"
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.column = path, row, column


class MissingDataError(EtableringError):
    """Data the analysis needs has not been imported or fetched."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(f"{message} {hint}".strip())
        self.hint = hint


class ParameterError(EtableringError, ValueError):
    """A run parameter that cannot be used."""
