"""copper-mcp: Copper CRM for MCP hosts."""

__version__ = "0.1.0"
