"""The site's public address (BASE_URL): absolute links in mails, and the hosts it answers to."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

# The address of `make run`, and of a debug server started without BASE_URL.
LOCAL_BASE_URL = "http://127.0.0.1:5000"


class BaseUrlError(ValueError):
    """A BASE_URL that cannot be the address of a site (no scheme, no host, a query…)."""


def parse_base_url(value: str) -> str:
    """`value` as the site's address without a trailing slash, e.g. `https://example.com`
    or `https://example.com/microblog`; BaseUrlError says what is wrong with it."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise BaseUrlError(
            f"BASE_URL must start with http:// or https:// and name a host, not {value!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BaseUrlError(f"BASE_URL must be a plain address (no query or login), not {value!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def base_host(base_url: str) -> str:
    """The host name in `base_url`, without the port (what Host headers are checked against)."""
    return urlsplit(base_url).hostname or ""


def public_url(endpoint: str, **values: object) -> str:
    """The absolute URL of `endpoint` at BASE_URL, whatever host, scheme or prefix the
    current request came with (or when there is no request at all, as in a job)."""
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
