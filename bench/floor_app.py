"""The framework's floor: the smallest Streamlit app with the same chart and control.

A "Components" slider and a plotly chart of 400 points with three outlines per
component, and no model at all. The browser benchmarks time it next to the real app:
whatever the real page costs beyond this is ours, the rest is Streamlit and plotly.
Run by bench/browser.py as ``streamlit run bench/floor_app.py``; never imported.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
k = st.sidebar.slider("Components", 1, 30, 4, key="k")
rng = np.random.default_rng(0)
X = rng.normal(size=(400, 2)).astype(np.float32)
t = np.linspace(0, 2 * np.pi, 73)
fig = go.Figure()
for j in range(k):
    for sigma in (1, 2, 3):
        fig.add_trace(
            go.Scatter(
                x=np.cos(t) * sigma + j,
                y=np.sin(t) * sigma,
                mode="lines",
                fill="toself",
                opacity=0.2,
                showlegend=False,
            )
        )
fig.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", name="data"))
fig.update_layout(title=f"{k} components", height=480, template="plotly_white")
fig.update_yaxes(scaleanchor="x", scaleratio=1)
st.plotly_chart(fig, key="chart")
