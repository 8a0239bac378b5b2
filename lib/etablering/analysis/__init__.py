"""Numbers from the processed tables: reception, outcomes, the expected-value model and the
cost model (kefu), and the cache of cross-kommun results. Tables in, tables out, with the
notes a caveat needs (Swedish, e.g. which years were left out and why)."""
