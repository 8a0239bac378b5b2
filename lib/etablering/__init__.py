"""etablering: rapporter om nyanländas mottagande och etablering per kommun."""

__version__ = "0.1.0"
