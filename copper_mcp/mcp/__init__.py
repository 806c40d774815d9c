"""Thin MCP adapters: the catalogue's operations as tools, records and account lists as
resources, and ``build_server`` that wires them to one ``Calls``."""

from .server import INSTRUCTIONS, build_server

__all__ = ["INSTRUCTIONS", "build_server"]
