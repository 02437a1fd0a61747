"""The API's documentation page, drawn from its OpenAPI document (no script, no CDN)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from htpy import (
    Element,
    Node,
    a,
    caption,
    code,
    div,
    h1,
    h2,
    h3,
    li,
    nav,
    p,
    section,
    span,
    table,
    tbody,
    td,
    th,
    thead,
    tr,
    ul,
)
from markupsafe import escape

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


def _anchor(schema_name: str) -> str:
    return f"schema-{schema_name}"


def _english(text: str | None) -> Node:
    """Text from the OpenAPI document, which is written in English."""
    return p(lang="en")[text] if text else None


def schema_type(schema: dict[str, Any]) -> Node:
    """A property's type: a link to a named schema, `array of …`, or the JSON type."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF_PREFIX)
        return a(href=f"#{_anchor(name)}")[name]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return schema_type(schema["allOf"][0])
    if schema.get("type") == "array":
        # TRANSLATORS: the type of a JSON property that is a list, e.g. "array of User".
        return escape(_("array of %(type)s")) % {"type": schema_type(schema.get("items", {}))}
    kind = schema.get("type", "any")
    if "format" in schema:
        kind = f"{kind} ({schema['format']})"
    return code[kind]


def _constraints(schema: dict[str, Any]) -> list[str]:
    notes = []
    if "minLength" in schema or "maxLength" in schema:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if high is None:
            notes.append(ngettext("at least %(num)d character", "at least %(num)d characters", low))
        else:
            notes.append(_("%(low)d to %(high)d characters", low=low, high=high))
    if "minimum" in schema:
        notes.append(_("at least %(num)d", num=schema["minimum"]))
    if "maximum" in schema:
        notes.append(_("at most %(num)d", num=schema["maximum"]))
    if schema.get("nullable"):
        notes.append(_("may be null"))
    if schema.get("readOnly"):
        notes.append(_("only in responses"))
    if schema.get("writeOnly"):
        notes.append(_("only in requests"))
    return notes


def _notes(schema: dict[str, Any]) -> Node:
    notes = _constraints(schema)
    return p[", ".join(notes)] if notes else None


def _property_row(name: str, schema: dict[str, Any], *, required: bool) -> Element:
    return tr[
        th(scope="row")[code[name]],
        td[schema_type(schema)],
        # TRANSLATORS: whether a field of an API request or response is required.
        td[_("yes") if required else _("no")],
        td[_english(schema.get("description")), _notes(schema)],
    ]


def schema_section(name: str, schema: dict[str, Any]) -> Element:
    """One named schema: a table of its properties."""
    required = set(schema.get("required", []))
    properties = schema.get("properties", {})
    return section(id=_anchor(name), aria_labelledby=f"{_anchor(name)}-title")[
        h3(id=f"{_anchor(name)}-title")[code[name]],
        _english(schema.get("description")),
        table(".api-table")[
            caption[_("Fields of %(schema)s", schema=name)],
            thead[
                tr[
                    th(scope="col")[_("Field")],
                    th(scope="col")[_("Type")],
                    th(scope="col")[_("Required")],
                    th(scope="col")[_("Notes")],
                ]
            ],
            tbody[
                [
                    _property_row(field, spec, required=field in required)
                    for field, spec in properties.items()
                ]
            ],
        ],
    ]


def _auth_text(operation: dict[str, Any], schemes: dict[str, Any]) -> str:
    names = [name for requirement in operation.get("security", []) for name in requirement]
    if not names:
        # TRANSLATORS: "Authentication: none", an API endpoint that needs no credentials.
        return _("none")
    if schemes.get(names[0], {}).get("scheme") == "basic":
        return _("HTTP Basic: your username and password")
    return _("a token: Authorization: Bearer <token>")


def _parameters(operation: dict[str, Any]) -> Node:
    parameters = operation.get("parameters", [])
    if not parameters:
        return None
    return table(".api-table")[
        caption[_("Parameters")],
        thead[
            tr[
                th(scope="col")[_("Name")],
                th(scope="col")[_("Sent in")],
                th(scope="col")[_("Type")],
                th(scope="col")[_("Notes")],
            ]
        ],
        tbody[
            [
                tr[
                    th(scope="row")[code[parameter["name"]]],
                    td[code[parameter["in"]]],
                    td[schema_type(parameter.get("schema", {}))],
                    td[_english(parameter.get("description")), _notes(parameter.get("schema", {}))],
                ]
                for parameter in parameters
            ]
        ],
    ]


