"""How many components? AIC, BIC and held-out likelihood against the component count."""

import math

import sklearn
import streamlit as st

from gmm_core.data import DataSpec
from gmm_core.errors import GMMInputError
from gmm_core.figures import criteria_figure, criteria_grid_figure
from gmm_core.lessons import criteria_pivot, heldout_figure
from gmm_core.models import COVARIANCE_TYPES
from gmm_core.selection import CRITERIA
from ui import boot, compute, state
from ui.text import md_escape, show_error, show_notes

boot.through_app()

ALL = "all four"
MAX_COUNT = 40
CV_FOLDS = 3
PAGE_KEYS = ("sel_range", "sel_step", "sel_cov", "sel_crit", "sel_cv")
CHAPTER_MOONS = DataSpec.chapter("moons")


def _on_chapter_moons() -> bool:
    return state.current_source() == "moons" and state.data_spec() == CHAPTER_MOONS


st.title("How many components?")
st.write(
    "A mixture with more components always fits the points it was trained on better, so "
    "the likelihood alone cannot choose the number. AIC and BIC add a penalty for every "
    "free parameter: the best model is where the curve is **lowest**. Held-out "
    "log-likelihood instead scores each model on points it did not see: there, "
    "**higher** is better."
)

dataset, data_key = state.current_dataset()
top = st.columns([3, 1])
top[0].caption(f"Data: {md_escape(dataset.name)} ({dataset.n_samples:,} points)")
top[1].button(
    "Use the chapter's moons",
    key="sel_moons",
    on_click=state.use_chapter_data,
    disabled=_on_chapter_moons(),
    help="200 moon-shaped points, noise 0.05, seed 0: the data the chapter sweeps.",
)

with st.sidebar:
    low, high = st.slider("Component counts", 1, MAX_COUNT, (1, 20), key="sel_range", **state.BOUND)
    step = st.select_slider("Step", [1, 2, 5], 1, key="sel_step", **state.BOUND)
    cov = st.selectbox(
        "Covariance type",
        [*COVARIANCE_TYPES, ALL],
        key="sel_cov",
        **state.BOUND,
        help="'all four' draws one curve per type, like R's mclust BIC plot.",
    )
    criterion = "bic"
    if cov == ALL:
        criterion = st.radio(
            "Criterion",
            ["bic", "aic"],
            format_func=str.upper,
            horizontal=True,
            key="sel_crit",
            **state.BOUND,
        )
    cv = st.checkbox(
        f"Held-out log-likelihood ({CV_FOLDS}-fold)",
        key="sel_cv",
        **state.BOUND,
        help=f"Fits every model {CV_FOLDS} more times, each on two thirds of the points, "
        "and scores it on the third it did not see. Slower.",
    )

counts = tuple(range(low, high + 1, step))
cov_types = tuple(COVARIANCE_TYPES) if cov == ALL else (cov,)
report, clear = compute.progress_reporter("Fitting one mixture per component count")
try:
    result = compute.sweep(data_key, dataset.X, counts, cov_types, CV_FOLDS if cv else 0, report)
except GMMInputError as error:
    clear()
    show_error(error)
    st.stop()
clear()
if cv and result.table["cv_loglik"].isna().all():
    show_notes(
        [
            f"No held-out score: with {CV_FOLDS} folds each training part has too few points "
            "for these component counts. Lower the range or add data."
        ]
    )
    cv = False

if result.skipped:
    skipped = ", ".join(str(c) for c in result.skipped)
    show_notes(
        [
            f"Skipped {len(result.skipped)} component count(s) ({skipped}): the data has "
            f"{dataset.n_samples} points and every component needs at least one."
        ]
    )
fitted = result.table["n_components"].unique()
not_converged = result.table[~result.table["converged"]]
if len(not_converged):
    show_notes(
        [
            f"{len(not_converged)} fit(s) did not converge within 100 EM iterations "
            "(their scores are shown anyway; treat them with care): "
            + ", ".join(f"{r.covariance_type} {r.n_components}" for r in not_converged.itertuples())
        ]
    )


