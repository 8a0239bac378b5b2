"""How figures are shown: Swedish number formats, charts, notebook display, CSV downloads."""
