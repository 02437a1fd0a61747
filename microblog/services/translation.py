"""Machine translation of posts: one small class per provider behind one interface.

Each provider speaks its service's documented HTTP API (LibreTranslate, Microsoft Translator
v3, DeepL v2) and turns every failure — a timeout, a refused connection, an error status, a
quota, an answer that is not the documented JSON — into a `TranslationError` with a reason
for the log. Nothing here knows about posts, users or pages.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sqlalchemy.exc import IntegrityError

from microblog.extensions import db
from microblog.models.translation import PostTranslation

DEFAULT_TIMEOUT = 5.0
log = logging.getLogger(__name__)


class TranslationError(Exception):
    """The provider could not translate; the message says why (for the log, not for users)."""


class Translator(Protocol):
    """What the site needs of a provider."""

    name: str

    def translate(self, text: str, *, source: str, target: str) -> str:
        """`text` from language `source` into `target` (BCP 47 codes such as "es", "pt-BR")."""
        ...


@dataclass
class _HTTPAnswer:
    status: int
    body: bytes


def _post(url: str, *, payload: object, headers: Mapping[str, str], timeout: float) -> _HTTPAnswer:
    """POST `payload` as JSON; any answer with a status comes back, transport errors raise."""
    request = urllib.request.Request(  # noqa: S310 - the URL comes from the site's configuration
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return _HTTPAnswer(response.status, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return _HTTPAnswer(error.code, error.read())
    except TimeoutError as error:
        raise TranslationError(f"no answer from {url} within {timeout:g} s") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise TranslationError(f"no answer from {url} within {timeout:g} s") from error
        raise TranslationError(f"could not reach {url}: {error.reason}") from error
    except OSError as error:
        raise TranslationError(f"could not reach {url}: {error}") from error


def _json(answer: _HTTPAnswer, provider: str) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError as error:
        raise TranslationError(
            f"{provider} answered {answer.status} with something not JSON"
        ) from error


def _reason(document: Any, *keys: str) -> str:
    """The first string found at `keys` (dotted paths) in an error document, if any."""
    for key in keys:
        value = document
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str | int) and value != "":
            return str(value)
    return "no reason given"


class LibreTranslate:
    """A LibreTranslate server (self-hostable): `POST /translate` with q, source, target,
    format and the optional api_key, answering `{"translatedText": …}` or `{"error": …}`."""

    name = "LibreTranslate"

    def __init__(self, url: str, *, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.url = url.rstrip("/") + "/translate"
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, text: str, *, source: str, target: str) -> str:
        payload = {"q": text, "source": source, "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        answer = _post(self.url, payload=payload, headers={}, timeout=self.timeout)
        document = _json(answer, self.name)
        if answer.status != 200:
            meaning = {
                400: "refused the request",
                403: "refused the API key",
                429: "says too many requests",
            }
            what = meaning.get(answer.status, "failed")
            raise TranslationError(
                f"{self.name} {what} ({answer.status}): {_reason(document, 'error')}"
            )
        translated = document.get("translatedText") if isinstance(document, dict) else None
        if not isinstance(translated, str):
            raise TranslationError(f"{self.name} answered without translatedText")
        return translated


class MicrosoftTranslator:
    """Azure AI Translator, text API v3.0 (the tutorial's provider):
    `POST /translate?api-version=3.0&from=…&to=…` with `[{"Text": …}]`, the key in
    Ocp-Apim-Subscription-Key and, for regional resources, the region in
    Ocp-Apim-Subscription-Region."""

    name = "Microsoft Translator"
    GLOBAL_ENDPOINT: ClassVar[str] = "https://api.cognitive.microsofttranslator.com"

    def __init__(
        self,
        key: str,
        *,
        region: str | None = None,
        endpoint: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.key = key
        self.region = region
        self.endpoint = (endpoint or self.GLOBAL_ENDPOINT).rstrip("/")
        self.timeout = timeout

    # The service names a few languages differently from BCP 47 as the site stores them.
    CODES: ClassVar[dict[str, str]] = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant", "no": "nb"}

    def _code(self, language: str) -> str:
        return self.CODES.get(language.lower(), language)

    def translate(self, text: str, *, source: str, target: str) -> str:
        query = urllib.parse.urlencode(
            {"api-version": "3.0", "from": self._code(source), "to": self._code(target)}
        )
        headers = {"Ocp-Apim-Subscription-Key": self.key}
        if self.region:
            headers["Ocp-Apim-Subscription-Region"] = self.region
        answer = _post(
            f"{self.endpoint}/translate?{query}",
            payload=[{"Text": text}],
            headers=headers,
            timeout=self.timeout,
        )
        document = _json(answer, self.name)
        if answer.status != 200:
            meaning = {
                400: "refused the request",
                401: "refused the key",
                403: "refused the request (free quota used up?)",
                429: "says too many requests",
            }
            what = meaning.get(answer.status, "failed")
            code = _reason(document, "error.code")
            message = _reason(document, "error.message")
            raise TranslationError(f"{self.name} {what} ({answer.status}, {code}): {message}")
        try:
            translated = document[0]["translations"][0]["text"]
        except (KeyError, IndexError, TypeError) as error:
            raise TranslationError(f"{self.name} answered without a translation") from error
        if not isinstance(translated, str):
            raise TranslationError(f"{self.name} answered without a translation")
        return translated


class DeepL:
    """DeepL API v2: `POST /v2/translate` with `{"text": [...], "source_lang", "target_lang"}`
    and `Authorization: DeepL-Auth-Key …`; keys of the free plan end in ":fx" and go to the
    free endpoint."""

    name = "DeepL"
    FREE_ENDPOINT: ClassVar[str] = "https://api-free.deepl.com"
    PRO_ENDPOINT: ClassVar[str] = "https://api.deepl.com"
    # DeepL wants a variant for a few target languages ("EN" alone is deprecated there).
    TARGETS: ClassVar[dict[str, str]] = {"EN": "EN-US", "PT": "PT-PT", "ZH": "ZH-HANS"}

    def __init__(
        self, api_key: str, *, endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ):
        self.api_key = api_key
        default = self.FREE_ENDPOINT if api_key.endswith(":fx") else self.PRO_ENDPOINT
        self.endpoint = (endpoint or default).rstrip("/")
        self.timeout = timeout

    def translate(self, text: str, *, source: str, target: str) -> str:
        target_code = target.upper()
        target_code = self.TARGETS.get(target_code, target_code)
        payload = {
            "text": [text],
            # Source languages are named without a variant.
            "source_lang": source.split("-")[0].upper(),
            "target_lang": target_code,
        }
        answer = _post(
            f"{self.endpoint}/v2/translate",
            payload=payload,
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
            timeout=self.timeout,
        )
        if answer.status != 200:
            meaning = {
                400: "refused the request",
                403: "refused the key",
                413: "says the text is too long",
                429: "says too many requests",
                456: "says the quota is used up",
            }
            what = meaning.get(answer.status, "failed")
            try:
                detail = _reason(json.loads(answer.body), "message")
            except ValueError:
                detail = "no reason given"
            raise TranslationError(f"{self.name} {what} ({answer.status}): {detail}")
        document = _json(answer, self.name)
        try:
            translated = document["translations"][0]["text"]
        except (KeyError, IndexError, TypeError) as error:
            raise TranslationError(f"{self.name} answered without a translation") from error
        if not isinstance(translated, str):
            raise TranslationError(f"{self.name} answered without a translation")
        return translated


PROVIDERS = ("libretranslate", "deepl", "microsoft")


def config_problem(config: Mapping[str, Any]) -> str | None:
    """Why the translation settings cannot work, in one line, or None when they can."""
    choice = config.get("TRANSLATION_PROVIDER")
    if not choice:
        return None
    needs = {
        "libretranslate": "LIBRETRANSLATE_URL",
        "deepl": "DEEPL_API_KEY",
        "microsoft": "MS_TRANSLATOR_KEY",
    }
    if choice not in needs:
        return f"TRANSLATION_PROVIDER is {choice!r}; use one of {', '.join(PROVIDERS)}"
    if not config.get(needs[choice]):
        return f"TRANSLATION_PROVIDER is {choice!r} but {needs[choice]} is not set"
    return None


def translator_from_config(config: Mapping[str, Any]) -> Translator | None:
    """The provider the configuration chooses, or None when translation is not set up.

    TRANSLATION_PROVIDER names one; unset, the first provider with its settings present wins
    (LibreTranslate, DeepL, Microsoft).
    """
    timeout = float(config.get("TRANSLATION_TIMEOUT") or DEFAULT_TIMEOUT)
    configured = {
        "libretranslate": bool(config.get("LIBRETRANSLATE_URL")),
        "deepl": bool(config.get("DEEPL_API_KEY")),
        "microsoft": bool(config.get("MS_TRANSLATOR_KEY")),
    }
    choice = config.get("TRANSLATION_PROVIDER") or next(
        (name for name in PROVIDERS if configured[name]), None
    )
    if choice is None or not configured.get(choice):
        return None
    if choice == "libretranslate":
        return LibreTranslate(
            config["LIBRETRANSLATE_URL"],
            api_key=config.get("LIBRETRANSLATE_API_KEY") or None,
            timeout=timeout,
        )
    if choice == "deepl":
        return DeepL(
            config["DEEPL_API_KEY"], endpoint=config.get("DEEPL_API_URL") or None, timeout=timeout
        )
    return MicrosoftTranslator(
        config["MS_TRANSLATOR_KEY"],
        region=config.get("MS_TRANSLATOR_REGION") or None,
        endpoint=config.get("MS_TRANSLATOR_URL") or None,
        timeout=timeout,
    )


def same_language(a: str, b: str) -> bool:
    """Whether a reader of `b` reads `a` as it is: "en" and "en_GB" are one language."""
    return a.replace("_", "-").split("-")[0].lower() == b.replace("_", "-").split("-")[0].lower()


def translate_post(
    post_id: int, body: str, *, source: str, target: str, translator: Translator
) -> PostTranslation:
    """The translation of a stored post into `target`: from the database when this text was
    translated before, else from the provider (and then kept). Raises TranslationError, after
    logging why, when the provider fails."""
    target = target.replace("_", "-")
    found = PostTranslation.cached(post_id, target, body)
    if found is not None:
        return found
    try:
        translated = translator.translate(body, source=source, target=target)
    except TranslationError as error:
        log.warning("Could not translate post %s into %s: %s", post_id, target, error)
        raise
    PostTranslation.store(
        post_id, target, source=body, translated=translated, provider=translator.name
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Another request stored the same translation first: theirs is as good.
        db.session.rollback()
    found = PostTranslation.cached(post_id, target, body)
    if found is None:
        raise TranslationError(f"the translation of post {post_id} could not be stored")
    return found
