"""Chat-platform adapters (Slack, Mattermost, Teams, Matrix): platform events in, the door's messages out."""
