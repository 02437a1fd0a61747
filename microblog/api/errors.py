"""API errors: `{"error": "<HTTP reason phrase>", "message": "..."}` with the right status."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from flask import Response, abort, jsonify, request
from werkzeug.exceptions import default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

from microblog.api import URL_PREFIX
from microblog.extensions import apifairy, db
from microblog.models.limits import is_id

M = TypeVar("M")


def is_api_request() -> bool:
    """Whether the request is for a URL under /api, which answers JSON even for a 404."""
    return request.path == URL_PREFIX or request.path.startswith(URL_PREFIX + "/")


def api_error_response(
    status: int, message: str | None = None, *, errors: dict[str, Any] | None = None
) -> Response:
    """A JSON error; without a message, Werkzeug's English description of the status."""
    if message is None:
        exception = default_exceptions.get(status)
        message = exception.description if exception else HTTP_STATUS_CODES.get(status, "")
    payload: dict[str, Any] = {
        "error": HTTP_STATUS_CODES.get(status, "Unknown error"),
        "message": message,
    }
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = status
    return response


def api_abort(status: int, message: str) -> NoReturn:
    """Stop the request with a JSON error."""
    abort(api_error_response(status, message))


@apifairy.error_handler
def invalid_input(status: int, messages: dict[str, Any]) -> Response:
    """Input that the schemas rejected: one message per field, also joined into one sentence."""
    errors: dict[str, Any] = {}
    for by_field in messages.values():  # webargs groups them by location (json, query)
        errors.update(by_field if isinstance(by_field, dict) else {"_schema": by_field})
    summary = " ".join(
        _text(problems) if field == "_schema" else f"{field}: {_text(problems)}"
        for field, problems in errors.items()
    )
    return api_error_response(status, summary or None, errors=errors)


def _text(problems: Any) -> str:
    return " ".join(map(str, problems)) if isinstance(problems, list) else str(problems)


def get_or_404(model: type[M], id: int) -> M:
    """The row of `model` with this id, or a JSON 404."""
    # Flask's int converter takes any length; the databases' integer columns do not.
    found = db.session.get(model, id) if is_id(id) else None
    if found is None:
        api_abort(404, f"There is no {model.__name__.lower()} with id {id}.")
    return found
