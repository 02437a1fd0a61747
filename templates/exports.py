"""The export of one's posts: the form that starts it, and the panel that shows how it goes.

While an export is queued or running the panel replaces itself every second (htmx asks for
it again with `load delay:1s`); once it is done or failed it no longer asks, so the polling
stops by itself. Without JavaScript the panel shows the state and a Refresh link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, Node, a, button, div, form, h1, label, p, progress, section
from markupsafe import escape

from templates.dates import timestamp
from templates.forms import csrf_input
from templates.hx import hx_form

if TYPE_CHECKING:
    from microblog.models.task import TaskStatus

PANEL_ID = "export"


def failure_text(failure: str | None) -> str:
    """Why an export failed, in the reader's words."""
    texts = {
        "mail": _("The mail with your posts could not be sent."),
        # Trying again cannot help until the people running the site configure mail.
        "no_mail": _(
            "This site is not set up to send mail yet, so it cannot send you your posts. "
            "Please tell the people who run it."
        ),
        "lost": _("The export stopped before it was done."),
        "not_started": _("The export could not be started. Try again in a few minutes."),
    }
    return texts.get(failure or "", _("Something went wrong while exporting your posts."))


def _start_form(text: str, *, hint: str | None) -> Element:
    action = url_for("exports.export_posts")
    return form(".export-form", **hx_form(action, target=f"#{PANEL_ID}"))[
        csrf_input(),
        p(".hint")[hint] if hint else None,
        button(".secondary", type="submit")[text],
    ]


def _progress(status: TaskStatus) -> list[Element]:
    if status.state == "queued":
        text = (
            _("Your export is queued and waiting to start.")
            if status.enqueued
            # Redis is down: the export is handed to the job queue once it is back.
            else _("Your export is queued: it will start when the job queue is back.")
        )
        bar = progress("#export-progress", max="100")[_("Waiting")]
    else:
        # TRANSLATORS: the text of the export's progress bar, e.g. "Exporting your posts: 40%".
        text = _("Exporting your posts: %(percent)d%%", percent=status.progress)
        bar = progress("#export-progress", max="100", value=str(status.progress))[
            f"{status.progress}%"
        ]
    return [
        label(".export-progress-label", for_="export-progress")[text],
        bar,
        p(".hint")[
            _("We will mail the file to you when it is ready. You can leave this page."),
            " ",
            # A plain link: without JavaScript the page does not ask by itself.
            a("#export-refresh", href=url_for("exports.export_posts"))[_("Refresh")],
        ],
    ]


def export_panel(*, status: TaskStatus | None, heard: int = 0, focus: bool = False) -> Element:
    """The export of one's posts as it stands: the form to start one, the progress of the one
    that runs, or how the last one ended (with the form to start another). `heard` is the
    last progress step announced to screen readers, carried by the next poll; `focus` moves
    keyboard focus into the panel (after the form that had it was replaced)."""
    attrs: dict[str, str] = {}
    content: Node
    if status is None:
        content = _start_form(
            _("Export my posts"),
            hint=_("Get all your posts by email, as a JSON file."),
        )
    elif status.active:
        url = url_for("exports.export_posts", heard=heard)
        attrs = {
            "hx-get": url,
            "hx-trigger": "load delay:1s",
            "hx-target": "this",
            "hx-swap": "outerHTML",
        }
        content = _progress(status)
    elif status.state == "done":
        finished = timestamp(status.finished) if status.finished else ""
        content = [
            p(".export-done")[
                # TRANSLATORS: %(when)s is a time, e.g. "3 minutes ago".
                escape(_("Sent to your email %(when)s.")) % {"when": finished}
            ],
            _start_form(_("Export again"), hint=None),
        ]
    else:
        content = [
            p(".export-failed")[failure_text(status.failure)],
            _start_form(_("Try again"), hint=None),
        ]
    return div(
        f"#{PANEL_ID}.export-panel",
        tabindex="-1" if focus else None,
        autofocus=focus,
        **attrs,
    )[content]


def export_section(*, panel: Element) -> Element:
    """The export panel on one's own profile, in a region of its own."""
    return section(".profile-export", aria_label=_("Export your posts"))[panel]


def export_page(*, panel: Element) -> Element:
    """GET /export_posts as a whole page: what an export holds, and the panel."""
    return section(".narrow", aria_labelledby="export-title")[
        h1("#export-title")[_("Export your posts")],
        p[
            _(
                "The export is a file named posts.json with every post you have published, "
                "oldest first: its text, when you published it, and its language. It is "
                "mailed to the address of your account."
            )
        ],
        panel,
    ]
