"""Finishing touches to the OpenAPI document that APIFairy writes from the views and schemas."""

from __future__ import annotations

from typing import Any

from microblog.extensions import apifairy

TAGS = {
    "Tokens": "Trade a username and password for a bearer token; revoke it.",
    "Users": "Accounts, profiles, and who follows whom.",
    "Posts": "Everyone's posts, one user's, your timeline; publish, change and delete your own.",
}


def _tag(path: str) -> str:
    if path.startswith("/api/tokens"):
        return "Tokens"
    if path.endswith("/posts") or path.startswith(("/api/posts", "/api/timeline")):
        return "Posts"
    return "Users"


@apifairy.process_apispec
def finish_document(document: dict[str, Any]) -> dict[str, Any]:
    """Group operations by resource, and make response headers valid OpenAPI 3."""
    for path, operations in document["paths"].items():
        for operation in operations.values():
            operation["tags"] = [_tag(path)]
            for response in operation["responses"].values():
                for header in response.get("headers", {}).values():
                    # APIFairy writes headers like parameters; a Header Object has no in or name.
                    header.pop("in", None)
                    header.pop("name", None)
    document["tags"] = [{"name": name, "description": text} for name, text in TAGS.items()]
    return document
