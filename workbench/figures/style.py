"""What every figure shares: size, margins, the template, the empty-data figure, and text kept as text.

Plotly draws the strings it is given as a small HTML dialect (``<b>``, ``<br>``, ``<a href>``...),
and every string of a log record is the attacker's. :func:`finish` therefore escapes ``<``, ``>``
and ``&`` in everything data puts on a figure (category values, trace names, hover data, facet
labels), which plotly shows as the characters they are. A figure that writes markup of its own
into ``text`` escapes the data it mixes in with :func:`as_text`.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from workbench.settings import plot_theme

#: The plotly template of each plot theme (:func:`workbench.settings.plot_theme`).
TEMPLATES = {"light": "plotly_white", "dark": "plotly_dark"}
TEMPLATE = TEMPLATES["light"]
#: One meaning per colour on every page: failure, denied, rejected, the attacker...
BAD = "#d62828"
#: ... success, accepted, the owner ...
GOOD = "#2a9d8f"
#: ... partly (some sign-ins with MFA) ...
MIXED = "#f4a261"
#: ... and neither (background, one-off, unknown).
NEUTRAL = "#8d99ae"
OUTCOME_COLOURS = {"Success": GOOD, "Failure": BAD, "ACCEPT": GOOD, "REJECT": BAD, "OK": GOOD, "unknown": NEUTRAL}
SOURCE_COLOURS = {"cloudtrail": "#264653", "vpcflow": "#2a9d8f", "guardduty": "#e76f51", "alb": "#6d597a",
                  "waf": "#b56576"}
BAND_COLOURS = {"critical": "#9d0208", "high": "#e76f51", "medium": "#f4a261", "low": "#8ab17d"}
BAND_ORDER = ["critical", "high", "medium", "low"]


#: Trace properties that carry data values.
_DATA_PROPERTIES = ("x", "y", "z", "customdata", "ids", "labels", "hovertext", "name", "legendgroup")


def outcome_colours(values) -> dict:
    """A colour for each outcome in ``values``: success and accept good, unknown neutral, any
    other (a failure, an error code such as ``AccessDenied``, REJECT) bad."""
    return {v: OUTCOME_COLOURS.get(v, BAD) for v in dict.fromkeys(str(x) for x in values)}


def as_text(value) -> str:
    """``value`` as text that plotly (or any HTML) shows as it is: ``<``, ``>`` and ``&`` escaped."""
    return html.escape(str(value), quote=False)


def _escaped(value):
    """``value`` with every string in it escaped (a string, or a list, tuple or object array of them)."""
    if isinstance(value, str):
        return as_text(value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([_escaped(v) for v in value.tolist()], dtype=object)
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(v) for v in value)
    return value


def _keep_text_as_text(fig: go.Figure) -> None:
    """Escape every string the data put on ``fig`` (see the module notes)."""
    for trace in fig.data:
        for name in _DATA_PROPERTIES:
            if name in trace and trace[name] is not None:
                trace[name] = _escaped(trace[name])
    for axis in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:
        if fig.layout[axis].categoryarray is not None:
            fig.layout[axis].categoryarray = _escaped(list(fig.layout[axis].categoryarray))
    for annotation in fig.layout.annotations or ():
        if annotation.text is not None:
            annotation.text = as_text(annotation.text)


def finish(fig: go.Figure, title: str, *, height: int | None = None, **layout) -> go.Figure:
    """Apply the shared look (template, title, margins, legend on top); keep the data's text as text."""
    _keep_text_as_text(fig)
    fig.update_layout(template=TEMPLATES[plot_theme()], title={"text": title, "x": 0.01, "y": 0.98, "yanchor": "top"},
                      margin={"l": 10, "r": 10, "t": 80, "b": 40},
                      legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left",
                              "title": None}, **layout)
    if height:
        fig.update_layout(height=height)
    return fig


def empty(title: str, message: str) -> go.Figure:
    """A figure that says there is nothing to draw, and why."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#6c757d"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title, height=220)
