"""Card -> HTML fields for Anki, rendered once from the parser's tokens."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.token import Token

from deckgen.anki import model_for, note_guid
from deckgen.cache import content_digest
from deckgen.chunks import normalize_newlines
from deckgen.evidence import recordings_of, render_run
from deckgen.markdown import markdown
from deckgen.media import MediaFile, bundle_images
from deckgen.model import Card, CardError
from deckgen.parser import ParsedCard


@dataclass(frozen=True)
class RenderedCard:
    """The HTML of one note: (Front, Back, Run), or (Text, Extra, Run) for cloze."""

    fields: tuple[str, str, str]
    media: tuple[MediaFile, ...] = ()
    digest: str = ""  # of everything that goes into the note; see note_digest()
    guid: str = ""  # the note's GUID, from the card id


def note_digest(card: Card, fields: tuple[str, ...]) -> str:
    """Changes exactly when the note Anki sees changes: type, fields or tags."""
    return content_digest(str(model_for(card.kind).model_id), *fields, "\x1f".join(card.tags))


def render_tokens(tokens: list[Token], env: dict[str, object]) -> str:
    md = markdown()
    return md.renderer.render(tokens, md.options, env).strip()


def render_markdown(source: str) -> str:
    """HTML for a Markdown snippet (for callers that only have the source)."""
    return markdown().render(normalize_newlines(source)).strip()


def render_card(parsed: ParsedCard) -> tuple[RenderedCard | None, list[CardError]]:
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
        render_run(card.run, recordings_of(card.location.path).get(card.id)),
    )
    return RenderedCard(fields, tuple(media), note_digest(card, fields), note_guid(card.id)), []
