"""The export of one's posts: start it (POST) and follow it (GET, which htmx polls)."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from microblog.models.task import TaskStatus
from microblog.responses import after_change, announce, render
from microblog.services.exports import latest_export, reached_step, start_export
from microblog.services.tasks import AlreadyActive
from templates.exports import export_page, export_panel, failure_text

bp = Blueprint("exports", __name__)


def _heard() -> int | None:
    """The last step the polling panel announced (its `heard` argument), if it says one."""
    value = request.args.get("heard", "")
    return int(value) if value.isascii() and value.isdigit() and int(value) <= 100 else None


def progress_announcement(status: TaskStatus | None, heard: int | None) -> tuple[str | None, int]:
    """What to tell screen readers about `status`, given the step last announced (`heard`;
    None when the panel was not polling: a page load says nothing), and the step announced
    now, for the next poll to carry."""
    reached = reached_step(status)
    if status is None or heard is None:
        return None, reached
    if status.state == "done":
        return _("Your posts were sent to your email."), 100
    if status.state == "failed":
        return failure_text(status.failure), 100
    if reached > heard:
        # TRANSLATORS: said to screen readers while the export runs, e.g. "Export 50% done."
        return _("Export %(percent)d%% done.", percent=reached), reached
    return None, heard


@bp.route("/export_posts", methods=["GET", "POST"])
@login_required
def export_posts() -> Response:
    """Export your posts by email: the form, or how the export is going (POST starts one)."""
    here = url_for("exports.export_posts")
    if request.method == "POST":
        try:
            status = start_export(current_user, locale=str(get_locale()))
        except AlreadyActive as active:
            return after_change(
                export_panel(status=active.status, focus=True),
                redirect_to=here,
                message=_("An export of your posts is already running."),
                category="info",
            )
        if not status.enqueued:  # the job queue cannot be reached: the export waits for it
            return after_change(
                export_panel(status=status, focus=True),
                redirect_to=here,
                message=_(
                    "Your export is queued. It will start when the job queue is back, and we "
                    "will mail your posts to you."
                ),
                category="info",
                announcement=_("Export queued."),
            )
        return after_change(
            export_panel(status=status, focus=True),
            redirect_to=here,
            message=_("Your export has started. We will mail your posts to you."),
            announcement=_("Export started."),
        )
    status = latest_export(current_user.id)
    announcement, heard = progress_announcement(status, _heard())
    if announcement:
        announce(announcement)
    panel = export_panel(status=status, heard=heard)
    return render(
        panel,
        page_title=_("Export your posts"),
        page_content=export_page(panel=panel),
    )
