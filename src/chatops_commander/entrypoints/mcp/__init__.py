"""The MCP door (issue 17): AI agents use the catalog through the pipeline's gates (ADR 0014)."""
