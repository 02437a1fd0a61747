"""Translations kept per (post, language): a post goes to the provider once per language, and
a changed or deleted post loses its translations."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from microblog.extensions import db
from microblog.models import Post, PostTranslation
from microblog.services.translation import TranslationError, translate_post

pytestmark = pytest.mark.alldb

SPANISH = "Hoy la luz de la tarde era perfecta para fotografiar el puerto."


class CountingTranslator:
    name = "Counting"

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.fail = fail

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls.append((text, source, target))
        if self.fail:
            raise TranslationError("the provider is down")
        return f"[{target}] {text}"


@pytest.fixture
def post_id(make_user, make_posts) -> int:
    make_user("ana")
    return make_posts("ana", body=SPANISH)[0]


def translations(query) -> int:
    return query(lambda: db.session.scalar(select(func.count()).select_from(PostTranslation)))


def test_a_translation_is_asked_for_once_per_language(query, post_id):
    translator = CountingTranslator()

    def translate(target: str) -> str:
        return translate_post(
            post_id, SPANISH, source="es", target=target, translator=translator
        ).body

    assert query(lambda: translate("de")) == f"[de] {SPANISH}"
    assert query(lambda: translate("de")) == f"[de] {SPANISH}"
    assert query(lambda: translate("en")) == f"[en] {SPANISH}"
    assert [call[2] for call in translator.calls] == ["de", "en"]
    assert translations(query) == 2
    stored = query(lambda: db.session.scalars(select(PostTranslation.provider)).all())
    assert stored == ["Counting", "Counting"]


def test_babel_locale_names_become_language_tags(query, post_id):
    translator = CountingTranslator()
    found = query(
        lambda: (
            translate_post(
                post_id, SPANISH, source="es", target="pt_BR", translator=translator
            ).language
        )
    )
    assert found == "pt-BR"
    assert translator.calls[0][2] == "pt-BR"


def test_an_edited_post_is_translated_again(query, post_id):
    translator = CountingTranslator()
    query(lambda: translate_post(post_id, SPANISH, source="es", target="de", translator=translator))
    edited = "Mañana la luz de la mañana será perfecta para fotografiar el mercado."

    def edit_and_translate() -> str:
        db.session.get(Post, post_id).body = edited
        db.session.commit()
        return translate_post(post_id, edited, source="es", target="de", translator=translator).body

    assert query(edit_and_translate) == f"[de] {edited}"
    assert len(translator.calls) == 2
    assert translations(query) == 1


def test_drop_for_forgets_a_posts_translations(query, post_id):
    translator = CountingTranslator()
    query(lambda: translate_post(post_id, SPANISH, source="es", target="de", translator=translator))

    def drop() -> None:
        PostTranslation.drop_for(post_id)
        db.session.commit()

    query(drop)
    assert translations(query) == 0


def test_deleting_a_post_deletes_its_translations(query, post_id):
    translator = CountingTranslator()
    query(lambda: translate_post(post_id, SPANISH, source="es", target="de", translator=translator))

    def delete() -> None:
        db.session.delete(db.session.get(Post, post_id))
        db.session.commit()

    query(delete)
    assert translations(query) == 0


def test_a_failure_stores_nothing_and_the_next_try_may_succeed(query, post_id):
    translator = CountingTranslator(fail=True)
    with pytest.raises(TranslationError):
        query(
            lambda: translate_post(
                post_id, SPANISH, source="es", target="de", translator=translator
            )
        )
    assert translations(query) == 0
    translator.fail = False
    body = query(
        lambda: (
            translate_post(post_id, SPANISH, source="es", target="de", translator=translator).body
        )
    )
    assert body == f"[de] {SPANISH}"
