"""Share requests (DOMAIN.md, "Share requests"): a member's sourcing team asks the
owner of an audit it cannot see to share it; the owner grants or declines.

Service functions taking the principal and the store, like mutations/: the writes
go through `mutations.record.perform` (one transaction, recorded, idempotent), the
lists answer for the key's side (a member's own requests; the requests made to a
supplier).
"""
