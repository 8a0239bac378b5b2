"""The `etablering` command and the batch runner: kernels, rendering, the site, the output
folder's records."""
