"""The guide sanitiser: hostile Markdown and HTML come out harmless; ordinary guides survive."""

from __future__ import annotations

import pytest

from apps.catalog.sanitize import clean_html, render_markdown


def test_ordinary_markdown_guide_renders_to_the_allowed_tags():
    text = "## 所需材料\n\n- 身份证\n- **户口簿**\n\n1. 提交申请\n2. *审核*\n\n[指南](https://www.jinan.gov.cn/x)"

    html = render_markdown(text)

    assert html == (
        "<h3>所需材料</h3>\n"
        "<ul>\n<li>身份证</li>\n<li><strong>户口簿</strong></li>\n</ul>\n"
        "<ol>\n<li>提交申请</li>\n<li><em>审核</em></li>\n</ol>\n"
        '<p><a href="https://www.jinan.gov.cn/x" rel="noopener noreferrer">指南</a></p>'
    )


def test_single_newlines_become_line_breaks():
    assert render_markdown("第一行\n第二行") == "<p>第一行<br>\n第二行</p>"


def test_tables_survive():
    html = render_markdown("| 材料 | 份数 |\n|---|---|\n| 身份证 | 1 |")

    assert html == (
        "<table>\n<thead>\n<tr>\n<th>材料</th>\n<th>份数</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>身份证</td>\n<td>1</td>\n</tr>\n</tbody>\n</table>"
    )


def test_script_tags_are_removed_with_their_content():
    assert render_markdown("前<script>alert('x')</script>后") == "<p>前后</p>"
    assert render_markdown("<script>\nalert(document.cookie)\n</script>") == ""
    assert clean_html("<p>a</p><style>body{display:none}</style>") == "<p>a</p>"


def test_event_handler_attributes_and_images_are_removed():
    assert render_markdown('<img src="x" onerror="alert(1)">图') == "<p>图</p>"
    assert clean_html('<p onclick="alert(1)" style="color:red" class="x">t</p>') == "<p>t</p>"
    assert clean_html('<a href="https://a.cn" onmouseover="alert(1)">t</a>') == (
        '<a href="https://a.cn" rel="noopener noreferrer">t</a>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "[点我](javascript:alert(1))",
        "[点我](JaVaScRiPt:alert(1))",
        "[点我][1]\n\n[1]: javascript:alert(1)",
        '[点我][ref]\n\n[ref]: javascript:alert(document.cookie) "title"',
        "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[点我][d]\n\n[d]: data:text/html,<script>alert(1)</script>",
        '<a href="jav&#x61;script:alert(1)">点我</a>',
        '<a href="&#106;avascript:alert(1)">点我</a>',
        '<a href="vbscript:msgbox(1)">点我</a>',
        "[点我](//evil.example/x)",
        "[点我](/relative/path)",
    ],
)
def test_dangerous_and_relative_links_lose_their_href(text):
    html = render_markdown(text)

    assert "href" not in html
    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "点我" in html


def test_allowed_schemes_keep_their_href_with_rel():
    html = render_markdown("[信](mailto:help@jinan.example) [网](http://a.example/)")

    assert html == (
        '<p><a href="mailto:help@jinan.example" rel="noopener noreferrer">信</a> '
        '<a href="http://a.example/" rel="noopener noreferrer">网</a></p>'
    )


def test_an_existing_rel_or_target_is_replaced():
    assert clean_html('<a href="https://a.cn" rel="opener" target="_blank">t</a>') == (
        '<a href="https://a.cn" rel="noopener noreferrer">t</a>'
    )


def test_disallowed_tags_are_unwrapped_and_headings_shifted_down():
    assert clean_html("<div><h1>标题</h1><iframe src='https://x'></iframe><u>下划线</u></div>") == "标题下划线"
    assert render_markdown("# 一级\n\n##### 五级") == "<h3>一级</h3>\n<h4>五级</h4>"


def test_svg_and_form_payloads_leave_nothing_active():
    html = clean_html('<svg onload="alert(1)"><a xlink:href="javascript:alert(1)">x</a></svg><form action="https://e">'
                      '<input value="y"><button formaction="javascript:alert(1)">z</button></form>')  # fmt: skip

    # SVG is foreign content: ammonia drops it whole.
    assert html == "z"


def test_empty_input_gives_empty_output():
    assert render_markdown("") == ""
    assert render_markdown("  \n ") == ""
    assert clean_html("") == ""
