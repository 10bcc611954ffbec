"""Study progress between Anki and the terminal: `import-anki`, `sync-anki`, `export-anki`.

Plain Python over the official `anki` library; no module here may be called `anki` (it would
shadow the library).
"""
