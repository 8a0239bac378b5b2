"""Numbers from the processed tables: reception, outcomes, the expected-value model and the
cost model (kefu). Tables in, tables out; no Swedish sentences."""
