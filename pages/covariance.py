"""Covariance types: full, tied, diag and spherical side by side, with their costs."""

import math

import pandas as pd
import streamlit as st

from gmm_core.models import COVARIANCE_TYPES, ModelSpec
from ui import boot, charts, controls, state

boot.through_app()

st.title("Covariance types")
st.write(
    "`covariance_type` decides how much freedom each component's shape gets. More freedom "
    "fits the data more closely, but costs parameters, and every parameter has to be "
    "estimated from the same points. Here the four types are fitted to the same data with "
    "the same number of components and seed, so you can see what each buys and what it costs."
)
for cov_type, allows in COVARIANCE_TYPES.items():
    st.markdown(f"- **{cov_type}**: {allows}.")

dataset, data_key = state.current_dataset_with_caption()


with st.sidebar:
    k = controls.components_slider(state.max_components(dataset, 30), 4)
    settings = controls.fit_settings()

results = {}
progress = st.progress(0.0, text="Fitting the four mixtures…")
for i, cov_type in enumerate(COVARIANCE_TYPES):
    spec = ModelSpec(n_components=int(k), covariance_type=cov_type, **settings)
    results[cov_type] = controls.fit_or_stop(data_key, dataset.X, spec)
    progress.progress((i + 1) / len(COVARIANCE_TYPES), text=f"Fitted {cov_type}")
progress.empty()

best = min(results, key=lambda t: results[t].bic)
plane = state.plane_control(dataset)
if dataset.n_features > 2:
    st.caption(
        "The components are fitted in all the data's dimensions and drawn as their shadows "
        "on this plane, so diag ellipses look axis-aligned only when drawing two columns."
    )

types = list(COVARIANCE_TYPES)
for row in range(2):
    columns = st.columns(2)
    for column, cov_type in zip(columns, types[2 * row : 2 * row + 2], strict=True):
        result = results[cov_type]
        title = f"{cov_type}: {result.n_parameters} free parameters, BIC {result.bic:,.1f}" + (
            " (lowest)" if cov_type == best else ""
        )
        fig = charts.fitted_mixture_figure(dataset, result, plane, title)
        column.plotly_chart(fig, key=f"cov_{cov_type}_chart")
        if not result.converged:
            column.caption(
                f"{cov_type} did not converge in {result.n_iter} iterations: raise max "
                "iterations or tol under *Fit settings*."
            )

st.subheader("What each type costs and gains")
n, d = dataset.X.shape
table = pd.DataFrame(
    {
        "covariance type": types,
        "free parameters": [results[t].n_parameters for t in types],
        "log-likelihood": [results[t].log_likelihood for t in types],
        "AIC": [results[t].aic for t in types],
        "BIC": [results[t].bic for t in types],
        "converged": [results[t].converged for t in types],
    }
)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "log-likelihood": st.column_config.NumberColumn(format="%.1f"),
        "AIC": st.column_config.NumberColumn(format="%.1f"),
        "BIC": st.column_config.NumberColumn(format="%.1f"),
    },
)
st.write(
    f"With {k} components in {d} dimension(s), every type spends {k * d} parameters on the "
    f"means and {k - 1} on the weights; the rest are covariance entries. The log-likelihood "
    "(higher fits closer) nearly always grows with freedom. AIC and BIC (lower is better) "
    "subtract a charge for every parameter: AIC charges 2, BIC charges the log of the "
    f"number of points (here ln {n:,} = {math.log(n):.2f}), so BIC prefers simpler shapes."
)
st.markdown(f"Lowest BIC here: **{best}**.")
state.share_link(("k", "seed", "n_init", "init", "max_iter", "tol", "reg", "view"))
