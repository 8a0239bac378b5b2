"""How a notebook hands its key figures to the batch runner: an output of this MIME type,
which no notebook viewer shows. present/display.py writes it, run/render.py reads it; it lives
here so that the runner need not load the notebook side (pyplot, IPython) to know its name."""

SUMMARY_MIME = "application/vnd.etablering.summary+json"
