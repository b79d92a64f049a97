"""Lambda entry points that are not HTTP routes: the state machine's tasks.

`make package` copies this package into `vendor/` so that Chalice ships it beside
`app.py` and `chalicelib/` (Chalice packages only those three).
"""
