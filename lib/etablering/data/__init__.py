"""Sources to processed tables: the KPI catalogue, schemas, the store, the registry of areas,
parsers and importers, the Kolada client, validation and the synthetic demo panel."""
