"""Executors: run command plans locally (asyncio subprocess) or over SSH (asyncssh, pooled)."""
