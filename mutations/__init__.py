"""The API's writes (DOMAIN.md, "Who may do what"): suppliers working their own
part of the network and members' sourcing teams their own decisions.

Every mutation is a service function taking the principal and the store. It
checks the principal against the rule first (a node outside what the principal
may see is NOT_FOUND, like one that does not exist), validates its input as the
loaders validate rows, and writes through `mutations.record.perform`: one
transaction, recorded with who and when, idempotent under a client key.
"""
