"""The forum's joint audited supplier list (DOMAIN.md): suppliers' consent, the
list on a day, what a member could save, and the forum's audit figure."""
