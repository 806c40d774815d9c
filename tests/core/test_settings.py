"""The credential shape rules: what they refuse, and that they never echo a key."""

from __future__ import annotations

import pytest

from copper_mcp.core.settings import Settings, api_key_problem, user_email_problem

KEY = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("key", [KEY, "k", "A-b_c.d~!"])
def test_visible_ascii_keys_are_well_formed(key: str) -> None:
    assert api_key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "where"),
    [
        (f" {KEY}", "a space or line break at the start"),
        (f"{KEY}\n", "a space or line break at the end"),
        (f"{KEY[:8]}\t{KEY[8:]}", "a space or line break inside it"),
        (f"{KEY}\x00", "a control or non-ASCII character at the end"),
        (f"{KEY[:8]}\u200b{KEY[8:]}", "a control or non-ASCII character inside it"),
        (f"é{KEY}", "a control or non-ASCII character at the start"),
    ],
)
def test_malformed_keys_say_where_and_never_echo_the_key(key: str, where: str) -> None:
    problem = api_key_problem(key)
    assert problem is not None and where in problem and "COPPER_API_KEY" in problem
    assert KEY[:8] not in problem and KEY[8:] not in problem


def test_an_empty_key_says_where_to_get_one() -> None:
    problem = api_key_problem("")
    assert problem is not None and "Settings > Integrations > API Keys" in problem


@pytest.mark.parametrize("email", ["you@example.com", "first.last+crm@sub.example.co.uk"])
def test_email_shaped_addresses_pass(email: str) -> None:
    assert user_email_problem(email) is None


@pytest.mark.parametrize("email", ["", "you", "you@example", "you@@example.com", "you@example.com ", "y ou@example.com",
                                   "you@example.com\n", "@example.com", "you@.com"])
def test_other_emails_are_problems_naming_the_variable(email: str) -> None:
    problem = user_email_problem(email)
    assert problem is not None and "COPPER_USER_EMAIL" in problem


def test_settings_repr_hides_the_key() -> None:
    assert KEY not in repr(Settings(api_key=KEY, user_email="you@example.com"))
