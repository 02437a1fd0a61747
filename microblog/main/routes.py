"""Views for timelines, posting, profiles and following."""

from __future__ import annotations

from functools import partial

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import get_timezone, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required
from htpy import Element, fragment

from microblog.errors import error_response
from microblog.extensions import db, post_cards
from microblog.main import bp
from microblog.main.forms import EditProfileForm, PostForm
from microblog.main.paging import positive_arg, requested_page
from microblog.models import (
    AuthorRow,
    Page,
    Post,
    PostList,
    PostRow,
    User,
    follow_stats,
    paginate,
)
from microblog.models.block import relation, relation_from
from microblog.ratelimits import post_limit
from microblog.responses import (
    after_change,
    announce,
    canonical_redirect,
    listed_people,
    page_turn,
    render,
)
from microblog.services.avatars import avatar_url, identicon_svg
from microblog.services.exports import latest_export, reached_step
from microblog.services.languages import detect_language
from templates.auth import account_settings, logout_everywhere_form
from templates.exports import export_panel, export_section
from templates.posts import (
    explore_page,
    home_empty_state,
    home_page,
    new_post_oob,
    post_form,
    posts_section,
)
from templates.users import (
    COUNTS_FIELD,
    PROFILE_AVATAR_SIZE,
    edit_profile_page,
    follow_button,
    follow_counts,
    profile_header,
    profile_page,
)


def _load_page(posts: PostList) -> Page:
    """The requested page of `posts`: by number, or just older (`before`) or newer (`after`)
    than a post, as the pager links ask."""
    return requested_page(partial(paginate, posts))


def _list_title(title: str) -> str:
    """The title of a page of a list: which page it is, after the first."""
    number = positive_arg("page") or 1
    if number == 1:
        return title
    # TRANSLATORS: the title of a later page of a list, e.g. "Explore, page 2".
    return _("%(title)s, page %(number)d", title=title, number=number)


def _timeline_section(page: Page, *, focus: bool) -> Element:
    empty = None
    if page.is_empty:
        suggestions = User.suggestions_for(current_user, limit=5)
        empty = home_empty_state(suggestions=listed_people(suggestions))
    return posts_section(
        page=page,
        cards=post_cards.context(posts=page.items),
        heading=_("Your timeline"),
        empty_text=empty,
        url_for_page=lambda number, **cursor: url_for("main.index", page=number, **cursor),
        focus=focus,
    )


@bp.route("/index", methods=["GET", "POST"])
@bp.route("/", methods=["GET", "POST"])
@login_required
@post_limit
def index() -> Response:
    """The home timeline (your posts and those you follow) and the form to post."""
    if request.method == "GET":
        page = _load_page(PostList.timeline_for(current_user))
        posts = _timeline_section(page, focus=page_turn(page.number))
        return render(
            posts,
            page_title=_list_title(_("Home")),
            page_content=home_page(
                username=current_user.username,
                # Made only if a whole page is rendered: a page turn does not show the form.
                form_=lambda: post_form(PostForm()),
                posts=posts,
            ),
            retitle=True,
        )
    form = PostForm()
    if not form.validate_on_submit():
        # htmx shows the form with its errors in place; a browser, the whole home page.
        page = _load_page(PostList.timeline_for(current_user))
        posts = _timeline_section(page, focus=False)
        # Replaces the last announcement ("Post published.") of an earlier post.
        announce(
            _("Your post was not published: %(error)s", error=" ".join(map(str, form.post.errors)))
        )
        return render(
            post_form(form, focus=True),
            page_title=_("Home"),
            page_content=home_page(
                username=current_user.username, form_=post_form(form), posts=posts
            ),
            status=422,
        )
    post = Post(body=form.post.data, author=current_user, language=detect_language(form.post.data))
    db.session.add(post)
    db.session.flush()
    # What the answer shows, read before the commit expires every loaded object.
    published = PostRow.of(post, current_user)
    cards = post_cards.context(posts=[published])
    db.session.commit()
    return after_change(
        post_form(PostForm(formdata=None), focus=True),
        redirect_to=url_for("main.index"),
        message=_("Your post is now live!"),
        # The post appearing at the top of the list is the visible confirmation.
        announcement=_("Post published."),
        oob=[new_post_oob(published, cards=cards)],
        # Posted from a later page of the timeline: the post is at the top of page 1.
        reload_unless_first_page=True,
    )


@bp.route("/explore")
def explore() -> Response:
    """Everyone's posts, newest first."""
    page = _load_page(PostList.explore())
    posts = posts_section(
        page=page,
        cards=post_cards.context(posts=page.items),
        heading=_("Latest posts"),
        empty_text=_("Nobody has posted yet."),
        url_for_page=lambda number, **cursor: url_for("main.explore", page=number, **cursor),
        focus=page_turn(page.number),
    )
    return render(
        posts,
        page_title=_list_title(_("Explore")),
        page_content=explore_page(posts=posts),
        retitle=True,
    )


