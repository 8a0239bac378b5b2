"""The ground floor: what every layer shares (errors, where files live, names, atomic writes)."""
