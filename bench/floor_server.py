"""The cold-start floor: an MCPServer with one trivial tool, served over stdio.

``bench/run.py`` spawns it exactly as it spawns ``copper-mcp``, so the difference between the two is
what copper-mcp adds on top of starting any ``mcp`` 2.x server.
"""

from mcp.server import MCPServer

server = MCPServer("floor", version="0.0.0", log_level="WARNING")


@server.tool()
async def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    server.run()
