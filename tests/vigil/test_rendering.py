"""vigil.rendering: every hostile Markdown input is neutralised; reading time."""

import html as htmllib
import re
from html.parser import HTMLParser

import pytest

from vigil.rendering import reading_minutes, render_markdown

# (name, Markdown input, substrings that must NOT appear in the output, lowercase)
HOSTILE = [
    ("script tag", "<script>alert(1)</script>", ["<script"]),
    ("script tag uppercase", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", ["<script"]),
    ("script split across lines", "<scr\nipt>alert(1)</script>", ["<script", "<scr\nipt>"]),
    ("img onerror", '<img src=x onerror="alert(1)">', ["<img", "onerror="]),
    ("onerror without quotes", "<img src=x onerror=alert(1)//>", ["<img", "onerror="]),
    ("svg onload", '<svg onload="alert(1)"><circle r="4"/></svg>', ["<svg", "onload="]),
    ("svg with script", "<svg><script>alert(1)</script></svg>", ["<svg", "<script"]),
    ("event handler on allowed tag", '<a href="https://ok.example" onclick="alert(1)">x</a>', ["onclick="]),
    ("javascript link", "[click](javascript:alert(1))", ['href="javascript:']),
    ("javascript link mixed case", "[click](JaVaScRiPt:alert(1))", ['href="javascript:']),
    ("javascript link with entity", "[click](javascript&#58;alert(1))", ['href="javascript']),
    ("javascript link with tab", "[click](java\tscript:alert(1))", ['href="javascript:']),
    ("javascript link with encoded tab", "[click](java&#x09;script:alert(1))", ['href="java']),
    ("javascript link with decimal entity", '<a href="&#106;avascript:alert(1)">x</a>', ['href="&#106;', 'href="javascript:']),
    ("javascript link percent-encoded", "[click](%6A%61%76%61script:alert(1))", ['href="javascript:']),
    ("javascript link leading space", "[click]( javascript:alert(1))", ['href="javascript:', 'href=" javascript:']),
    ("javascript autolink", "<javascript:alert(1)>", ['href="javascript:']),
    ("javascript raw anchor", '<a href="javascript:alert(1)">x</a>', ['href="javascript:']),
    ("javascript reference link", "[x][1]\n\n[1]: javascript:alert(1)", ['href="javascript:']),
    ("vbscript link", "[click](vbscript:msgbox(1))", ['href="vbscript:']),
    ("data url link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", ['href="data:']),
    ("data url image", "![x](data:image/svg+xml;base64,PHN2Zy8+)", ["<img", "data:image"]),
    ("image with javascript", "![x](javascript:alert(1))", ["<img", "javascript:"]),
    ("hx-get attribute", '<a href="/" hx-get="/desk/delete" hx-trigger="load">x</a>', ["hx-get", "hx-trigger"]),
    ("hx-post attribute", '<div hx-post="/desk/reviews/" hx-trigger="load">x</div>', ["hx-post", "<div"]),
    ("data-hx attribute", '<a href="/" data-hx-get="/desk/">x</a>', ["data-hx-get"]),
    ("hx-on attribute", '<a href="/" hx-on:click="alert(1)">x</a>', ["hx-on"]),
    ("style attribute", '<p style="position:fixed;inset:0">cover</p>', ["style="]),
    ("style tag", "<style>body{display:none}</style>", ["<style"]),
    ("iframe", '<iframe src="https://evil.example"></iframe>', ["<iframe"]),
    ("object and embed", '<object data="x.swf"></object><embed src="x.swf">', ["<object", "<embed"]),
    ("form and input", '<form action="https://evil.example"><input name="password"></form>', ["<form", "<input"]),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">', ["<meta"]),
    ("link stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">', ["<link"]),
    ("base tag", '<base href="https://evil.example/">', ["<base"]),
    ("raw html block", "<div>\n<p>block</p>\n<script>alert(1)</script>\n</div>", ["<div", "<script"]),
    ("html comment hiding script", "<!-- <script>alert(1)</script> -->", ["<script", "<!--"]),
    ("math/xlink", '<math><a xlink:href="javascript:alert(1)">x</a></math>', ["<math", "xlink:href", "javascript:"]),
    ("srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>', ["<iframe", "<script", "srcdoc"]),
    ("formaction on button", '<button formaction="javascript:alert(1)">x</button>', ["<button", "formaction"]),
    ("target blank tabnabbing", '<a href="https://ok.example" target="_blank">x</a>', ["target="]),
    ("id and class clobbering", '<a href="/" id="main" class="skip-link">x</a>', ["id=", "class="]),
    ("nested quotes in title", '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")', ['" onmouseover="']),
]


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.extend((tag, name, value or "") for name, value in attrs)


def browser_scheme(url):
    """The scheme a browser would see: entities decoded, tab/newline removed,
    leading spaces and controls stripped (WHATWG URL parsing). None if relative."""
    url = htmllib.unescape(url)
    url = re.sub(r"[\t\n\r]", "", url).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f ")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else None


class TestHostileMarkdown:
    @pytest.mark.parametrize("source, forbidden", [(s, f) for _, s, f in HOSTILE], ids=[n for n, _, _ in HOSTILE])
    def test_neutralised(self, source, forbidden):
        html = render_markdown(source).lower()
        for needle in forbidden:
            assert needle not in html, f"{needle!r} survived in {html!r}"

    @pytest.mark.parametrize("source", [s for _, s, _ in HOSTILE], ids=[n for n, _, _ in HOSTILE])
    def test_only_allowed_attributes_and_url_schemes(self, source):
        from vigil.rendering import ALLOWED_ATTRIBUTES

        parser = _Attributes()
        parser.feed(render_markdown(source))
        for tag, name, value in parser.found:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name == "href":
                assert browser_scheme(value) in {None, "http", "https", "mailto"}, value

    @pytest.mark.parametrize("source", [s for _, s, _ in HOSTILE], ids=[n for n, _, _ in HOSTILE])
    def test_no_tag_outside_the_allow_list(self, source):
        from vigil.rendering import ALLOWED_TAGS

        tags = set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", render_markdown(source)))
        assert tags <= ALLOWED_TAGS


class TestWhatAuthorsNeedSurvives:
    def test_headings_emphasis_lists_quotes_and_code(self):
        html = render_markdown(
            "## Heading\n\nSome *emphasis* and **strong**.\n\n- one\n- two\n\n> quoted\n\n`code`"
        )
        for fragment in ["<h2>Heading</h2>", "<em>emphasis</em>", "<strong>strong</strong>",
                         "<li>one</li>", "<blockquote>", "<code>code</code>"]:
            assert fragment in html

    def test_https_and_mailto_links_kept_with_rel(self):
        html = render_markdown("[source](https://example.org/report) and [mail](mailto:desk@example.org)")
        assert 'href="https://example.org/report"' in html
        assert 'href="mailto:desk@example.org"' in html
        assert 'rel="noopener noreferrer nofollow"' in html

    def test_tables_render(self):
        html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
        assert "<table>" in html and "<td>1</td>" in html

    def test_empty_text_gives_empty_html(self):
        assert render_markdown("") == ""
        assert render_markdown(None) == ""

    def test_plain_text_angle_brackets_are_escaped_not_dropped(self):
        html = render_markdown("Latency < 5 ms and cost > budget")
        assert "&lt; 5 ms" in html and "&gt; budget" in html


class TestReadingMinutes:
    @pytest.mark.parametrize(
        "words, minutes",
        [(0, 1), (1, 1), (230, 1), (231, 2), (460, 2), (461, 3), (1610, 7)],
    )
    def test_rounds_up_at_230_words_a_minute(self, words, minutes):
        assert reading_minutes("word " * words) == minutes

    def test_markup_is_not_counted_as_words(self):
        assert reading_minutes("## " + "word " * 230 + "\n\n---\n\n* * *") == 1


@pytest.mark.django_db
class TestDerivedOnSave:
    def test_article_body_rendered_once_on_save(self):
        from tests.factories import make_article

        article = make_article(body_markdown="Hello <script>alert(1)</script> **world** " + "w " * 300)
        assert "<script" not in article.body_html
        assert "<strong>world</strong>" in article.body_html
        assert article.reading_minutes == 2

    def test_holding_up_note_sanitised(self):
        from tests.factories import make_claim

        claim = make_claim(holding_up_note='[x](javascript:alert(1)) <img src=x onerror=alert(1)>')
        assert "javascript:" not in claim.holding_up_html
        assert "onerror" not in claim.holding_up_html


def test_browser_scheme_helper_sees_through_obfuscation():
    """The checker itself must catch what a browser would run."""
    assert browser_scheme("java\tscript:alert(1)") == "javascript"
    assert browser_scheme(" &#106;avascript:alert(1)") == "javascript"
    assert browser_scheme("%6Aavascript:alert(1)") is None  # a relative path to a browser
    assert browser_scheme("java    script:alert(1)") is None  # spaces end the scheme: relative
