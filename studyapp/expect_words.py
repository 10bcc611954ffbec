"""An Expect `re:` line as a learner can read it: the text it looks for, with `#` where a
number goes and `…` where any text goes.

`re: ^work inside the request: answered after 0\\.5 s, 1\\.[01] s$` reads
`work inside the request: answered after 0.5 s, 1.# s`. A regular expression teaches nothing
on a card's answer, but the line it stands for does. Only the regex syntax the cards use is
read: escapes, classes, groups with alternatives, quantifiers and anchors; anything else
becomes `…`.
"""

from __future__ import annotations

NUMBER = "#"
ANY = "…"
_DIGIT_CLASS_CHARS = set("0123456789-")
_QUANTIFIER_START = "*+?{"
_NUMBER_CHARS = set("0123456789.#")


def pattern_in_words(source: str) -> str:
    """The readable form of a regular expression's source text."""
    words, _ = _sequence(source, 0)
    return _tidy(words)


def _sequence(source: str, at: int) -> tuple[str, int]:
    """Read up to the end of the group (or of the source); top-level `|` reads "or"."""
    alternatives: list[str] = []
    parts: list[str] = []
    while at < len(source) and source[at] != ")":
        char = source[at]
        if char == "|":
            alternatives.append(_tidy("".join(parts)))
            parts = []
            at += 1
            continue
        piece, at = _atom(source, at)
        piece, at = _quantified(piece, source, at)
        parts.append(piece)
    alternatives.append(_tidy("".join(parts)))
    if len(alternatives) == 1:
        return alternatives[0], at
    if all(set(option) <= _NUMBER_CHARS for option in alternatives):
        return NUMBER, at  # `(0\.[5-9]|[1-9]\.\d)`: a number in some range
    return " or ".join(alternatives), at


def _atom(source: str, at: int) -> tuple[str, int]:
    char = source[at]
    if char == "\\" and at + 1 < len(source):
        escaped = source[at + 1]
        if escaped == "d":
            return NUMBER, at + 2
        if escaped == "s":
            return " ", at + 2
        if escaped in "bBAZ":
            return "", at + 2
        if escaped in "DSwW" or escaped.isdigit():  # a backreference repeats a group
            return ANY, at + 2
        return escaped, at + 2
    if char == "[":
        end = _class_end(source, at)
        members = source[at + 1 : end]
        digits_only = bool(members) and set(members) <= _DIGIT_CLASS_CHARS
        return (NUMBER if digits_only and not members.startswith("^") else ANY), end + 1
    if char == "(":
        inner_start = at + 1
        if source.startswith("?:", inner_start):
            inner_start += 2
        elif source.startswith("?P<", inner_start):
            inner_start = source.index(">", inner_start) + 1
        elif source.startswith("?", inner_start):
            return ANY, _group_end(source, at) + 1  # lookarounds, flags: not text
        inner, end = _sequence(source, inner_start)
        return inner, end + 1
    if char in "^$":
        return "", at + 1
    if char == ".":
        return ANY, at + 1
    return char, at + 1


def _quantified(piece: str, source: str, at: int) -> tuple[str, int]:
    """Apply a quantifier after `piece`: a repeated number or text stays one `#` or `…`."""
    if at >= len(source) or source[at] not in _QUANTIFIER_START:
        return piece, at
    if source[at] == "{":
        close = source.find("}", at)
        if close < 0:
            return piece, at
        at = close + 1
    else:
        optional = source[at] in "*?"
        at += 1
        if optional and piece not in (NUMBER, ANY):
            piece = ""  # an optional literal (`https?`): the shorter form reads fine
    if at < len(source) and source[at] in "?+":
        at += 1  # lazy or possessive
    if piece in (NUMBER, ANY):
        return piece, at
    return (piece if len(piece) <= 1 else piece + ANY), at


def _class_end(source: str, at: int) -> int:
    index = at + 1
    if index < len(source) and source[index] == "^":
        index += 1
    if index < len(source) and source[index] == "]":
        index += 1  # a leading ] is a member
    while index < len(source) and source[index] != "]":
        index += 2 if source[index] == "\\" else 1
    return index


def _group_end(source: str, at: int) -> int:
    depth = 0
    index = at
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(source) - 1


def _tidy(text: str) -> str:
    """Runs of placeholders read as one: `#.#` stays, `……` and `#…` become `…`."""
    previous = None
    while previous != text:
        previous = text
        text = text.replace(ANY + ANY, ANY).replace(NUMBER + ANY, ANY).replace(ANY + NUMBER, ANY)
        text = text.replace(NUMBER + NUMBER, NUMBER)
    return text
