"""Monitoring: metric samples, the composite collection command and its parser, alert rules and lifecycle.

Pure (standard library only). The adapters load rules from YAML and store samples and alerts; the
collector service runs the plan on each host and feeds the results through these functions.
"""