def _edge_warning(best: int, name: str) -> str:
    """A reminder when the best count sits at the end of the range: it may lie beyond."""
    if best == fitted.max() and fitted.max() < MAX_COUNT and not result.skipped:
        return f" {name}'s best is at the top of the range: widen it to see if it goes on falling."
    return ""


penalty = math.log(dataset.n_samples)
version = f"scikit-learn {sklearn.__version__}"
if cov != ALL:
    rows = result.table[result.table.covariance_type == cov]
    minima = result.minima[cov]
    fig = criteria_figure(
        rows,
        ("bic", "aic"),
        title=f"AIC and BIC, {cov} covariance ({len(rows)} models; stars mark the lowest)",
    )
    st.plotly_chart(fig, key="sel_chart")
    st.markdown(
        f"With **{cov}** covariance, **BIC is lowest at {minima['bic']} components, "
        f"AIC at {minima['aic']}** (computed just now with {version})."
        + _edge_warning(minima["bic"], "BIC")
        + _edge_warning(minima["aic"], "AIC")
    )
    st.caption(
        f"Why they differ: AIC charges 2 per free parameter, BIC charges ln(n) = "
        f"{penalty:.1f} for these {dataset.n_samples} points, so BIC "
        + (
            "prefers simpler models (fewer components)."
            if penalty > 2
            else "is the milder of the two on so few points."
        )
    )
    if _on_chapter_moons() and cov == "full":
        st.caption(
            'The chapter read "around 8-12 components" off its AIC curve for these moons '
            "and noted that BIC recommends a simpler model; the numbers above are what "
            "today's library computes."
        )
    if cv:
        st.plotly_chart(
            heldout_figure(
                rows, title=f"Held-out log-likelihood per point ({CV_FOLDS}-fold), {cov}"
            ),
            key="sel_cv_chart",
        )
        st.markdown(
            f"Held-out log-likelihood is **highest at {minima['cv_loglik']} components**: "
            "beyond that, extra components fit the training points, not new ones."
        )
else:
    name = criterion.upper()
    fig = criteria_grid_figure(
        result.table,
        criterion,
        title=f"{name} for every covariance type (stars mark each type's lowest)",
    )
    st.plotly_chart(fig, key="sel_chart")
    best = result.table.loc[result.table[criterion].idxmin()]
    best_type, best_k = best["covariance_type"], int(best["n_components"])
    st.markdown(
        f"{name} is lowest at "
        + ", ".join(f"**{result.minima[t][criterion]}** ({t})" for t in cov_types)
        + f". Overall best: **{best_type} covariance with {best_k} components** "
        f"(computed just now with {version})."
    )
    st.caption(
        "Simpler covariance types have fewer parameters per component, so they often "
        "need more components to reach the same fit."
    )
    pivot = criteria_pivot(result.table, criterion)
    st.dataframe(
        pivot.style.format("{:,.1f}").highlight_min(
            axis=None, props="font-weight: bold; background-color: #56B4E9; color: black"
        )
    )
    st.caption(f"{name} per component count (rows) and covariance type; the lowest is highlighted.")
    if cv:
        st.plotly_chart(
            criteria_grid_figure(
                result.table,
                "cv_loglik",
                title=f"Held-out log-likelihood per point ({CV_FOLDS}-fold), higher is better",
            ),
            key="sel_cv_chart",
        )
        st.markdown(
            "Held-out log-likelihood is highest at "
            + ", ".join(f"**{result.minima[t]['cv_loglik']}** ({t})" for t in cov_types)
            + "."
        )

st.info(
    "These scores measure how well the mixture describes the *density* of the points, "
    "not whether its components are real clusters. Two moons are two groups, yet the "
    "best density model strings many small Gaussians along each curve.",
    icon=":material/lightbulb:",
)
st.caption("Criteria: " + "; ".join(CRITERIA.values()) + ".")
state.share_link(PAGE_KEYS)
