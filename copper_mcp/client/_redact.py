"""Masking the API key in any text an error message or a log line is built from, however it is spelt."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"


def spellings(secret: str) -> frozenset[str]:
    """The ways a text may spell ``secret``: as it is, inside a Python ``str`` or ``bytes`` repr
    (``b'key\\r'`` in an h11 header error), JSON-escaped, URL-encoded."""
    forms = {
        secret,
        repr(secret)[1:-1],
        repr(secret.encode())[2:-1],
        secret.encode("unicode_escape").decode("ascii"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
    }
    return frozenset(form for form in forms if form)


class Redactor:
    """Replaces every spelling of a secret in a text with ``***``.

    Matching ignores case, so ``%0d`` is masked as well as ``%0D``; masking a little more than the
    secret costs nothing.
    """

    def __init__(self, secret: str) -> None:
        longest_first = sorted(spellings(secret), key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(form) for form in longest_first), re.IGNORECASE)

    def __call__(self, text: str) -> str:
        """``text`` with the secret masked."""
        return self._pattern.sub(MASK, text)

    def within(self, data: Any) -> Any:
        """Parsed JSON with the secret masked in every string of it, keys included.

        Masking the text before parsing is not enough: JSON escapes a spelling such as a repr
        once more, and parsing undoes that.
        """
        if isinstance(data, str):
            return self(data)
        if isinstance(data, list):
            return [self.within(item) for item in data]
        if isinstance(data, dict):
            return {self(str(key)): self.within(value) for key, value in data.items()}
        return data
