"""Plotly output that works without a network: in Jupyter, in saved notebooks, in HTML reports.

:func:`embed_plotly` makes every figure display twice over: as Plotly's own mimetype
(JupyterLab draws it natively) and as HTML that needs nothing from a CDN: plotly.js is
embedded once per notebook, and no MathJax or require.js is loaded. ``nbconvert`` keeps
the HTML, so a report opened offline still draws its figures.
"""

from __future__ import annotations

from plotly.io.base_renderers import MimetypeRenderer

RENDERER = "workbench_offline"


class OfflineHtmlRenderer(MimetypeRenderer):
    """Figures as ``text/html`` that use a plotly.js embedded once, with no CDN."""

    def __init__(self, height: int = 480):
        self.height = height

    def activate(self):
        """Embed plotly.js, in the first cell that shows a figure after :func:`embed_plotly`."""
        from IPython.display import HTML, display
        from plotly.offline import get_plotlyjs

        display(HTML(f'<script type="text/javascript">window.PlotlyConfig = {{MathJaxConfig: "local"}};</script>'
                     f'<script type="text/javascript">{get_plotlyjs()}</script>'))

    def to_mimebundle(self, fig_dict):
        from plotly.io import to_html

        html = to_html(fig_dict, include_plotlyjs=False, include_mathjax=False, full_html=False,
                       default_width="100%", default_height=self.height, validate=False)
        return {"text/html": html}


def embed_plotly() -> str:
    """Show figures with plotly.js embedded (no network needed); returns the renderer in use.

    Call once, in a notebook's setup cell.
    """
    import plotly.io as pio

    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = OfflineHtmlRenderer()
    pio.renderers.default = f"plotly_mimetype+{RENDERER}"
    return pio.renderers.default
