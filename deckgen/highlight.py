"""Fenced code -> HTML with inline styles (Pygments), readable on light and dark themes.

The code block carries its own background and text colour, so Anki's light or dark
theme around it does not matter and no add-on or stylesheet is needed.
"""

from __future__ import annotations

import html
from functools import cache, lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Text
from pygments.util import ClassNotFound

STYLE_NAME = "github-dark"
_style = get_style_by_name(STYLE_NAME)
BACKGROUND = _style.background_color or "#0d1117"
FOREGROUND = "#" + (_style.style_for_token(Text)["color"] or "e6edf3")
PRE_STYLE = (
    f"background:{BACKGROUND};color:{FOREGROUND};padding:0.6em 0.8em;"
    "border-radius:6px;overflow-x:auto;text-align:left;line-height:1.35;"
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:0.9em"
)


@cache
def formatter() -> HtmlFormatter[str]:
    # nowrap: we write the <pre> ourselves so it can carry the background colour.
    return HtmlFormatter(style=STYLE_NAME, noclasses=True, nowrap=True)


@cache
def lexer_for(language: str) -> Lexer:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


@lru_cache(maxsize=4096)
def highlight_code(code: str, language: str) -> str:
    """HTML for one code block; `<`, `>` and `&` in the code stay text.

    Remembered: decks repeat commands (a worker's start line, an inspect call), and lexing
    one line costs more than parsing a whole card. With the skipped inline parse of structure
    headings (cardformat/markdown.py), a cold build of the bench's 10,000 cards took 8.6 CPU s
    instead of 10.2 (bench/deckgen_bench.py --before e096d0b, one run, 2026-12-06)."""
    language = language.strip().split(maxsplit=1)[0].casefold() if language.strip() else ""
    body = highlight(code, lexer_for(language), formatter()) if language else html.escape(code)
    return f'<pre style="{PRE_STYLE}"><code>{body.rstrip(chr(10))}</code></pre>'


def highlight_fence(code: str, language: str, _attrs: str) -> str:
    """markdown-it's `highlight` hook; a result starting with `<pre` is used as is."""
    return highlight_code(code, language)
