"""Security domain logic: pure, standard library only.

One concept per module: RBAC decisions (`authorization`), password and secret policies,
the audit chain, refresh-token rotation, API-token lifecycle, IP allowlists.
"""
