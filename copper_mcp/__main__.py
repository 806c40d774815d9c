"""``python -m copper_mcp``: the same as the ``copper-mcp`` command."""

from copper_mcp.cli import main

if __name__ == "__main__":
    main()
