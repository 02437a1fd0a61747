"""The API's documentation page, drawn from the OpenAPI document that APIFairy writes."""

from __future__ import annotations

from flask import Response, current_app, url_for
from flask_babel import gettext as _

from microblog.api import bp
from microblog.extensions import apifairy
from microblog.responses import render
from templates.api_docs import api_docs_page


@bp.route("/docs")
def docs() -> Response:
    """Readable documentation of every endpoint and schema of the API."""
    page = api_docs_page(
        spec=apifairy.apispec,
        spec_url=url_for("apifairy.json"),
        token_minutes=current_app.config["API_TOKEN_MINUTES"],
    )
    return render(page, page_title=_("API documentation"))
