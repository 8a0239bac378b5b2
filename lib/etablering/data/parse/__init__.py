"""Parsers for the raw files as their publishers publish them (CSV exports or Excel sheets)."""
