"""Checks every answer the tests receive against the JSON Schema the server publishes for it.

``rpc.discover`` serves an OpenRPC document generated from the server's protocol types: one JSON Schema
(draft 7) per method result. :class:`SchemaCheckedClient` validates each ``result`` it receives against
its method's schema with the ``jsonschema`` library (Debian package ``python3-jsonschema``), so a member
the server sends that the contract does not list, one it lists as always present but leaves out, or one
of the wrong type fails the test that made the call. :data:`CHECKED` records which methods were checked,
so the suite can tell which methods no test exercised.
"""

from __future__ import annotations

import sys
import os
from typing import Any, Dict, List, Optional, Set, Tuple

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from asana_access_client import Client  # noqa: E402

_VALIDATORS: Dict[str, jsonschema.Draft7Validator] = {}
CHECKED: Set[str] = set()
DESCRIBED: Set[str] = set()


def load(document: Dict[str, Any]) -> None:
    """Reads the result schemas of an OpenRPC document (once per test run)."""
    for method in document["methods"]:
        schema = method["result"]["schema"]
        jsonschema.Draft7Validator.check_schema(schema)
        _VALIDATORS[method["name"]] = jsonschema.Draft7Validator(schema)
        DESCRIBED.add(method["name"])
    CHECKED.add("rpc.discover")  # its answer is the document just read


def check(method: str, result: Any) -> None:
    """Raises AssertionError when ``result`` does not follow ``method``'s published schema."""
    validator = _VALIDATORS.get(method)
    if validator is None:
        raise AssertionError(f"rpc.discover publishes no schema for {method}")
    errors = sorted(validator.iter_errors(result), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(the result)"
        raise AssertionError(f"{method} answered outside its schema at {where}: {first.message} "
                             f"({len(errors)} problem(s); result: {str(result)[:500]})")
    CHECKED.add(method)


class SchemaCheckedClient(Client):
    """A :class:`Client` whose every successful ``call`` is checked against the published schema.

    ``rpc.discover`` needs an identity, so answers received before the schemas could be read (the
    ``authenticate`` of the constructor) wait in :data:`_PENDING` and are checked once they are.
    """

    def call(self, method: str, params: Optional[Dict[str, Any]] = None, on_notification: Any = None) -> Any:
        result = super().call(method, params, on_notification)
        _PENDING.append((method, result))
        if not _VALIDATORS and self.identity is not None and method != "rpc.discover":
            load(super().call("rpc.discover"))
        if _VALIDATORS:
            while _PENDING:
                check(*_PENDING.pop(0))
        return result


_PENDING: List[Tuple[str, Any]] = []
