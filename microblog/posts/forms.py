"""The form that changes a post's text: the composer's field and rules, under its own label."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from microblog.main.forms import post_text_field


class EditPostForm(FlaskForm):
    post = post_text_field(_l("Your post"))

    def __init__(self, *args: object, post_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Several cards may be edited on one page (and the composer's field is "post").
        self.post.id = f"post-{post_id}-text"
