"""Per-app rows of the URL × persona matrix (tests/test_url_matrix.py).

Each module defines ``CASES`` (URL name → Case) and may define ``RESOLVERS``
(key kind → function(tree, name) returning a pk) for the objects its URLs
are opened on, e.g. ``"meeting": lambda tree, name: ...``.
"""
