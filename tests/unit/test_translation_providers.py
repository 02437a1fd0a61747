"""Each translation provider against a stand-in on 127.0.0.1 that accepts only the request its
service documents and answers as that service does, errors and slowness included."""

from __future__ import annotations

import json
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from microblog.services.translation import (
    DeepL,
    LibreTranslate,
    MicrosoftTranslator,
    TranslationError,
    config_problem,
    translator_from_config,
)

SPANISH = "Hoy la luz de la tarde era perfecta para fotografiar el puerto."
GERMAN = "Heute war das Abendlicht perfekt, um den Hafen zu fotografieren."


# LibreTranslate: POST /translate, JSON {q, source, target, format[, api_key]}.


def test_libretranslate_sends_the_documented_request(httpserver: HTTPServer):
    httpserver.expect_oneshot_request(
        "/translate",
        method="POST",
        headers={"Content-Type": "application/json"},
        json={"q": SPANISH, "source": "es", "target": "de", "format": "text", "api_key": "k1"},
    ).respond_with_json({"translatedText": GERMAN})
    translator = LibreTranslate(httpserver.url_for("/"), api_key="k1")
    assert translator.translate(SPANISH, source="es", target="de") == GERMAN
    httpserver.check_assertions()


def test_libretranslate_without_a_key_sends_none(httpserver: HTTPServer):
    httpserver.expect_oneshot_request(
        "/translate",
        method="POST",
        json={"q": SPANISH, "source": "es", "target": "en", "format": "text"},
    ).respond_with_json({"translatedText": "Today the light was perfect."})
    assert LibreTranslate(httpserver.url_for("")).translate(SPANISH, source="es", target="en")


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        (400, "Invalid request: unsupported target language", "refused the request (400)"),
        (403, "Invalid API key", "refused the API key (403)"),
        (429, "Too many request limits violations", "too many requests (429)"),
        (500, "Cannot translate text: model failed", "failed (500)"),
    ],
)
def test_libretranslate_errors_carry_the_status_and_the_servers_reason(
    httpserver: HTTPServer, status, error, reason
):
    httpserver.expect_request("/translate", method="POST").respond_with_json(
        {"error": error}, status=status
    )
    with pytest.raises(TranslationError) as raised:
        LibreTranslate(httpserver.url_for("/")).translate(SPANISH, source="es", target="de")
    assert reason in str(raised.value)
    assert error in str(raised.value)


# Microsoft Translator v3: POST /translate?api-version=3.0&from=..&to=.., [{"Text": ...}].


def test_microsoft_sends_the_documented_request(httpserver: HTTPServer):
    httpserver.expect_oneshot_request(
        "/translate",
        method="POST",
        query_string={"api-version": "3.0", "from": "es", "to": "de"},
        headers={
            "Ocp-Apim-Subscription-Key": "secret",
            "Ocp-Apim-Subscription-Region": "westeurope",
            "Content-Type": "application/json",
        },
        json=[{"Text": SPANISH}],
    ).respond_with_json([{"translations": [{"text": GERMAN, "to": "de"}]}])
    translator = MicrosoftTranslator(
        "secret", region="westeurope", endpoint=httpserver.url_for("/")
    )
    assert translator.translate(SPANISH, source="es", target="de") == GERMAN
    httpserver.check_assertions()


def test_microsoft_global_resource_sends_no_region_and_maps_chinese(httpserver: HTTPServer):
    def handler(request: Request) -> Response:
        assert "Ocp-Apim-Subscription-Region" not in request.headers
        assert request.args["from"] == "zh-Hans"
        return Response(json.dumps([{"translations": [{"text": "Hello", "to": "en"}]}]))

    httpserver.expect_oneshot_request("/translate", method="POST").respond_with_handler(handler)
    translator = MicrosoftTranslator("secret", endpoint=httpserver.url_for("/"))
    assert translator.translate("你好世界", source="zh-CN", target="en") == "Hello"
    httpserver.check_assertions()


@pytest.mark.parametrize(
    ("status", "code", "message", "reason"),
    [
        (
            401,
            401000,
            "The request is not authorized because credentials are missing or invalid.",
            "refused the key (401, 401000)",
        ),
        (
            403,
            403001,
            "The operation is not allowed because the subscription has exceeded its free quota.",
            "free quota used up?) (403, 403001)",
        ),
        (
            429,
            429001,
            "The server rejected the request because the client has exceeded request limits.",
            "too many requests (429, 429001)",
        ),
        (400, 400036, "The target language is not valid.", "refused the request (400, 400036)"),
        (503, 503000, "Backend request failed.", "failed (503, 503000)"),
    ],
)
def test_microsoft_errors_carry_the_services_code(httpserver, status, code, message, reason):
    httpserver.expect_request("/translate", method="POST").respond_with_json(
        {"error": {"code": code, "message": message}}, status=status
    )
    translator = MicrosoftTranslator("secret", endpoint=httpserver.url_for("/"))
    with pytest.raises(TranslationError) as raised:
        translator.translate(SPANISH, source="es", target="de")
    assert reason in str(raised.value)
    assert message in str(raised.value)


# DeepL v2: POST /v2/translate, Authorization: DeepL-Auth-Key, {"text": [...], ...}.


def test_deepl_sends_the_documented_request(httpserver: HTTPServer):
    httpserver.expect_oneshot_request(
        "/v2/translate",
        method="POST",
        headers={"Authorization": "DeepL-Auth-Key abc:fx", "Content-Type": "application/json"},
        json={"text": [SPANISH], "source_lang": "ES", "target_lang": "DE"},
    ).respond_with_json({"translations": [{"detected_source_language": "ES", "text": GERMAN}]})
    translator = DeepL("abc:fx", endpoint=httpserver.url_for("/"))
    assert translator.translate(SPANISH, source="es", target="de") == GERMAN
    httpserver.check_assertions()


