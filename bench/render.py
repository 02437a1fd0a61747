"""Render cost of the htpy components: CPU µs per full page and per post, without HTTP or SQL.

    .venv/bin/python bench/render.py [--db sqlite|postgresql] [--profile]

Loads explore page 1 (25 posts with their authors) from a benchmark database that
bench/run.py filled, then renders, in a request of user0001, the list of posts alone (what the
htmx next-page fragment carries) and the whole page around it, many times each, interleaved:
with the cache of rendered cards warm (a page seen again) and cold (every card rendered).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.data import at_least_one  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", default="reference")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--repeat", type=at_least_one, default=200)
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of the list, cards not cached"
    )
    args = parser.parse_args(argv)
    url = f"sqlite:///{BENCH / 'data' / f'{args.scale}.db'}" if args.db == "sqlite" else args.pg_url
    from bench.data import flask_env

    os.environ.update(flask_env(url))

    from flask import url_for
    from flask_login import login_user

    from microblog import create_app
    from microblog.extensions import post_cards
    from microblog.main.forms import PostForm
    from microblog.models import PostList, User, paginate
    from templates.layout import page
    from templates.posts import home_page, posts_section

    app = create_app()
    with app.test_request_context("/"):
        viewer = User.by_username("user0001")
        login_user(viewer)
        posts = paginate(PostList.explore(), page=1, per_page=25)
        per_page = len(posts.items)

        def section() -> str:
            return str(
                posts_section(
                    page=posts,
                    cards=post_cards.context(),
                    heading="Latest posts",
                    empty_text="Nobody has posted yet.",
                    url_for_page=lambda number, **cursor: url_for(
                        "main.explore", page=number, **cursor
                    ),
                )
            )

        def cold_section() -> str:
            post_cards.cache_clear()
            return section()

        def full_page() -> str:
            content = home_page(
                username=viewer.username, form_=PostForm(formdata=None), posts=section_node()
            )
            return str(
                page(
                    page_title="Home", content=content, viewer=viewer, current_path="/", flashes=[]
                )
            )

        def section_node():
            return posts_section(
                page=posts,
                cards=post_cards.context(),
                heading="Your timeline",
                empty_text="No posts yet.",
                url_for_page=lambda number, **cursor: url_for("main.index", page=number, **cursor),
            )

        for _ in range(20):
            section(), full_page()
        renders = {"list": section, "list, cards not cached": cold_section, "page": full_page}
        timings: dict[str, list[float]] = {name: [] for name in renders}
        for _ in range(args.repeat):
            for name, render in renders.items():
                if name == "page":
                    section()  # the cards of the page are cached, as for a page seen again
                # CPU time of this thread: other processes on a busy machine barely move it.
                started = time.thread_time()
                render()
                timings[name].append(time.thread_time() - started)
        us = {name: statistics.median(values) * 1e6 for name, values in timings.items()}
        print(
            f"{per_page} posts: list {us['list']:.0f} µs "
            f"({us['list'] / per_page:.1f} µs per post), "
            f"cards not cached {us['list, cards not cached']:.0f} µs "
            f"({us['list, cards not cached'] / per_page:.1f} µs per post), "
            f"full page {us['page']:.0f} µs, layout and form {us['page'] - us['list']:.0f} µs"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(50):
                cold_section()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
