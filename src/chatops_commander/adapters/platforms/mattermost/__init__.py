"""Mattermost: a bot account over REST v4 + WebSocket (a small client of our own on aiohttp; ADR 0015)."""