def test_deepl_asks_for_a_variant_of_english_and_portuguese(httpserver: HTTPServer):
    seen = []

    def handler(request: Request) -> Response:
        seen.append(request.get_json())
        return Response(json.dumps({"translations": [{"text": "x"}]}))

    httpserver.expect_request("/v2/translate", method="POST").respond_with_handler(handler)
    translator = DeepL("abc", endpoint=httpserver.url_for("/"))
    translator.translate(SPANISH, source="es", target="en")
    translator.translate(GERMAN, source="de", target="pt")
    translator.translate(GERMAN, source="de", target="pt-BR")
    assert [body["target_lang"] for body in seen] == ["EN-US", "PT-PT", "PT-BR"]


def test_deepl_free_keys_go_to_the_free_endpoint():
    assert DeepL("279a2e9d-83b3:fx").endpoint == "https://api-free.deepl.com"
    assert DeepL("279a2e9d-83b3").endpoint == "https://api.deepl.com"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (403, {"message": "Authorization failure, check auth_key"}, "refused the key (403)"),
        (456, {"message": "Quota exceeded"}, "the quota is used up (456)"),
        (429, {"message": "Too many requests"}, "too many requests (429)"),
        (400, {"message": "Value for 'target_lang' not supported."}, "refused the request"),
        (500, None, "failed (500): no reason given"),
    ],
)
def test_deepl_errors_carry_the_status(httpserver: HTTPServer, status, body, reason):
    handler = httpserver.expect_request("/v2/translate", method="POST")
    if body is None:
        handler.respond_with_data("Internal error", status=status)
    else:
        handler.respond_with_json(body, status=status)
    with pytest.raises(TranslationError) as raised:
        DeepL("abc", endpoint=httpserver.url_for("/")).translate(SPANISH, source="es", target="de")
    assert reason in str(raised.value)


# Failures of any provider.

PROVIDERS = {
    "libretranslate": (lambda url, timeout: LibreTranslate(url, timeout=timeout), "/translate"),
    "microsoft": (
        lambda url, timeout: MicrosoftTranslator("k", endpoint=url, timeout=timeout),
        "/translate",
    ),
    "deepl": (lambda url, timeout: DeepL("k", endpoint=url, timeout=timeout), "/v2/translate"),
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_slow_provider_times_out(httpserver: HTTPServer, provider):
    make, path = PROVIDERS[provider]
    timed_out = threading.Event()

    def slow(_request: Request) -> Response:
        # Answers only once the client has given up (5 s at most): slower than any timeout.
        timed_out.wait(timeout=5)
        return Response("{}")

    httpserver.expect_request(path, method="POST").respond_with_handler(slow)
    started = time.monotonic()
    try:
        with pytest.raises(TranslationError, match="no answer"):
            make(httpserver.url_for("/"), 0.3).translate(SPANISH, source="es", target="de")
        assert time.monotonic() - started < 1.4
    finally:
        timed_out.set()
    # Let the stand-in finish its slow answer, so it is not counted in the next test.
    for _ in range(60):
        if httpserver.log:
            break
        time.sleep(0.05)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("answer", ["<html>Bad gateway</html>", '{"unexpected": true}', "[]"])
def test_an_answer_not_as_documented_is_an_error(httpserver: HTTPServer, provider, answer):
    make, path = PROVIDERS[provider]
    httpserver.expect_request(path, method="POST").respond_with_data(
        answer, content_type="application/json"
    )
    with pytest.raises(TranslationError):
        make(httpserver.url_for("/"), 2).translate(SPANISH, source="es", target="de")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unreachable_provider_is_an_error(closed_port, provider):
    make, _path = PROVIDERS[provider]
    with pytest.raises(TranslationError, match="could not reach"):
        make(f"http://127.0.0.1:{closed_port}", 2).translate(SPANISH, source="es", target="de")


# Choosing the provider.


def test_no_settings_means_no_translation():
    assert translator_from_config({}) is None
    assert config_problem({}) is None


def test_the_configured_provider_is_chosen():
    libre = translator_from_config({"LIBRETRANSLATE_URL": "http://lt.local:5000"})
    assert isinstance(libre, LibreTranslate)
    assert libre.url == "http://lt.local:5000/translate"
    deepl = translator_from_config({"DEEPL_API_KEY": "k:fx", "TRANSLATION_TIMEOUT": 2})
    assert isinstance(deepl, DeepL)
    assert deepl.timeout == 2
    microsoft = translator_from_config(
        {"MS_TRANSLATOR_KEY": "k", "MS_TRANSLATOR_REGION": "westeurope"}
    )
    assert isinstance(microsoft, MicrosoftTranslator)
    assert microsoft.region == "westeurope"
    both = {"DEEPL_API_KEY": "k", "MS_TRANSLATOR_KEY": "k", "TRANSLATION_PROVIDER": "microsoft"}
    assert isinstance(translator_from_config(both), MicrosoftTranslator)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"TRANSLATION_PROVIDER": "google"}, "use one of libretranslate, deepl, microsoft"),
        ({"TRANSLATION_PROVIDER": "deepl"}, "DEEPL_API_KEY is not set"),
    ],
)
def test_settings_that_cannot_work_are_named(config, problem):
    assert problem in config_problem(config)
