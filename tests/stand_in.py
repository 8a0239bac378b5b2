"""The command line the batch tests run against their stand-in notebook (see conftest's
stand_in_notebook): `etablering report` for notebook 01 only, as a user would type it."""

import sys


def report_cmd(codes, out, jobs: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "etablering.run.cli",
        "report",
        *codes,
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--notebooks",
        "01-mottagande",
        *extra,
    ]
