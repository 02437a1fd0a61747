"""post tags, indexed as terms of their own

Revision ID: 8d2b6e4a1c37
Revises: 6c2d8e4f1a37
Create Date: 2026-12-02

A post's #tags in a column of their own (`tags`, "#garden #tomatoes"), filled from the
bodies, and indexed beside the text (see microblog/services/search.py): a #tag search is then
one lookup in the index. The statements and the rule for tags are copied here so that this
migration stays what it was when the code changes.
"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8d2b6e4a1c37"
down_revision = "6c2d8e4f1a37"
branch_labels = None
depends_on = None

# What templates/post_text.py links: addresses, mentions and tags (a tag inside an address or
# made of digits only is no tag).
LINKABLE = re.compile(
    r"(?P<url>(?<![\w/@.])(?i:https?)://[^\s<>\"'`\\]+)"
    r"|(?P<mention>(?<![\w@./+-])@[A-Za-z0-9_][A-Za-z0-9_.-]*)"
    r"|(?P<tag>(?<![\w&#/])#[^\W_]+(?![\w]))"
)
BATCH = 5000

PG_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}
PG_CASE = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in PG_CONFIGS.items())
PG_TEXT = (
    f"to_tsvector(CASE split_part(language, '-', 1) {PG_CASE} ELSE 'english'::regconfig END, "
    "body) || to_tsvector('simple'::regconfig, body)"
)


def _pg_vector(expression):
    return [
        "DROP INDEX IF EXISTS ix_post_search_vector",
        "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) "
        "STORED",
        "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
    ]


UPGRADE = {
    "sqlite": [
        "CREATE VIRTUAL TABLE post_tag_fts USING fts5(tags, content='post', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        "CREATE TRIGGER post_tag_fts_insert AFTER INSERT ON post BEGIN "
        "INSERT INTO post_tag_fts(rowid, tags) VALUES (new.id, new.tags); END",
        "CREATE TRIGGER post_tag_fts_delete AFTER DELETE ON post BEGIN "
        "INSERT INTO post_tag_fts(post_tag_fts, rowid, tags) VALUES ('delete', old.id, old.tags); "
        "END",
        "CREATE TRIGGER post_tag_fts_update AFTER UPDATE OF tags ON post BEGIN "
        "INSERT INTO post_tag_fts(post_tag_fts, rowid, tags) VALUES ('delete', old.id, old.tags); "
        "INSERT INTO post_tag_fts(rowid, tags) VALUES (new.id, new.tags); END",
        "INSERT INTO post_tag_fts(post_tag_fts) VALUES ('rebuild')",
    ],
    "postgresql": _pg_vector(f"{PG_TEXT} || array_to_tsvector(string_to_array(tags, ' '))"),
    "mysql": ["ALTER TABLE post ADD FULLTEXT INDEX ix_post_tags_fulltext (tags)"],
}
DOWNGRADE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS post_tag_fts_insert",
        "DROP TRIGGER IF EXISTS post_tag_fts_delete",
        "DROP TRIGGER IF EXISTS post_tag_fts_update",
        "DROP TABLE IF EXISTS post_tag_fts",
    ],
    "postgresql": _pg_vector(PG_TEXT),
    "mysql": ["ALTER TABLE post DROP INDEX ix_post_tags_fulltext"],
}


def _statements(by_dialect):
    name = op.get_bind().dialect.name
    return by_dialect["mysql" if name == "mariadb" else name]


def _tags_of(body):
    found = (
        match.group("tag")[1:].lower()
        for match in LINKABLE.finditer(body)
        if match.lastgroup == "tag" and not match.group("tag")[1:].isdigit()
    )
    return " ".join(f"#{tag}" for tag in dict.fromkeys(found))


def _fill_tags():
    connection = op.get_bind()
    post = sa.table("post", sa.column("id", sa.Integer), sa.column("body"), sa.column("tags"))
    change = (
        sa.update(post)
        .where(post.c.id == sa.bindparam("post_id"))
        .values(tags=sa.bindparam("new_tags"))
    )
    last = 0
    while rows := connection.execute(
        sa.select(post.c.id, post.c.body).where(post.c.id > last).order_by(post.c.id).limit(BATCH)
    ).all():
        tagged = [
            {"post_id": row.id, "new_tags": tags} for row in rows if (tags := _tags_of(row.body))
        ]
        if tagged:
            connection.execute(change, tagged)
        last = rows[-1].id


def upgrade():
    # Not in batch mode: SQLite adds the column in place, where a copy of the table would
    # lose the search index's triggers on it.
    op.add_column(
        "post", sa.Column("tags", sa.String(length=560), server_default="", nullable=False)
    )
    _fill_tags()
    for statement in _statements(UPGRADE):
        op.execute(statement)


def downgrade():
    for statement in _statements(DOWNGRADE):
        op.execute(statement)
    op.drop_column("post", "tags")
