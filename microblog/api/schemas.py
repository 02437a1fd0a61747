"""The API's JSON shapes: marshmallow schemas that validate input, serialize output and, through
APIFairy, write the OpenAPI document. Validation follows the web forms' rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_marshmallow import Schema
from marshmallow import (
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from microblog.api.auth import token_user
from microblog.models import User
from microblog.models.limits import (
    ABOUT_ME_MAX_LENGTH,
    BODY_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    LANGUAGE_MAX_LENGTH,
    MAX_ID,
    MESSAGE_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    USERNAME_PATTERN,
)
from microblog.passwords import password_problem
from microblog.services.search import RANKED_MAX
from microblog.text import (
    ABOUT_ME_MAX_LINES,
    POST_MAX_LINES,
    clean_line,
    clean_text,
    schema_line_limit,
    schema_user_text,
    schema_username,
)

PER_PAGE_DEFAULT = 10
PER_PAGE_MAX = 100


def storable_text(value: str) -> None:
    """Text that every database can store: no NUL character, no lone UTF-16 surrogate."""
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValidationError("Must be valid Unicode text.") from error


def email_address(value: str) -> None:
    """The same check as the web forms' email field (no DNS lookup)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError("This does not look like an email address.") from error


def _clean(data: Any, cleaners: dict[str, Callable[[object], object]]) -> Any:
    """Text fields as the web forms take them: without spaces around them, empty when
    nothing of them shows (see microblog.text)."""
    if not isinstance(data, dict):
        return data
    return {key: cleaners.get(key, _same)(value) for key, value in data.items()}


