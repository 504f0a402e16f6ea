"""Monitoring adapters: the rules file loader, webhook/Slack notifiers, the collector lock, Prometheus metrics."""
