"""The package's public surface is exactly what __all__ lists (adding to it is a deliberate decision)."""

from __future__ import annotations

import copper_mcp.client as client_package


def test_all_lists_every_public_name_once() -> None:
    public = {name for name in vars(client_package) if not name.startswith("_")}
    assert set(client_package.__all__) == public
    assert len(client_package.__all__) == len(set(client_package.__all__))


def test_every_exported_name_resolves() -> None:
    for name in client_package.__all__:
        assert getattr(client_package, name) is not None