@bp.route("/user/<username>")
def user(username: str) -> Response:
    """A profile: who they are, their counts, their posts, and a follow button."""
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    # One's own profile is the user already loaded: its query pays for the export's state.
    own = viewer is not None and viewer.username == username
    profile = viewer if own else User.by_username(username) or abort(404)
    if profile.username != username:
        moved = canonical_redirect(url_for("main.user", username=profile.username, **request.args))
        if moved is not None:
            return moved
    page = _load_page(PostList.by_author(profile))
    stats = follow_stats(profile, viewer)
    turning = page_turn(page.number)
    # A page turn swaps the list alone: the export panel is not part of it.
    export = None
    if own and not turning:
        status = latest_export(profile.id)
        export = export_section(panel=export_panel(status=status, heard=reached_step(status)))
    posts = posts_section(
        page=page,
        cards=post_cards.context(posts=page.items),
        heading=_("Posts"),
        empty_text=_("%(username)s has not posted yet.", username=profile.username),
        url_for_page=lambda number, **cursor: url_for(
            "main.user", username=profile.username, page=number, **cursor
        ),
        focus=turning,
    )
    header = profile_header(
        user=profile,
        avatar_url=avatar_url(
            user_id=profile.id,
            email=profile.email,
            size=PROFILE_AVATAR_SIZE,
            provider=profile.avatar,
        ),
        stats=stats,
        relation=relation_from(viewer, profile, stats),
        login_url=url_for("auth.login", next=request.path) if viewer is None else None,
    )
    return render(
        posts,
        page_title=_list_title(profile.username),
        page_content=profile_page(header=header, posts=posts, export=export),
        retitle=True,
    )


@bp.route("/edit_profile", methods=["GET", "POST"])
@login_required
def edit_profile() -> Response:
    """Change your username, about me, language and time zone."""
    form = EditProfileForm(current_user)
    if form.validate_on_submit():
        current_user.username = form.username.data
        current_user.about_me = form.about_me.data or None
        current_user.language = form.language.data or None
        current_user.timezone = form.timezone.data or None
        current_user.theme = form.theme.data or None
        current_user.avatar = form.avatar.data or None
        db.session.commit()
        refresh()  # say "saved" in the language just chosen
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("main.user", username=current_user.username), 303)
    if request.method == "GET":
        form.username.data = current_user.username
        form.about_me.data = current_user.about_me
    status = 422 if request.method == "POST" else 200
    return render(
        edit_profile_page(
            form,
            timezone_in_use=str(get_timezone()),
            account=account_settings(
                email=current_user.email, logout_everywhere=logout_everywhere_form()
            ),
        ),
        page_title=_("Edit your profile"),
        status=status,
    )


def _follow_change(username: str, *, follow: bool) -> Response:
    """Follow or unfollow; with htmx, the new button and counts for the form to take."""
    target = User.by_username(username)
    if target is None:
        return error_response(
            404, message=_("There is no user called %(username)s.", username=username)
        )
    profile_url = url_for("main.user", username=target.username)
    if target.id == current_user.id:
        message = _("You cannot follow yourself.") if follow else _("You cannot unfollow yourself.")
        return error_response(400, message=message, back_to=profile_url)
    if follow and not relation(current_user, target).can_follow:
        refusal = _("You cannot follow %(username)s.", username=target.username)
        return error_response(403, message=refusal, back_to=profile_url)
    if follow:
        current_user.follow(target)
        message = _("You are following %(username)s.", username=target.username)
    else:
        current_user.unfollow(target)
        message = _("You are not following %(username)s anymore.", username=target.username)
    # The counts after the change, read in its transaction, and who it was about: the commit
    # expires every loaded object.
    stats = follow_stats(target, current_user)
    person = AuthorRow(target.id, target.username, target.email, target.avatar)
    db.session.commit()
    # The form that asked takes what it shows: the button, and the counts if it has them.
    return after_change(
        fragment[
            follow_button(
                user=person,
                following=stats.followed_by_viewer,
                focus=True,
                counts=request.form.get(COUNTS_FIELD) == "1",
            ),
            follow_counts(user=person, stats=stats),
        ],
        redirect_to=profile_url,
        message=message,
        category="success" if follow else "info",
    )


@bp.route("/follow/<username>", methods=["POST"])
@login_required
def follow(username: str) -> Response:
    """Follow a user."""
    return _follow_change(username, follow=True)


@bp.route("/unfollow/<username>", methods=["POST"])
@login_required
def unfollow(username: str) -> Response:
    """Stop following a user."""
    return _follow_change(username, follow=False)


@bp.route("/avatar/<int:user_id>")
def avatar(user_id: int) -> Response:
    """A user's identicon; it never changes, so browsers and proxies may keep it."""
    if not User.exists(user_id):
        abort(404)
    response = current_app.response_class(identicon_svg(user_id), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=604800, immutable"
    response.add_etag()
    return response.make_conditional(request)
