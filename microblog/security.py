"""Security rules that apply to every response, and the check that keeps `next` on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app

from templates.avatars import GRAVATAR_HOST


def is_safe_next(target: str | None) -> bool:
    """True only for a path on this site: `/x?y` yes; `//evil`, `/\\evil`, `https://evil` no."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 or char == "\\" for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def content_security_policy() -> str:
    img_src = "'self' data:"
    if current_app.config["AVATAR_PROVIDER"] == "gravatar":
        img_src += f" {GRAVATAR_HOST}"
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {img_src}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
