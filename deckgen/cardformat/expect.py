"""A card's `**Expect:**` text: its syntax (part of the card format) and its matching.

Each non-empty line of the Expect text must be found in the output, in order, each search
starting where the previous match ended. A line starting with `re:` is a Python regular
expression (the rest of the line); any other line is a literal substring. Markdown wrapping
(a fenced block, or a line that is one inline code span) is removed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REGEX_PREFIX = "re:"


@dataclass(frozen=True)
class ExpectLine:
    number: int  # 1-based among the non-empty lines
    text: str  # as written, stripped
    pattern: re.Pattern[str] | None  # set for `re:` lines
    error: str | None = None  # an invalid regular expression

    def find(self, output: str, start: int) -> int | None:
        """End offset of the first match at or after `start`, or None."""
        if self.pattern is not None:
            found = self.pattern.search(output, start)
            return found.end() if found else None
        if self.error is not None:
            return None
        index = output.find(self.text, start)
        return index + len(self.text) if index >= 0 else None


@dataclass(frozen=True)
class ExpectResult:
    total: int  # number of expect lines
    matched: int  # how many matched, in order
    failed: ExpectLine | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None

    def describe(self) -> str:
        if self.failed is None:
            return f"expect passed ({self.total} line{'s' if self.total != 1 else ''})"
        if self.failed.error is not None:
            return f"expect line {self.failed.number} is not a valid regex: {self.failed.error}"
        return f"expect line {self.failed.number} not found: {self.failed.text}"


def _unwrap_markdown(text: str) -> list[str]:
    lines = text.strip().splitlines()
    if lines and lines[0].lstrip().startswith(("```", "~~~")):
        fence = lines[0].lstrip()[:3]
        lines = lines[1:]
        if lines and lines[-1].strip().startswith(fence):
            lines = lines[:-1]
    unwrapped = []
    for line in lines:
        stripped = line.strip()
        is_code_span = stripped[:1] == stripped[-1:] == "`" and "`" not in stripped[1:-1]
        if len(stripped) > 2 and is_code_span:
            stripped = stripped[1:-1].strip()
        unwrapped.append(stripped)
    return unwrapped


def parse_expect(text: str | None) -> list[ExpectLine]:
    if not text:
        return []
    parsed: list[ExpectLine] = []
    for line in _unwrap_markdown(text):
        if not line:
            continue
        number = len(parsed) + 1
        if line.startswith(REGEX_PREFIX):
            source = line[len(REGEX_PREFIX) :].strip()
            try:
                parsed.append(ExpectLine(number, line, re.compile(source, re.MULTILINE)))
            except re.error as exc:
                parsed.append(ExpectLine(number, line, None, error=str(exc)))
        else:
            parsed.append(ExpectLine(number, line, None))
    return parsed


def check_expect(expect: str | None, output: str) -> ExpectResult:
    """Match the whole Expect text against complete output."""
    matcher = ExpectMatcher(expect)
    matcher.feed(output)
    return matcher.result()


class ExpectMatcher:
    """Incremental matching for output that is still arriving (services, streaming).

    Feed whole lines; `done` turns true as soon as every expect line has matched.
    """

    def __init__(self, expect: str | None) -> None:
        self.lines = parse_expect(expect)
        self._output = ""
        self._position = 0
        self._matched = 0

    @property
    def done(self) -> bool:
        return self._matched == len(self.lines)

    def feed(self, text: str) -> bool:
        if self.done:
            return True  # nothing left to look for; don't keep the output
        self._output += text
        while not self.done:
            end = self.lines[self._matched].find(self._output, self._position)
            if end is None:
                break
            self._position = end
            self._matched += 1
        return self.done

    def result(self) -> ExpectResult:
        failed = None if self.done else self.lines[self._matched]
        return ExpectResult(total=len(self.lines), matched=self._matched, failed=failed)
