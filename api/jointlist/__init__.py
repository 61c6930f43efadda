"""GraphQL of the joint audited supplier list (jointlist/)."""
