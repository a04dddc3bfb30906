"""The log viewer: pages of any log (text or file of any size), search, level filter, folding, findings marked.

:class:`LogView` is the widget; the modules beside it are private to it (``_pages``: the page model,
``_render``: escaped HTML of a page, ``_hits``: the search hit list).
"""

from amlnbtools.widgets.logview._view import LEVEL_FILTERS, MAX_HITS, LogView

__all__ = ["LEVEL_FILTERS", "MAX_HITS", "LogView"]
