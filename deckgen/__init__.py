"""deckgen: Markdown card files -> Anki decks. The model and parser are plain Python."""
