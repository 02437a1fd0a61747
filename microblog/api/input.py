"""Request bodies: JSON only, validated by a schema through APIFairy's @body."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from apifairy import body
from flask import request
from marshmallow import Schema

from microblog.api.errors import api_abort


def json_body(schema: Schema) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """APIFairy's @body(schema), except that a body that is not JSON is a 415 and malformed
    JSON a 400 that says so (rather than a list of "missing" fields)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        parsed = body(schema)(view)

        @wraps(parsed)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not request.is_json:
                api_abort(415, "Send a JSON body with Content-Type: application/json.")
            try:
                json.loads(request.get_data())
            except ValueError as error:
                api_abort(400, f"The body is not valid JSON: {error}.")
            except RecursionError:
                api_abort(400, "The body is nested too deeply.")
            return parsed(*args, **kwargs)

        return checked

    return decorator
