"""Browser tests: the real web UI in Debian's Chromium driven by Playwright."""
