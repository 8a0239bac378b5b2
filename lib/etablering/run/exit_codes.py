"""The exit codes of every `etablering` command, in one place (the README's 'Avslutskoder')."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # something failed while running (a report, a write, a coverage outside its band)
    USAGE = 2  # bad input: nothing was done
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)
    PIPE = 141  # the reader of the output went away (`| head`; 128 + SIGPIPE)
