"""Card -> the HTML fields of its Anki note, rendered from the tokens the card was parsed
into (on the load's workers, see `cardformat.pool.CardRenderer`): never parsed twice."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from deckgen.anki_package import model_for, note_guid
from deckgen.cardformat.digests import content_digest
from deckgen.cardformat.fields import ParsedCard
from deckgen.cardformat.markdown import card_markdown
from deckgen.cardformat.model import Card, CardError
from deckgen.cardformat.recordings import Recording
from deckgen.highlight import highlight_fence
from deckgen.media import MediaFile, bundle_images
from deckgen.run_html import render_run

ImageStamp = tuple[str, int, int]  # path, size, mtime in ns


@dataclass(frozen=True)
class RenderedCard:
    """The HTML of one note: (Front, Back, Run), or (Text, Extra, Run) for cloze."""

    fields: tuple[str, str, str]
    media: tuple[MediaFile, ...] = ()
    digest: str = ""  # of everything that goes into the note; see note_digest()
    guid: str = ""  # the note's GUID, from the card id
    images: tuple[ImageStamp, ...] = ()  # the images as they were when rendered


def note_digest(card: Card, fields: tuple[str, ...]) -> str:
    """Changes exactly when the note Anki sees changes: type, fields or tags."""
    return content_digest(str(model_for(card.kind).model_id), *fields, "\x1f".join(card.tags))


@cache
def html_markdown() -> MarkdownIt:
    """The card format's Markdown (as the terminal shows it), code highlighted by Pygments."""
    return card_markdown(highlight=highlight_fence)


def render_tokens(tokens: list[Token], env: dict[str, object]) -> str:
    md = html_markdown()
    return md.renderer.render(tokens, md.options, env).strip()


def render_card(
    parsed: ParsedCard, recording: Recording | None
) -> tuple[RenderedCard | None, list[CardError]]:
    card = parsed.card
    front_tokens = parsed.field_tokens.get("front", [])
    back_tokens = parsed.field_tokens.get("back", [])
    media: list[MediaFile] = []
    errors: list[CardError] = []
    for tokens in (front_tokens, back_tokens):
        found, problems = bundle_images(
            tokens, card.location.path, parsed.media_root, parsed.line_offset
        )
        media.extend(found)
        errors.extend(problems)
    if errors:
        return None, errors
    fields = (
        render_tokens(front_tokens, parsed.env),
        render_tokens(back_tokens, parsed.env),
        render_run(card.run, recording),
    )
    images = tuple(image_stamp(m.source) for m in media)
    digest = note_digest(card, fields)
    return RenderedCard(fields, tuple(media), digest, note_guid(card.id), images), []


def image_stamp(path: os.PathLike[str] | str) -> ImageStamp:
    stat = os.stat(path)
    return str(path), stat.st_size, stat.st_mtime_ns


@dataclass(frozen=True)
class AnkiHtml:
    """The card renderer `load` runs for deckgen (see `cardformat.pool.CardRenderer`)."""

    name: str = "anki-html"

    def render(
        self, parsed: ParsedCard, recording: Recording | None
    ) -> tuple[RenderedCard | None, list[CardError]]:
        return render_card(parsed, recording)

    def still_fresh(self, rendered: RenderedCard) -> bool:
        """A cached note stays valid while every image it shows is unchanged."""
        for path, size, mtime in rendered.images:
            try:
                if image_stamp(path)[1:] != (size, mtime):
                    return False
            except OSError:
                return False
        return True


ANKI_HTML = AnkiHtml()
