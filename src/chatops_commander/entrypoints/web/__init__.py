"""The web UI: server-rendered pages (Jinja2 + htmx), static files and vendored front-end libraries."""