def _request_body(operation: dict[str, Any]) -> Node:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return None
    media_type, body = next(iter(content.items()))
    return p[
        escape(_("Request body: %(schema)s as %(media_type)s"))
        % {"schema": schema_type(body.get("schema", {})), "media_type": code[media_type]}
    ]


def _responses(operation: dict[str, Any]) -> Element:
    rows = []
    for status, response in operation.get("responses", {}).items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        rows.append(
            tr[
                th(scope="row")[code[status]],
                td[schema_type(schema) if schema else "—"],
                td[_english(response.get("description"))],
            ]
        )
    return table(".api-table")[
        caption[_("Responses")],
        thead[
            tr[
                th(scope="col")[_("Status")],
                th(scope="col")[_("Body")],
                th(scope="col")[_("Meaning")],
            ]
        ],
        tbody[rows],
    ]


def operation_section(
    *, method: str, path: str, operation: dict[str, Any], schemes: dict[str, Any]
) -> Element:
    """One endpoint: what it does, how to authenticate, its parameters and answers."""
    anchor = operation["operationId"]
    return section(".api-operation", id=anchor, aria_labelledby=f"{anchor}-title")[
        h3(id=f"{anchor}-title")[code[f"{method.upper()} {path}"]],
        _english(operation.get("summary")),
        _english(operation.get("description")),
        p[_("Authentication: %(how)s", how=_auth_text(operation, schemes))],
        _parameters(operation),
        _request_body(operation),
        _responses(operation),
    ]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation, tokens first (a client needs one before anything else), then by path."""
    found = [
        (method, path, operations[method])
        for path, operations in spec.get("paths", {}).items()
        for method in METHODS
        if method in operations
    ]
    return sorted(found, key=lambda op: ("/tokens" not in op[1], op[1], METHODS.index(op[0])))


def api_docs_page(*, spec: dict[str, Any], spec_url: str, token_minutes: int) -> Element:
    """The whole documentation: how to authenticate, every endpoint, every schema."""
    operations = _operations(spec)
    schemes = spec.get("components", {}).get("securitySchemes", {})
    schemas = spec.get("components", {}).get("schemas", {})
    return div(".api-docs")[
        h1[_("API documentation")],
        p[
            escape(_("The same description, for programs: the %(link)s."))
            % {"link": a(href=spec_url)[_("OpenAPI document")]}
        ],
        h2[_("Getting started")],
        p[
            escape(
                _(
                    "Get a token from %(tokens)s with HTTP Basic authentication (your username "
                    "and password), then send it with every request in the header %(header)s."
                )
            )
            % {"tokens": code["POST /api/tokens"], "header": code["Authorization: Bearer <token>"]},
            " ",
            ngettext(
                "A token works for %(num)d minute.",
                "A token works for %(num)d minutes.",
                token_minutes,
            ),
        ],
        p[
            escape(
                _(
                    "Errors are JSON objects with an %(error)s (the HTTP reason phrase) and a "
                    "%(message)s. Lists come in pages: %(query)s, at most 100 items a page."
                )
            )
            % {
                "error": code["error"],
                "message": code["message"],
                "query": code["?page=N&per_page=N"],
            }
        ],
        nav(aria_labelledby="api-endpoints-title")[
            h2("#api-endpoints-title")[_("Endpoints")],
            ul[
                [
                    li[
                        a(href=f"#{operation['operationId']}")[code[f"{method.upper()} {path}"]],
                        " — ",
                        span(lang="en")[operation.get("summary", "")],
                    ]
                    for method, path, operation in operations
                ]
            ],
        ],
        [
            operation_section(method=method, path=path, operation=operation, schemes=schemes)
            for method, path, operation in operations
        ],
        h2[_("Schemas")],
        [schema_section(name, schema) for name, schema in schemas.items()],
    ]
