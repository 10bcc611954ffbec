"""The card format: Markdown card files read into cards, the one way anything reads them.

`load.load(paths)` gives every card, every problem (`path:line: message`) and a digest per
file, through one cache (cache.py); deckgen, the study app, `studyapp verify` and the Anki
sync all read card files through it. FORMAT.md (one folder up) describes the format.
"""
