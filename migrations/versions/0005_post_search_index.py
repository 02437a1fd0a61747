"""full-text search index of posts

Revision ID: 9c41d2e7f0a8
Revises: 5a0c7e3d9b21
Create Date: 2026-12-01

Each database's own full-text index (see microblog/services/search.py); the statements are
copied here so that this migration stays what it was when the code changes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c41d2e7f0a8'
down_revision = '5a0c7e3d9b21'
branch_labels = None
depends_on = None

PG_CONFIGS = {
    "da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
    "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish",
}
PG_CASE = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in PG_CONFIGS.items())

UPGRADE = {
    "sqlite": [
        "CREATE VIRTUAL TABLE post_fts USING fts5(body, content='post', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
        "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
        "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
        "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
        "CREATE TRIGGER post_fts_update AFTER UPDATE OF body ON post BEGIN "
        "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); "
        "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
        "INSERT INTO post_fts(post_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        "ALTER TABLE post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"to_tsvector(CASE split_part(language, '-', 1) {PG_CASE} ELSE 'english'::regconfig END, "
        "body) || to_tsvector('simple'::regconfig, body)) STORED",
        "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
    ],
    "mysql": ["ALTER TABLE post ADD FULLTEXT INDEX ix_post_body_fulltext (body)"],
}
DOWNGRADE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS post_fts_insert",
        "DROP TRIGGER IF EXISTS post_fts_delete",
        "DROP TRIGGER IF EXISTS post_fts_update",
        "DROP TABLE IF EXISTS post_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS ix_post_search_vector",
        "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
    ],
    "mysql": ["ALTER TABLE post DROP INDEX ix_post_body_fulltext"],
}


def _statements(by_dialect):
    name = op.get_bind().dialect.name
    return by_dialect["mysql" if name == "mariadb" else name]


def upgrade():
    for statement in _statements(UPGRADE):
        op.execute(statement)


def downgrade():
    for statement in _statements(DOWNGRADE):
        op.execute(statement)
