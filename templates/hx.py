"""The one place where links and forms get their htmx twins.

A link keeps its `href` and a form its `action`, so both work without JavaScript; htmx reads the
same URL from `hx-get` / `hx-post`. Building both from one value keeps the two paths in step.
"""

from __future__ import annotations


def hx_link(url: str, *, target: str, swap: str = "outerHTML", push_url: bool = True) -> dict:
    """Attributes for an `<a>` that htmx follows in place: href and hx-get point to `url`."""
    attrs = {"href": url, "hx-get": url, "hx-target": target, "hx-swap": swap}
    if push_url:
        attrs["hx-push-url"] = "true"
    return attrs


def hx_form(action: str, *, target: str = "this", swap: str = "outerHTML") -> dict:
    """Attributes for a POST `<form>` that htmx submits in place and guards against double
    submission: the button is disabled while the request runs and repeats are dropped."""
    return {
        "action": action,
        "method": "post",
        "hx-post": action,
        "hx-target": target,
        "hx-swap": swap,
        "hx-disabled-elt": "find button",
        "hx-sync": "this:drop",
    }
