"""Corrective actions on findings (DOMAIN.md, "Corrective actions"): who may move
a plan, the plans as each principal sees them, and the measures per member."""
