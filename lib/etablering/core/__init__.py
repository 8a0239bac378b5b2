"""The ground floor: what every layer shares (errors, where files live, place names, Swedish
number formats, atomic writes, the summary a notebook hands the runner). Imports nothing of
the package."""
