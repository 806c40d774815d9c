"""Command line entry point (placeholder while the server is built)."""

import sys


def main() -> None:
    """Run copper-mcp."""
    sys.exit(0)
