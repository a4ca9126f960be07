"""Highlight links: text fragments encoded as the URL Fragment Text Directives draft says."""

from __future__ import annotations

from urllib.parse import unquote

from toolkit.review.textfragment import encode, highlight_url, text_directive


def test_dash_comma_and_ampersand_inside_the_words_are_encoded():
    assert encode("Russia-Belarus, Armenia & Kazakhstan") == (
        "Russia%2DBelarus%2C%20Armenia%20%26%20Kazakhstan"
    )


def test_the_encoded_words_decode_to_the_excerpt():
    words = "“It’s a ‘special’ operation” – 50% of #1?"
    assert unquote(encode(words)) == words
    assert "-" not in encode("a-b") and "," not in encode("a,b") and "&" not in encode("a&b")


def test_a_short_excerpt_is_one_text_start():
    assert text_directive("the CSTO  summit\nin Moscow") == "text=the%20CSTO%20summit%20in%20Moscow"


def test_a_long_excerpt_is_linked_by_its_first_and_last_words():
    excerpt = "one two three four five six seven eight nine ten eleven twelve"
    assert text_directive(excerpt) == "text=one%20two%20three%20four,nine%20ten%20eleven%20twelve"


def test_an_elided_quotation_is_linked_across_its_ellipsis():
    assert text_directive("we will respond ... with all means") == (
        "text=we%20will%20respond,with%20all%20means"
    )
    assert text_directive("a […] b") == "text=a,b"


def test_highlight_url_keeps_an_existing_fragment():
    assert highlight_url("https://example.org/p", "a b") == "https://example.org/p#:~:text=a%20b"
    assert highlight_url("https://example.org/p#s2", "a") == "https://example.org/p#s2:~:text=a"
    assert highlight_url("https://example.org/p#:~:text=x", "a") == (
        "https://example.org/p#:~:text=x&text=a"
    )


def test_no_link_without_a_web_url_or_words():
    assert highlight_url("", "a") is None
    assert highlight_url("ftp://example.org/x", "a") is None
    assert highlight_url("https://example.org/", "  ...  ") is None
