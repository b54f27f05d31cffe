"""Gaussian mixture clustering: ellipses, uncertainty, probabilities, k-means vs GMM."""

import numpy as np
import pandas as pd
import streamlit as st
from sklearn.metrics import adjusted_rand_score

from gmm_core.exports import assignments_table, csv_bytes, parameters_json
from gmm_core.figures import clusters_figure
from gmm_core.uncertainty import membership_entropy, uncertainty_sizes
from ui import boot, charts, compute, controls, state
from ui.text import converged_badge

boot.through_app()

st.title("Gaussian mixture clustering")
st.write(
    "A mixture gives every point a probability of belonging to each component, and every "
    "component its own ellipse. Shaded ellipses mark 1, 2 and 3 standard deviations; paler "
    "ones carry less weight. Turn on uncertainty sizing: the small points are the ones the "
    "model is unsure about, and they sit where components overlap."
)

dataset, data_key = state.current_dataset()
with st.sidebar:
    spec = controls.model_spec(state.max_components(dataset, 30))
    sized = st.toggle("Size points by certainty", value=False, key="sizes", **state.BOUND)
result = controls.fit_or_stop(data_key, dataset.X, spec)

metrics = st.columns(4)
metrics[0].metric("Log-likelihood", f"{result.log_likelihood:,.1f}")
metrics[1].metric("AIC (lower is better)", f"{result.aic:,.1f}")
metrics[2].metric("BIC (lower is better)", f"{result.bic:,.1f}")
metrics[3].metric("Free parameters", result.n_parameters)
converged_badge(result.converged, result.n_iter)

selection = None
plane = state.plane_control(dataset)
if plane is None:
    title = f"{spec.n_components}-component mixture in one dimension"
    fig = charts.fitted_mixture_figure(dataset, result, plane, title)
    st.plotly_chart(fig, key="mixture_chart")
else:
    view = (data_key, spec, st.session_state.get("view"))
    title = f"{spec.n_components} components, {spec.covariance_type} covariance"
    fig = compute.figure(
        ("mixture", *view, sized),
        lambda: charts.fitted_mixture_figure(
            dataset,
            result,
            plane,
            title,
            sizes=uncertainty_sizes(result.probabilities) if sized else None,
        ),
    )
    st.caption("Drag a box or lasso over points to inspect their memberships.")
    selection = st.plotly_chart(
        fig, key="mixture_chart", on_select="rerun", selection_mode=("box", "lasso")
    )

rows = None
if selection is not None and selection.selection.points:
    rows = sorted(
        {
            int(p["customdata"])
            for p in selection.selection.points
            if p.get("customdata") is not None
        }
    )
probabilities = pd.DataFrame(
    result.probabilities.round(3),
    columns=[f"component {j}" for j in range(result.n_components)],
)
probabilities.insert(0, "uncertainty (bits)", membership_entropy(result.probabilities).round(3))
if rows:
    st.subheader(f"Selected points ({len(rows)})")
    chosen = probabilities.iloc[rows]
    st.caption(
        f"Mean entropy {chosen['uncertainty (bits)'].mean():.3f} bits "
        f"(0 = certain, {np.log2(result.n_components):.2f} = evenly split)."
    )
    st.dataframe(chosen, height=240)
else:
    st.subheader("Membership probabilities of the first rows")
    st.caption("Each row sums to 1; entropy 0 means the model is certain.")
    st.dataframe(probabilities.head(8))

st.subheader("k-means versus the mixture, same data")
kmeans = compute.kmeans(data_key, dataset.X, spec.n_components, spec.seed)
if dataset.y_true is not None:
    ari_k = adjusted_rand_score(dataset.y_true, kmeans.labels)
    ari_g = adjusted_rand_score(dataset.y_true, result.labels)
    st.write(
        f"Adjusted Rand index against the true labels (1 = perfect): "
        f"k-means **{ari_k:.3f}**, Gaussian mixture **{ari_g:.3f}**."
    )
if plane is not None:
    left, right = st.columns(2)
    left.plotly_chart(
        compute.figure(
            ("kmeans", *view),
            lambda: clusters_figure(
                state.project(dataset, plane), kmeans.labels, title="k-means", axis_names=plane[2]
            ),
        ),
        key="compare_kmeans",
    )
    # The mixture side is the main chart again (same cached figure, nothing rebuilt).
    right.plotly_chart(fig, key="compare_gmm")

st.subheader("Downloads")
downloads = st.columns(2)
downloads[0].download_button(
    "Labels and probabilities (CSV)",
    # Built only when clicked: for a large upload the table is big.
    lambda: csv_bytes(assignments_table(dataset.X, dataset.feature_names, result)),
    file_name="gmm_assignments.csv",
    mime="text/csv",
    on_click="ignore",
)
downloads[1].download_button(
    "Fitted parameters (JSON)",
    parameters_json(result, dataset.feature_names),
    file_name="gmm_parameters.json",
    mime="application/json",
    on_click="ignore",
)
state.share_link((*controls.MODEL_KEYS, "sizes", "view"))