def _same(value: object) -> object:
    return value


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "The HTTP reason phrase."})
    message = fields.String(required=True, metadata={"description": "What went wrong."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For invalid input: the problems of each field."},
    )


class TokenSchema(Schema):
    token = fields.String(
        required=True,
        metadata={"description": "Send it as `Authorization: Bearer <token>`."},
    )


class LocationHeaderSchema(Schema):
    Location = fields.String(
        required=True, metadata={"description": "The URL of the created resource."}
    )


class PaginationSchema(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The page to return (a page past the last one is a 404)."},
    )
    per_page = fields.Integer(
        load_default=PER_PAGE_DEFAULT,
        validate=validate.Range(min=1),
        metadata={"description": f"Items per page; more than {PER_PAGE_MAX} gives {PER_PAGE_MAX}."},
    )


class UserLinksSchema(Schema):
    self = fields.String(required=True)
    followers = fields.String(required=True)
    following = fields.String(required=True)
    avatar = fields.String(required=True)


class UserSchema(Schema):
    """A user, as the API shows one."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    email = fields.String(metadata={"description": "Only in your own user."})
    about_me = fields.String(required=True, allow_none=True)
    last_seen = fields.DateTime(required=True, metadata={"description": "ISO 8601, in UTC."})
    post_count = fields.Integer(required=True)
    follower_count = fields.Integer(required=True)
    following_count = fields.Integer(required=True)
    links = fields.Nested(UserLinksSchema, required=True, data_key="_links")


def _username(*, required: bool) -> fields.String:
    return fields.String(
        required=required,
        validate=[
            validate.Length(
                min=USERNAME_MIN_LENGTH,
                max=USERNAME_MAX_LENGTH,
                error=f"A username has {USERNAME_MIN_LENGTH} to {USERNAME_MAX_LENGTH} characters.",
            ),
            validate.Regexp(
                USERNAME_PATTERN, error="Use only letters, digits, dots, dashes and underscores."
            ),
            schema_username,
        ],
    )


def _about_me() -> fields.String:
    return fields.String(
        allow_none=True,
        validate=[
            schema_user_text,
            schema_line_limit(ABOUT_ME_MAX_LINES),
            validate.Length(
                max=ABOUT_ME_MAX_LENGTH,
                error=f"About me has at most {ABOUT_ME_MAX_LENGTH} characters.",
            ),
        ],
    )


def _email(*, required: bool) -> fields.String:
    return fields.String(
        required=required,
        validate=[
            storable_text,
            validate.Length(
                max=EMAIL_MAX_LENGTH,
                error=f"An email address has at most {EMAIL_MAX_LENGTH} characters.",
            ),
            email_address,
        ],
        metadata={"format": "email"},
    )


class _InputSchema(Schema):
    """A request body: a field the endpoint does not take is an error that names it, never
    silently ignored (a `password` sent to PUT /api/users would otherwise "succeed")."""

    error_messages = {"unknown": "Unknown field: this request does not take it."}


class _AccountSchema(_InputSchema):
    """What a user may set about themselves, with the web forms' rules."""

    @pre_load
    def _strip_spaces(self, data: Any, **_kwargs: object) -> Any:
        data = _clean(data, {"username": clean_line, "email": clean_line, "about_me": clean_text})
        if isinstance(data, dict) and data.get("about_me") == "":
            data["about_me"] = None
        return data

    @validates("username")
    def _username_is_free(self, value: str, **_kwargs: object) -> None:
        if User.username_taken(value, except_user=token_user()):
            raise ValidationError("This username is taken. Please choose another one.")

    @validates("email")
    def _email_is_free(self, value: str, **_kwargs: object) -> None:
        if User.email_taken(value, except_user=token_user()):
            raise ValidationError("An account with this email address already exists.")


class NewUserSchema(_AccountSchema):
    """A new account."""

    username = _username(required=True)
    email = _email(required=True)
    about_me = _about_me()
    password = fields.String(
        required=True,
        load_only=True,
        validate=[
            storable_text,
            validate.Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                error=f"A password has {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            ),
        ],
    )

    @validates_schema
    def _password_follows_the_rules(self, data: dict[str, Any], **_kwargs: object) -> None:
        """The web forms' password rules (microblog.passwords), in English."""
        password = data.get("password")
        if not isinstance(password, str):
            return  # missing or too long or short: the field's own rules said so
        with force_locale("en"):
            problem = password_problem(
                password, username=data.get("username"), email=data.get("email")
            )
        if problem:
            raise ValidationError(problem, field_name="password")


class UserChangesSchema(_AccountSchema):
    """Changes to your own user; fields that are left out keep their value. The email address
    is not one of them: a new address takes effect only once a link mailed to it is opened,
    which the website's settings do (/auth/change_email)."""

    username = _username(required=False)
    email = _email(required=False)
    about_me = _about_me()

    @validates("email")
    def _email_is_free(self, value: str, **_kwargs: object) -> None:
        # Replaces the check of a new user's address: saying "taken" here would tell any
        # token holder which addresses have accounts.
        if value.strip().lower() != token_user().email:
            raise ValidationError(
                "The email address cannot be changed through the API: change it under "
                "Settings on the website, where a link mailed to the new address confirms it."
            )


class AuthorSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    links = fields.Nested(UserLinksSchema, required=True, data_key="_links")


class PostLinksSchema(Schema):
    self = fields.String(required=True)
    author = fields.String(required=True)


def normal_language_code(value: str) -> str | None:
    """`value` as the posts' language codes are written ("de", "pt-BR", as detection writes
    them), or None when it names no language that exists."""
    try:
        locale = Locale.parse(value, sep="-")
    except (UnknownLocaleError, ValueError):
        return None
    code = f"{locale.language}-{locale.territory}" if locale.territory else locale.language
    return code if len(code) <= LANGUAGE_MAX_LENGTH else None


def language_code(value: str) -> None:
    if normal_language_code(value) is None:
        raise ValidationError(f"{value!r} is not a language code such as de, es or pt-BR.")


class PostSchema(_InputSchema):
    id = fields.Integer(dump_only=True)
    body = fields.String(
        required=True,
        validate=[
            schema_user_text,
            schema_line_limit(POST_MAX_LINES),
            validate.Length(min=1, error="Write something before posting."),
            validate.Length(
                max=BODY_MAX_LENGTH, error=f"A post has at most {BODY_MAX_LENGTH} characters."
            ),
        ],
        metadata={"description": f"1 to {BODY_MAX_LENGTH} characters, not only spaces."},
    )
    timestamp = fields.DateTime(dump_only=True, metadata={"description": "ISO 8601, in UTC."})
    edited_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "When the text was last changed (ISO 8601, UTC); null: never."},
    )
    language = fields.String(
        allow_none=True,
        validate=language_code,
        metadata={
            "description": "The language the post is written in (BCP 47). Left out or null: "
            "detected from the text, null when it cannot be told."
        },
    )
    author = fields.Nested(AuthorSchema, dump_only=True)
    links = fields.Nested(PostLinksSchema, dump_only=True, data_key="_links")

    @pre_load
    def _strip_spaces(self, data: Any, **_kwargs: object) -> Any:
        return _clean(data, {"body": clean_text})

    @post_load
    def _normal_language(self, data: dict[str, Any], **_kwargs: object) -> dict[str, Any]:
        if data.get("language"):
            data["language"] = normal_language_code(data["language"])
        return data


class TranslationRequestSchema(_InputSchema):
    target = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$",
            error="A language code such as de, es or pt-BR.",
        ),
        metadata={"description": "The language to translate into (BCP 47), e.g. de."},
    )


class TranslationLinksSchema(Schema):
    post = fields.String(required=True)


class TranslationSchema(Schema):
    post_id = fields.Integer(required=True)
    language = fields.String(required=True, metadata={"description": "The target language."})
    source_language = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "The translated text."})
    provider = fields.String(required=True, metadata={"description": "Who translated it."})
    links = fields.Nested(TranslationLinksSchema, required=True, data_key="_links")


class SearchArgsSchema(PaginationSchema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1000, error="Type 1 to 1000 characters."),
        metadata={"description": 'Words to find; "quotes" for a phrase, -word to leave out, #tag.'},
    )
    order = fields.String(
        load_default="newest",
        validate=validate.OneOf(["newest", "relevance"]),
        metadata={
            "description": "newest (default) or relevance "
            f"(the best of the newest {RANKED_MAX:,} matches)."
        },
    )


class MetaSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total_pages = fields.Integer(required=True)
    total_items = fields.Integer(required=True)


class CollectionLinksSchema(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


class UserCollectionSchema(Schema):
    items = fields.List(fields.Nested(UserSchema), required=True)
    meta = fields.Nested(MetaSchema, required=True, data_key="_meta")
    links = fields.Nested(CollectionLinksSchema, required=True, data_key="_links")


class PostCollectionSchema(Schema):
    items = fields.List(fields.Nested(PostSchema), required=True)
    meta = fields.Nested(MetaSchema, required=True, data_key="_meta")
    links = fields.Nested(CollectionLinksSchema, required=True, data_key="_links")


class SearchResultSchema(PostCollectionSchema):
    users = fields.List(
        fields.Nested(UserSchema),
        required=True,
        metadata={"description": "People whose username starts with a word of the query."},
    )


class NewMessageSchema(_InputSchema):
    """A private message to send: the web's rules (microblog.main.forms.MessageForm)."""

    recipient_id = fields.Integer(
        required=True, metadata={"description": "The id of the user to write to."}
    )
    body = fields.String(
        required=True,
        validate=[
            schema_user_text,
            schema_line_limit(POST_MAX_LINES),
            validate.Length(min=1, error="Write a message before sending it."),
            validate.Length(
                max=MESSAGE_MAX_LENGTH,
                error=f"A message has at most {MESSAGE_MAX_LENGTH} characters.",
            ),
        ],
        metadata={"description": f"1 to {MESSAGE_MAX_LENGTH} characters, not only spaces."},
    )

    @pre_load
    def _strip_spaces(self, data: Any, **_kwargs: object) -> Any:
        return _clean(data, {"body": clean_text})


class MessageLinksSchema(Schema):
    sender = fields.String(required=True)
    recipient = fields.String(required=True)


class MessageSchema(Schema):
    """A private message, sent or received by the token's user."""

    id = fields.Integer(required=True)
    sender = fields.Nested(AuthorSchema, required=True)
    recipient = fields.Nested(AuthorSchema, required=True)
    body = fields.String(required=True)
    timestamp = fields.DateTime(required=True, metadata={"description": "ISO 8601, in UTC."})
    read = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={
            "description": "For a message you received: whether you opened the conversation "
            "on the website. null for a message you sent."
        },
    )
    links = fields.Nested(MessageLinksSchema, required=True, data_key="_links")


class MessageCollectionSchema(Schema):
    items = fields.List(fields.Nested(MessageSchema), required=True)
    meta = fields.Nested(MetaSchema, required=True, data_key="_meta")
    links = fields.Nested(CollectionLinksSchema, required=True, data_key="_links")


class NotificationArgsSchema(Schema):
    since = fields.Float(
        load_default=0.0,
        validate=validate.Range(min=0),
        metadata={"description": "A Unix time: only what changed after it (default: 0)."},
    )


class NotificationSchema(Schema):
    name = fields.String(
        required=True, metadata={"description": "What it is, e.g. unread_message_count."}
    )
    data = fields.Integer(required=True, metadata={"description": "Its value now."})
    timestamp = fields.Float(
        required=True, metadata={"description": "When it last changed (a Unix time)."}
    )


error_schema = ErrorSchema()
token_schema = TokenSchema()
pagination_schema = PaginationSchema()
user_schema = UserSchema()
new_user_schema = NewUserSchema()
user_changes_schema = UserChangesSchema()
post_schema = PostSchema()
user_collection_schema = UserCollectionSchema()
post_collection_schema = PostCollectionSchema()
search_args_schema = SearchArgsSchema()
search_result_schema = SearchResultSchema()
translation_request_schema = TranslationRequestSchema()
translation_schema = TranslationSchema()
new_message_schema = NewMessageSchema()
message_schema = MessageSchema()
message_collection_schema = MessageCollectionSchema()
notification_args_schema = NotificationArgsSchema()
notifications_schema = NotificationSchema(many=True)

ERROR_DESCRIPTIONS = {
    400: "Invalid input: the message says what, `errors` says it field by field.",
    401: "Missing, wrong, expired or revoked credentials (with a WWW-Authenticate header).",
    403: "The token's user may not do this.",
    404: "Nothing has that id (a user, a post, a message's recipient), or no such page.",
    415: "The body is not JSON (send Content-Type: application/json).",
    429: "Too many requests: wait the number of seconds in the Retry-After header.",
    502: "The translation service failed; a later try may work.",
    503: "Translation is not set up on this site.",
}


def error_responses(*codes: int) -> dict[int, tuple[ErrorSchema, str]]:
    """The error answers an endpoint can give, for APIFairy's @other_responses."""
    return {code: (error_schema, ERROR_DESCRIPTIONS[code]) for code in codes}
