"""TRUSTED_PROXIES: which X-Forwarded-* headers the app believes."""

from __future__ import annotations

import pytest
from flask import Flask, jsonify, request

from microblog import config, create_app

FORWARDED = {
    "X-Forwarded-For": "203.0.113.7, 198.51.100.2",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "microblog.example",
    "X-Forwarded-Port": "443",
}


def _app_showing_the_request(proxies: int) -> Flask:
    app = create_app(
        config.TestConfig(
            TRUSTED_PROXIES=proxies, SERVER_NAME=None, EXTRA_TRUSTED_HOSTS=["microblog.example"]
        )
    )

    @app.get("/_request")
    def what_the_app_sees():
        return jsonify(remote_addr=request.remote_addr, scheme=request.scheme, host=request.host)

    return app


def test_without_trusted_proxies_forwarded_headers_are_ignored():
    app = _app_showing_the_request(0)
    seen = app.test_client().get("/_request", headers=FORWARDED).get_json()
    assert seen == {"remote_addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_one_trusted_proxy_is_believed_for_the_last_hop_only():
    app = _app_showing_the_request(1)
    seen = app.test_client().get("/_request", headers=FORWARDED).get_json()
    # 203.0.113.7 was written by the client itself; only our proxy's entry counts.
    assert seen == {"remote_addr": "198.51.100.2", "scheme": "https", "host": "microblog.example"}


def test_two_trusted_proxies_reach_one_hop_further():
    app = _app_showing_the_request(2)
    seen = app.test_client().get("/_request", headers=FORWARDED).get_json()
    assert seen["remote_addr"] == "203.0.113.7"


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), ("1", 1), ("2", 2)])
def test_trusted_proxies_comes_from_the_environment(monkeypatch, tmp_path, value, expected):
    if value is None:
        monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("TRUSTED_PROXIES", value)
    monkeypatch.chdir(tmp_path)
    assert config.Config(tmp_path).TRUSTED_PROXIES == expected


def test_a_forwarded_host_is_still_checked_against_the_sites_hosts():
    app = _app_showing_the_request(1)
    response = app.test_client().get("/_request", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["yes", "-1", "1.5"])
def test_a_trusted_proxies_that_is_not_a_count_stops_the_app(monkeypatch, tmp_path, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        config.Config(tmp_path)
    assert "TRUSTED_PROXIES must be a whole number" in str(exit_info.value)
