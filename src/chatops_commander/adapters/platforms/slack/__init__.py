"""Slack: slack-bolt (async) in Socket Mode or HTTP Events mode; Block Kit cards."""
