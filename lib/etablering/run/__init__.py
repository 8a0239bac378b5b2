"""The `etablering` command and the batch runner: kernels, rendering, the site, the output
folder's records."""

import sys

# nbformat (papermill's notebook format) imports jsonschema, which compiles a Lark grammar for
# the IRI formats of rfc3987_syntax at import when that package is installed (jupyter-events
# brings it along with JupyterLab): about a second in every process that renders, for a format
# check no notebook schema uses. A None entry makes that optional import fail, as if absent.
sys.modules.setdefault("rfc3987_syntax", None)
