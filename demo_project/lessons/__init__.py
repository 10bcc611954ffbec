"""Small, self-contained demonstrations that the deck's cards run (cwd ``demo_project/``).

Each module or script proves one point quickly and deterministically; run the Python ones as
``python -m lessons.<name>`` so that ``demo_project/`` is on ``sys.path``.
"""
