"""Bayesian mixture: a variational Dirichlet-process mixture switches off components."""

import numpy as np
import pandas as pd
import streamlit as st

from gmm_core.errors import GMMInputError
from gmm_core.figures import ACTIVE_WEIGHT, criteria_figure, weights_figure
from gmm_core.models import ModelSpec
from ui import boot, charts, compute, controls, state
from ui.text import converged_badge, show_error

boot.through_app()

KEYS = ("bay_k", "cov", "bay_prior", "seed", "bay_scan", "view")
#: Log-spaced prior values; str() of each is what a link carries (no format_func, which
#: would put a different text in the URL than share_link writes).
PRIORS = [0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000]
#: A component counts as switched on from this weight up (as the weights chart greys).

st.title("Bayesian mixture")
st.write(
    "Instead of choosing the number of components with a criterion, give the model more "
    "components than it needs and let it decide: scikit-learn's `BayesianGaussianMixture` "
    "with a Dirichlet-process prior fits the weights too, and components the data do not "
    "need end with a weight near zero. Their ellipses fade out."
)

dataset, data_key = state.current_dataset_with_caption()


def _fmt(prior: float) -> str:
    return f"{prior:g}"


with st.sidebar:
    upper = state.max_components(dataset, 20)
    bay_k = controls.components_slider(upper, 10, key="bay_k", label="Upper bound on components")
    cov = controls.covariance_select()
    prior = st.select_slider(
        "Weight concentration prior",
        PRIORS,
        value=0.01,
        key="bay_prior",
        help="Log scale. Small values expect few components, large values many.",
        **state.BOUND,
    )
    with st.expander("Fit settings"):
        seed = controls.seed_input()

st.write(
    "**The prior.** The weight concentration is the Dirichlet process's appetite for "
    "components: before any data, small values expect the weight to sit on a few of them "
    "and large values expect it spread over many. It is only a prior: with plenty of "
    "well-separated points the data decide and the count may not move at all (only the "
    "spare components' tiny weights do); turn on the scan below to see what it does here."
)

spec = ModelSpec(n_components=int(bay_k), covariance_type=cov, seed=seed)
try:
    result = compute.bayesian_gmm(data_key, dataset.X, spec, float(prior))
except GMMInputError as error:
    show_error(error)
    state.share_link(KEYS)
    st.stop()
active = int(np.sum(result.weights >= ACTIVE_WEIGHT))

report, clear = compute.progress_reporter("BIC sweep over ordinary mixtures")
try:
    sweep = compute.sweep(
        data_key, dataset.X, tuple(range(1, int(bay_k) + 1)), (cov,), 0, report, seed=seed
    )
except GMMInputError as error:
    clear()
    show_error(error)
    state.share_link(KEYS)
    st.stop()
clear()
bic_table = sweep.table[sweep.table.covariance_type == cov]
bic_best = sweep.minima[cov]["bic"]

metrics = st.columns(3)
metrics[0].metric(f"Active components (weight ≥ {ACTIVE_WEIGHT:.0%})", f"{active} of {bay_k}")
metrics[1].metric("BIC's choice (ordinary mixture)", bic_best)
metrics[2].metric("Weight concentration prior", _fmt(prior))
converged_badge(result.converged, result.n_iter)

left, right = st.columns([3, 2])
with left:
    title = f"Variational mixture: {active} of {bay_k} components active, prior {_fmt(prior)}"
    fig = charts.fitted_mixture_figure(dataset, result, state.plane_control(dataset), title)
    st.plotly_chart(fig, key="bay_clusters")
with right:
    st.plotly_chart(
        weights_figure(result.weights, title=f"Weights of the {bay_k} components"),
        key="bay_weights",
    )
    st.caption(
        f"Grey bars: components under {ACTIVE_WEIGHT:.0%} of the weight, switched off in "
        "effect. Their ellipses are drawn almost transparent."
    )

st.subheader("Compared with BIC")
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(
        criteria_figure(
            bic_table,
            criteria=("bic",),
            title=f"BIC of ordinary mixtures with 1 to {bay_k} components ({cov})",
        ),
        key="bay_bic",
    )
with right:
    verdict = (
        "They agree."
        if active == bic_best
        else "They disagree: BIC charges every parameter, the prior only nudges the weights."
    )
    st.markdown(
        f"On the same data the variational mixture keeps **{active}** of its {bay_k} "
        f"components, and BIC over ordinary mixtures with 1 to {bay_k} components picks "
        f"**{bic_best}**. {verdict}"
    )
    st.caption(
        "BIC needs one fit per candidate count; the variational mixture needs one fit in "
        "all, but its answer also depends on the prior and the upper bound. Both use the "
        "same seed."
    )

scan = st.toggle("Scan every prior value", value=False, key="bay_scan", **state.BOUND)
if scan:
    rows = []  # one per prior value
    bar = st.progress(0.0, text="Fitting one variational mixture per prior value")
    try:
        for i, value in enumerate(PRIORS, start=1):
            fit = compute.bayesian_gmm(data_key, dataset.X, spec, float(value))
            spare = fit.weights[fit.weights < ACTIVE_WEIGHT]
            rows.append(
                {
                    "prior": _fmt(value),
                    "active components": int(np.sum(fit.weights >= ACTIVE_WEIGHT)),
                    "weight on the spare components": float(spare.sum()),
                    "converged": fit.converged,
                }
            )
            bar.progress(i / len(PRIORS), text=f"Prior {_fmt(value)}: {i}/{len(PRIORS)} fits")
    except GMMInputError as error:
        bar.empty()
        show_error(error)
        state.share_link(KEYS)
        st.stop()
    bar.empty()
    st.dataframe(
        pd.DataFrame(rows).style.format({"weight on the spare components": "{:.4f}"}),
        hide_index=True,
    )

state.share_link(KEYS)
