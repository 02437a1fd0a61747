"""The rules for user text (microblog.text), on their own."""

import pytest

from microblog.text import clean_line, clean_text, has_visible, text_problem, username_problem


@pytest.mark.parametrize(
    "text",
    [
        "Hello, world!",
        "two\nlines\twith a tab",
        "שלום עולם!",
        "مرحبا\u200f (with a right-to-left mark)",
        "family 👨\u200d👩\u200d👧 with joiners",
        "é composed and e\u0301 decomposed",
    ],
    ids=["latin", "newline-tab", "hebrew", "rlm", "zwj-emoji", "combining"],
)
def test_ordinary_text_of_any_script_is_accepted(app, text):
    with app.test_request_context():
        assert text_problem(text) is None
        assert has_visible(text)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("nul \x00 byte", "U+0000", "control character"),
        ("bell \x07", "U+0007", "control character"),
        ("escape \x1b[31m red", "U+001B", "control character"),
        ("delete \x7f", "U+007F", "control character"),
        ("next line \x85", "U+0085", "control character"),
        ("carriage \r return", "U+000D", "control character"),
        ("txt.exe\u202egpj", "U+202E", "reverses the direction"),
        ("isolate \u2066x\u2069", "U+2066", "reverses the direction"),
        ("lone \ud800 surrogate", "U+D800", "not valid Unicode"),
        ("nonchar \uffff", "U+FFFF", "not valid Unicode"),
    ],
)
def test_control_bidi_and_invalid_characters_are_named_in_the_problem(app, text, code, words):
    with app.test_request_context():
        problem = text_problem(text)
    assert code in problem and words in problem


@pytest.mark.parametrize(
    "text", ["\u200b\u200b\u200b", "\u3164", "\u2800 \u2800", "\ufeff", "\u0301\u0301", " \n\t "]
)
def test_text_of_only_invisible_characters_counts_as_empty(text):
    assert not has_visible(text)
    assert clean_line(text) == "" and clean_text(text) == ""


def test_clean_text_makes_line_ends_plain_and_keeps_at_most_one_empty_line():
    typed = "first\r\nsecond\r\n\r\n\r\n\r\n  \r\nthird" + "\n" * 50 + "fourth\n\nfifth"
    assert clean_text(typed) == "first\nsecond\n\nthird\n\nfourth\n\nfifth"


def test_clean_functions_pass_non_text_through():
    marker = object()
    assert clean_line(marker) is marker and clean_text(None) is None


@pytest.mark.parametrize(
    ("username", "problem"),
    [(".", "only dots"), ("..", "only dots"), ("...", "only dots"), ("api", "reserved"),
     ("Admin", "reserved"), ("STATIC", "reserved"), ("auth", "reserved")],
)  # fmt: skip
def test_usernames_that_a_url_cannot_carry_or_that_pose_as_the_site_are_refused(
    app, username, problem
):
    with app.test_request_context():
        assert problem in username_problem(username)


@pytest.mark.parametrize("username", ["susan", "s.usan", "..susan", "api_fan", "user2"])
def test_ordinary_usernames_pass(app, username):
    with app.test_request_context():
        assert username_problem(username) is None
