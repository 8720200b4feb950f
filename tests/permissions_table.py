"""The one role × action table that both permission tests check: tests/test_permissions_ui.py
(session in the browser) and tests/test_permissions_api.py (API tokens). Change a permission
here and both channels are tested against it; each test file only knows how to *do* an action.

The API adds one dimension the browser has not: a token's scope. A read-scoped token may do
what its user may do as long as the action changes nothing (``writes`` is False)."""

from typing import NamedTuple

import pytest

ROLES = ("anonymous", "reader", "analyst", "editor", "admin")
SCOPES = ("read", "write")


class Row(NamedTuple):
    action: str
    writes: bool
    allowed: frozenset[str]


def _row(action: str, writes: bool, *flags: int) -> Row:
    return Row(action, writes, frozenset(r for r, ok in zip(ROLES, flags, strict=True) if ok))


# fmt: off
TABLE = (
    #     action     writes  anonymous reader analyst editor admin
    _row("view",    False,  0,        1,     1,      1,     1),
    _row("create",  True,   0,        0,     1,      1,     1),
    _row("edit",    True,   0,        0,     1,      1,     1),
    _row("propose", True,   0,        0,     1,      1,     1),
    _row("approve", True,   0,        0,     0,      1,     1),
    _row("reopen",  True,   0,        0,     0,      1,     1),
    _row("delete",  True,   0,        0,     0,      1,     1),
    _row("bulk",    True,   0,        0,     1,      1,     1),
    _row("admin",   False,  0,        0,     0,      0,     1),
)
# fmt: on
ACTIONS = tuple(row.action for row in TABLE)
_BY_ACTION = {row.action: row for row in TABLE}


def allowed(action: str, role: str, scope: str | None = None) -> bool:
    """Whether `role` may do `action`; `scope` is the API token's scope (None: a session)."""
    row = _BY_ACTION[action]
    if role not in ROLES or (scope is not None and scope not in SCOPES):
        raise ValueError(f"unknown role {role!r} or scope {scope!r}")
    if role not in row.allowed:
        return False
    return scope != "read" or not row.writes


def ui_cases() -> list:
    """One case per (action, role), with the expected outcome."""
    return [
        pytest.param(action, role, allowed(action, role), id=f"{action}-{role}")
        for action in ACTIONS
        for role in ROLES
    ]


def api_cases() -> list:
    """One case per (action, role, token scope); anonymous sends no token (scope None)."""
    principals = [("anonymous", None)] + [
        (role, scope) for role in ROLES if role != "anonymous" for scope in SCOPES
    ]
    return [
        pytest.param(
            action,
            role,
            scope,
            allowed(action, role, scope),
            id=f"{action}-{role}" + (f"-{scope}" if scope else ""),
        )
        for action in ACTIONS
        for role, scope in principals
    ]
