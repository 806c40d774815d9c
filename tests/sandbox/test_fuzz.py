"""Generated requests for every operation of the API description: never a 5xx, errors in the envelope.

A bounded, derandomized run for CI; ``scripts/fuzz_sandbox.py --examples N`` runs longer.
"""

from __future__ import annotations

import pytest

from .fuzzing import Operation, fuzz, operations

CI_EXAMPLES = 25
"""Requests per operation in CI (the same ones every run)."""


@pytest.mark.parametrize("operation", operations(), ids=lambda operation: operation.name)
def test_generated_requests_never_get_a_5xx(operation: Operation) -> None:
    fuzz(operation, CI_EXAMPLES)
