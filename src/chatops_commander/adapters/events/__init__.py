"""Event transport between replicas."""
