"""The site's public address (BASE_URL): absolute links in mails, and the hosts it answers to."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from flask import Flask, current_app

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


def configure(app: Flask) -> None:
    """Check BASE_URL and answer only to its host (and TRUSTED_HOSTS) outside debug mode;
    exits with one clear line when production has no usable BASE_URL."""
    base_url = app.config.get("BASE_URL")
    if not base_url:
        if not (app.debug or app.testing):
            sys.exit(
                "microblog: refusing to start without BASE_URL, the site's public address that "
                "links in mails point to (e.g. https://microblog.example.com); set it in the "
                "environment or in .env (make run sets http://127.0.0.1:5000)."
            )
        base_url = LOCAL_BASE_URL
    try:
        app.config["BASE_URL"] = parse_base_url(base_url)
    except BaseUrlError as error:
        sys.exit(f"microblog: refusing to start: {error}.")
    if not app.debug:
        # Werkzeug compares host names without their port.
        hosts = [base_host(app.config["BASE_URL"]), *app.config.get("EXTRA_TRUSTED_HOSTS", [])]
        app.config["TRUSTED_HOSTS"] = hosts
