"""What every panel shares: a root widget that front ends display, and a short, stable text form."""

from __future__ import annotations

import ipywidgets as w

__all__ = ["Panel"]


class Panel:
    """Base of panels: subclasses set ``self.widget`` and define ``__repr__``."""

    widget: w.Widget

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)  # short and stable: what front ends without widgets (and nbval) see
        return bundle
