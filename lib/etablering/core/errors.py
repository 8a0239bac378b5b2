"""Exceptions that carry a message a municipal analyst can act on."""

import errno


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


_OS_HINTS = {
    errno.ENOSPC: "Disken är full. Frigör utrymme och kör igen (--resume hoppar över det som blev klart).",
    errno.EDQUOT: "Diskkvoten är slut. Frigör utrymme och kör igen.",
    errno.EROFS: "Filsystemet är skrivskyddat. Välj en annan mapp.",
    errno.EACCES: "Behörighet saknas. Välj en mapp du får skriva i.",
    errno.EPERM: "Behörighet saknas. Välj en mapp du får skriva i.",
    errno.ELOOP: "En symbolisk länk pekar i cirkel.",
    errno.ENOTDIR: "En del av sökvägen är en fil, inte en mapp.",
    errno.EISDIR: "Sökvägen är en mapp, inte en fil.",
    errno.ENOENT: "Filen eller mappen finns inte.",
}
_OS_TEXT = {
    errno.ENOSPC: "ingen plats kvar på enheten",
    errno.EDQUOT: "diskkvoten överskriden",
    errno.EROFS: "skrivskyddat filsystem",
    errno.EACCES: "åtkomst nekad",
    errno.EPERM: "åtgärden är inte tillåten",
    errno.ELOOP: "för många nivåer av symboliska länkar",
    errno.ENOTDIR: "inte en mapp",
    errno.EISDIR: "är en mapp",
    errno.ENOENT: "finns inte",
}


def describe_os_error(exc: OSError, with_path: bool = True) -> str:
    """An OSError as a user reads it: what happened, to which file, and what to do."""
    text = _OS_TEXT.get(exc.errno) or exc.strerror or str(exc)
    where = f"{exc.filename}: " if with_path and getattr(exc, "filename", None) else ""
    hint = _OS_HINTS.get(exc.errno, "")
    return f"{where}{text}. {hint}".strip()
