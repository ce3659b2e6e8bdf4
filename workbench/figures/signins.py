"""Figures of the console-logins notebook."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.figures.style import OUTCOME_COLOURS, empty, finish


def signin_heatmap(daily: pd.DataFrame) -> go.Figure:
    """Sign-ins per principal and day (:func:`workbench.analyses.signins.daily_counts`)."""
    title = "Console sign-ins per principal and day"
    if daily.empty:
        return empty(title, "No console sign-in in the window.")
    fig = go.Figure(go.Heatmap(z=daily.to_numpy(), x=list(daily.columns), y=list(daily.index),
                               colorscale="Blues", hovertemplate="%{y}<br>%{x}: %{z} sign-ins<extra></extra>",
                               colorbar={"title": "sign-ins"}))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return finish(fig, title, height=max(320, 18 * len(daily) + 120))


def outcomes_over_time(buckets: pd.DataFrame) -> go.Figure:
    """Successful and failed sign-ins over time (:func:`workbench.analyses.signins.outcomes_over_time`)."""
    title = "Console sign-ins over time, by outcome"
    if buckets.empty:
        return empty(title, "No console sign-in in the window.")
    fig = px.bar(buckets, x="time", y="sign_ins", color="outcome", color_discrete_map=OUTCOME_COLOURS,
                 labels={"time": "", "sign_ins": "sign-ins"})
    return finish(fig, title, height=360, bargap=0.1)


def mfa_share(shares: pd.DataFrame) -> go.Figure:
    """Share of successful sign-ins made with MFA, per principal (:func:`workbench.analyses.signins.mfa_share`)."""
    title = "Successful sign-ins with MFA, per principal"
    if shares.empty:
        return empty(title, "No successful console sign-in in the window.")
    fig = px.bar(shares, x="share", y="who", color="kind", orientation="h", hover_data=["sign_ins", "with_mfa"],
                 labels={"share": "share with MFA", "who": ""}, range_x=[0, 1.08], text="share")
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
