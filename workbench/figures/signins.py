"""Figures of the console-logins notebook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import BAD, GOOD, MIXED, NEUTRAL, OUTCOME_COLOURS, empty, finish


def signin_heatmap(daily: pd.DataFrame, failed: pd.DataFrame | None = None) -> go.Figure:
    """Sign-ins per principal and day (:func:`workbench.analyses.signins.daily_counts`).

    Every cell with a sign-in is coloured and carries its count, so a single sign-in shows
    as plainly as forty (the scale is logarithmic); with ``failed`` (the same table of failed
    sign-ins, :func:`workbench.analyses.signins.daily_counts` with ``outcome="Failure"``)
    failures are marked apart, in red, with their count.
    """
    title = "Console sign-ins per principal and day" + (" (red: failed)" if failed is not None else "")
    if daily.empty:
        return empty(title, "No console sign-in in the window.")
    counts = daily.to_numpy().astype(int)
    shade = np.where(counts > 0, np.log10(np.maximum(counts, 1)) + 1, np.nan)  # 1 sign-in: visible, not white
    text = np.where(counts > 0, counts.astype(str), "")
    fig = go.Figure(go.Heatmap(
        z=shade, x=list(daily.columns), y=list(daily.index), customdata=counts, text=text, texttemplate="%{text}",
        colorscale=[[0, "#c6dbef"], [1, "#08306b"]], zmin=1, zmax=max(2.0, float(np.nanmax(shade))),
        hovertemplate="%{y}<br>%{x}: %{customdata} sign-ins<extra></extra>", showscale=False, xgap=1, ygap=1))
    if failed is not None and not failed.empty:
        fails = failed.reindex(index=daily.index, columns=daily.columns, fill_value=0).to_numpy().astype(int)
        ys, xs = np.nonzero(fails)
        fig.add_trace(go.Scatter(
            x=[daily.columns[i] for i in xs], y=[daily.index[j] for j in ys], mode="markers+text",
            marker={"symbol": "x-thin", "size": 14, "line": {"width": 2, "color": BAD}},
            text=[f"{fails[j, i]} failed" for j, i in zip(ys, xs)], textposition="middle right",
            textfont={"color": BAD, "size": 10}, name="failed", hoverinfo="text"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return finish(fig, title, height=max(320, 22 * len(daily) + 120), showlegend=False)


def outcomes_over_time(buckets: pd.DataFrame) -> go.Figure:
    """Successful and failed sign-ins over time (:func:`workbench.analyses.signins.outcomes_over_time`)."""
    title = "Console sign-ins over time, by outcome"
    if buckets.empty:
        return empty(title, "No console sign-in in the window.")
    fig = px.bar(buckets, x="time", y="sign_ins", color="outcome", color_discrete_map=OUTCOME_COLOURS,
                 labels={"time": "", "sign_ins": "sign-ins"})
    return finish(fig, title, height=360, bargap=0.1)


def mfa_share(shares: pd.DataFrame) -> go.Figure:
    """Share of successful sign-ins made with MFA, per principal (:func:`workbench.analyses.signins.mfa_share`):
    all with MFA is green, none red, some amber; federated sessions grey (their MFA happens at
    the identity provider, which CloudTrail does not see)."""
    title = "Successful sign-ins with MFA, per principal"
    if shares.empty:
        return empty(title, "No successful console sign-in in the window.")
    levels = {"all with MFA": GOOD, "some with MFA": MIXED, "none with MFA": BAD,
              "at the identity provider": NEUTRAL}
    federated = shares.kind.astype(str).str.startswith("federated")
    rows = shares.assign(mfa=shares.share.map(lambda v: "all with MFA" if v >= 1 else
                                              "none with MFA" if v <= 0 else "some with MFA")
                         .where(~federated, "at the identity provider"))
    fig = px.bar(rows, x="share", y="who", color="mfa", orientation="h", hover_data=["kind", "sign_ins", "with_mfa"],
                 labels={"share": "share with MFA", "who": "", "mfa": ""}, range_x=[0, 1.08], text="share",
                 color_discrete_map=levels, category_orders={"mfa": list(levels)})
    fig.update_traces(texttemplate="%{x:.0%}", textposition="outside", cliponaxis=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(shares.who)[::-1])
    fig.update_xaxes(tickformat=".0%")
    return finish(fig, title, height=max(320, 18 * len(shares) + 120))


def principal_kinds(kinds: pd.DataFrame) -> go.Figure:
    """Sign-ins by kind of principal and outcome (:func:`workbench.analyses.signins.by_kind`)."""
    title = "Federated vs IAM users vs root: console sign-ins"
    if kinds.empty:
        return empty(title, "No console sign-in in the window.")
    fig = px.bar(kinds, x="sign_ins", y="kind", color="outcome", orientation="h", color_discrete_map=OUTCOME_COLOURS,
                 hover_data=["principals"], labels={"sign_ins": "sign-ins", "kind": ""})
    return finish(fig, title, height=320)


def countries(per_country: pd.DataFrame) -> go.Figure:
    """Sign-ins per country of the source address, by outcome (:func:`workbench.analyses.signins.by_country`)."""
    title = "Console sign-ins per country of the source address"
    if per_country.empty:
        return empty(title, "No console sign-in in the window.")
    outcomes = sorted(per_country.outcome.unique(), key=lambda o: (o != "Success", o != "Failure", o))
    fig = px.bar(per_country, y="country", x="sign_ins", color="outcome", orientation="h",
                 color_discrete_map=OUTCOME_COLOURS, hover_data=["principals", "networks"],
                 category_orders={"outcome": outcomes},
                 labels={"country": "", "sign_ins": "sign-ins"})
    fig.update_yaxes(autorange="reversed", type="category")
    return finish(fig, title, height=max(300, 26 * per_country.country.nunique() + 140))
