"""How figures are shown: charts, notebook display, CSV downloads and the cells they are made
of. Imports only core (the number formats are core/fmt.py)."""
