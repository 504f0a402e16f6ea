"""Chat platforms (Slack, Mattermost, Teams, Matrix) as doors of the action pipeline."""
