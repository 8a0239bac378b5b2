"""Writing files and folders so that a reader never sees half of one: everything is written
beside its target under a temporary name and renamed into place (a rename within one folder
is atomic). The processed tables, the caches and the rendered reports all write this way."""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def shared_mode() -> int:
    """The mode a folder made with mkdir would get: 0777 less the umask (mkdtemp's own 0700
    would lock out a Dask worker under another account on a shared disk)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o777 & ~mask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write beside the target and rename; a failed write (disk full) leaves the old file and
    no temporary one."""
    write_atomic_all({path: data})


def write_atomic_all(files: dict[Path, str | bytes]) -> None:
    """Several files that belong together (a report's .html and .ipynb): all are written first
    and renamed only when every one was written, so a full disk never leaves one new and the
    other old."""

    def writer(data):
        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)

        return write

    replace_all({path: writer(data) for path, data in files.items()})


def replace_all(writers: dict[Path, Callable[[Path], None]]) -> None:
    """As write_atomic_all, for files another library writes (parquet): each writer is given
    the temporary path to write its file to. Temporary names are '.<name>.<pid>.tmp', which
    the batch runner sweeps up after a crash."""
    written = []
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            written.append((tmp, path))
            write(tmp)
        for tmp, path in written:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise


def write_folder(
    folder: Path, fill: Callable[[Path], None], *, replace: bool, prefix: str = ".tmp-"
) -> bool:
    """Fill a staging folder beside `folder`, then rename it to `folder`. With `replace` an
    existing folder is moved aside and removed after the swap (the processed tables); without,
    an existing folder wins and the staging is dropped (a cache entry another worker wrote
    first holds the same result): False then. Ctrl-C or an error leaves no staging folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=folder.parent))
    try:
        os.chmod(staging, shared_mode())
        fill(staging)
        if replace and folder.exists():
            retired = folder.parent / f".{folder.name}-old-{os.getpid()}"
            shutil.rmtree(retired, ignore_errors=True)
            os.replace(folder, retired)
            os.replace(staging, folder)
            shutil.rmtree(retired, ignore_errors=True)
            return True
        try:
            os.replace(staging, folder)
        except OSError:
            if replace or not folder.exists():
                raise
            shutil.rmtree(staging, ignore_errors=True)  # another worker got there first
            return False
        return True
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
