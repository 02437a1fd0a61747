"""A post's own page, and the views that change or delete one's own post (with the Edit and
Delete controls they put under the author's cards)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from htpy import Node

from microblog.extensions import db, post_cards
from microblog.models import Post, PostRow, post_row
from microblog.models.limits import is_id
from microblog.posts.forms import EditPostForm
from microblog.ratelimits import edit_limit
from microblog.responses import after_change, announce, reader_page, render
from microblog.security import is_return_page
from microblog.services.posts import remove_post, revise_post
from templates.cards import CardAction, CardViewer
from templates.post_pages import (
    author_controls,
    control_labels,
    delete_confirmation,
    delete_page,
    edit_form,
    edit_page,
    editing_card,
    post_card,
    post_page,
    post_title,
)

bp = Blueprint("posts", __name__)

# ?focus= on a card's address: the control that takes the focus when the card comes back.
FOCUSABLE = {"edit", "delete"}


def author_actions() -> CardAction | None:
    """Edit and Delete under the viewer's own posts (for anyone else, nothing). Their links
    bring the reader back to the page they are on; the card that comes back after Cancel or
    Save gives the focus to the control that was used."""
    if not current_user.is_authenticated:
        return None
    labels = control_labels()
    back_to = reader_page()
    focus_id, focus = None, None
    if request.endpoint == "posts.post" and request.args.get("focus") in FOCUSABLE:
        focus_id, focus = request.view_args["id"], request.args["focus"]
    elif request.endpoint == "posts.edit" and request.method == "POST":
        focus_id, focus = request.view_args["id"], "edit"

    def action(post: PostRow, viewer: CardViewer) -> Node:
        if viewer.user_id != post.author.id:
            return None
        return author_controls(
            post_id=post.id,
            edit_url=url_for("posts.edit", id=post.id, next=back_to),
            delete_url=url_for("posts.delete", id=post.id, next=back_to),
            labels=labels,
            focus=focus if post.id == focus_id else None,
        )

    return action


def _own_post(post_id: int) -> Post:
    """The viewer's post `post_id`: 404 when there is none, 403 when it is someone else's
    (or the viewer is not logged in)."""
    post = db.session.get(Post, post_id) if is_id(post_id) else None
    if post is None:
        abort(404)
    if not current_user.is_authenticated or post.user_id != current_user.id:
        abort(403)
    return post


def _back_to(post_id: int) -> str:
    """Where to go after editing or deleting: the page the reader came from (`next`), else
    the post's page (also instead of its own edit or delete page)."""
    back = request.values.get("next")
    forms = {url_for("posts.edit", id=post_id), url_for("posts.delete", id=post_id)}
    if is_return_page(back) and urlsplit(back).path not in forms:
        return back
    return url_for("posts.post", id=post_id)


@bp.route("/post/<int:id>")
def post(id: int) -> Response:
    """One post on its own page: the card, who wrote it, and when in full."""
    row = post_row(id) if is_id(id) else None
    if row is None:
        abort(404)
    card = post_card(row, cards=post_cards.context(posts=[row]))
    return render(
        card,
        page_title=post_title(row),
        page_content=post_page(
            post=row, card=card, author_url=url_for("main.user", username=row.author.username)
        ),
    )


@bp.route("/post/<int:id>/edit", methods=["GET", "POST"])
@edit_limit
def edit(id: int) -> Response:
    """Change the text of one of your posts."""
    post = _own_post(id)
    back_to = _back_to(id)
    form = EditPostForm(post_id=id)
    if form.validate_on_submit():
        changed = revise_post(post, form.post.data)
        db.session.flush()
        # What the answer shows, read before the commit expires every loaded object.
        edited = PostRow.of(post, current_user)
        cards = post_cards.context(posts=[edited])
        message = _("Your post was updated.") if changed else _("Nothing was changed.")
        announcement = _("Post updated.") if changed else message
        db.session.commit()
        return after_change(
            post_card(edited, cards=cards),
            redirect_to=back_to,
            message=message,
            announcement=announcement,
        )
    if request.method == "GET":
        form.post.data = post.body
    else:
        announce(
            _("Your post was not saved: %(error)s", error=" ".join(map(str, form.post.errors)))
        )
    action = url_for("posts.edit", id=id)
    in_card = edit_form(
        form,
        post_id=id,
        action=action,
        back_to=back_to,
        card_url=url_for("posts.post", id=id, focus="edit"),
    )
    return render(
        editing_card(post_id=id, form_=in_card),
        page_title=_("Edit your post"),
        page_content=edit_page(
            form_=edit_form(form, post_id=id, action=action, back_to=back_to, card_url=None)
        ),
        status=422 if form.errors else 200,
    )


@bp.route("/post/<int:id>/delete", methods=["GET", "POST"])
def delete(id: int) -> Response:
    """Delete one of your posts, once you have said yes."""
    post = _own_post(id)
    back_to = _back_to(id)
    if request.method == "GET":
        action = url_for("posts.delete", id=id)
        # The post as it will disappear, without the controls that led here.
        row = PostRow.of(post, current_user)
        cards = replace(post_cards.context(posts=[row]), actions=())
        return render(
            delete_confirmation(
                post_id=id,
                action=action,
                back_to=back_to,
                card_url=url_for("posts.post", id=id, focus="delete"),
            ),
            page_title=_("Delete this post?"),
            page_content=delete_page(
                card=post_card(row, cards=cards),
                confirmation=delete_confirmation(
                    post_id=id, action=action, back_to=back_to, card_url=None
                ),
            ),
        )
    gone = urlsplit(back_to).path == url_for("posts.post", id=id)
    # Read before the commit expires the viewer (the language of the messages is theirs).
    profile = url_for("main.user", username=current_user.username)
    message, announcement = _("Your post was deleted."), _("Post deleted.")
    remove_post(post)
    db.session.commit()
    return after_change(
        None,
        redirect_to=profile if gone else back_to,
        message=message,
        announcement=announcement,
        # Deleted on its own page: that page is gone too, so go to the author's profile.
        leave_page=gone,
    )
