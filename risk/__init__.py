"""Network risk (DOMAIN.md "Network risk"): tables, importers, the model, the service."""
