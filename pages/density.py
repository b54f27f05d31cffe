"""Density and new samples: a mixture of many components as a model of where data lies."""

import pandas as pd
import streamlit as st

from gmm_core.compare import samples_figure, to_plane
from gmm_core.errors import GMMInputError
from gmm_core.exports import csv_bytes
from gmm_core.figures import density_figure, drawing_subset
from gmm_core.models import ModelSpec
from gmm_core.sampling import sample_mixture
from ui import boot, charts, controls, state
from ui.text import converged_badge, md_escape, show_error

boot.through_app()

st.title("Density and new samples")
st.write(
    "A mixture need not find clusters. With many components and the labels ignored, the "
    "components together describe *where the data is dense*: a smooth density you can "
    "evaluate anywhere, and draw brand-new points from. The chapter shows this on the two "
    "moons, which are not Gaussian at all, with 16 full-covariance components."
)


if state.current_source() != "moons":
    st.button(
        "Use the chapter's moons",
        on_click=state.use_chapter_data,
        key="dens_moons",
        icon=":material/dark_mode:",
        help="Sets the Data page to make_moons(200, noise=0.05, random_state=0) for every page.",
    )

dataset, data_key = state.current_dataset_with_caption()


with st.sidebar:
    k = controls.components_slider(state.max_components(dataset, 40), 16, key="dens_k")
    cov = controls.covariance_select(key="dens_cov", default="full")
    settings = controls.fit_settings()
    show_ellipses = st.toggle(
        "Show the components (labels hidden)", value=False, key="dens_ell", **state.BOUND
    )

spec = ModelSpec(n_components=int(k), covariance_type=cov, **settings)
result = controls.fit_or_stop(data_key, dataset.X, spec)
st.caption(
    f"{k} {cov} components, {result.n_parameters} free parameters, "
    f"log-likelihood {result.log_likelihood:,.1f}."
)
converged_badge(result.converged, result.n_iter)

st.subheader("New samples from the model")
options = st.columns(3)
n_new = options[0].number_input("New points", 1, 20_000, 400, key="dens_n", **state.BOUND)
sample_seed = options[1].number_input(
    "Sampling seed", 0, 10_000, 42, key="dens_seed", **state.BOUND
)
show = "side by side"  # one column: a histogram of the data beside one of the samples
if dataset.n_features > 1:
    show = options[2].radio(
        "Show them",
        ["over the density", "side by side"],
        key="dens_show",
        horizontal=True,
        **state.BOUND,
    )
try:
    samples, _ = sample_mixture(
        result.means, result.covariances, result.weights, int(n_new), int(sample_seed)
    )
except GMMInputError as error:
    show_error(error)
    st.stop()

plane = state.plane_control(dataset)
if plane is None:
    data_fig = charts.density_histogram(
        dataset.X, dataset, result, "The data and the fitted density"
    )
    samples_fig = charts.density_histogram(
        samples, dataset, result, f"{len(samples):,} new samples and the same density"
    )
    left, right = st.columns(2)
    left.plotly_chart(data_fig, key="dens_chart")
    right.plotly_chart(samples_fig, key="dens_samples_chart")
    if show_ellipses:
        st.caption("One column: the components are the thin curves under the density.")
else:
    X2, means2, covs2 = state.project(dataset, plane, result.means, result.covariances)
    samples2 = to_plane(samples, plane)
    drawn = drawing_subset(None, len(samples2))
    if len(drawn) < len(samples2):
        st.caption(
            f"Drawing {len(drawn):,} of the {len(samples2):,} new points; the download has all."
        )
    title = f"Log density of the {k}-component mixture"
    if dataset.n_features > 2:
        st.caption(
            "The model lives in all the data's dimensions; the chart shows its density on "
            "this plane (the projected mixture), and the new points' shadows on it."
        )
    if show == "over the density":
        fig = density_figure(
            X2,
            means2,
            covs2,
            result.weights,
            samples2=samples2[drawn],
            title=title,
            axis_names=plane[2],
        )
        st.plotly_chart(fig, key="dens_chart")
    else:
        left, right = st.columns(2)
        left.plotly_chart(
            density_figure(X2, means2, covs2, result.weights, title=title, axis_names=plane[2]),
            key="dens_chart",
        )
        right.plotly_chart(
            samples_figure(
                samples2[drawn],
                like=X2,
                title=f"{len(samples2):,} new points",
                axis_names=plane[2],
            ),
            key="dens_samples_chart",
        )
    if show_ellipses:
        st.plotly_chart(
            charts.fitted_mixture_figure(
                dataset,
                result,
                plane,
                f"The {k} components at 1, 2 and 3 sigma (labels hidden)",
                show_labels=False,
            ),
            key="dens_ellipses_chart",
        )

st.caption(
    "New points are drawn by our own sampler: each picks a component by its weight, then a "
    "Gaussian draw from it, with numpy's generator seeded by the sampling seed. "
    "scikit-learn's `sample(400, random_state=42)` uses another random stream, so these are "
    "not the book's points, though they follow the same kind of density."
)
st.download_button(
    f"Download the {len(samples):,} new points (CSV)",
    csv_bytes(pd.DataFrame(samples, columns=list(dataset.feature_names))),
    file_name="gmm_new_samples.csv",
    mime="text/csv",
    on_click="ignore",
    key="dens_download",
)
st.caption("Columns: " + md_escape(", ".join(dataset.feature_names)))
state.share_link(
    (
        "dens_k",
        "dens_cov",
        *controls.MODEL_KEYS[2:],
        "dens_ell",
        "dens_n",
        "dens_seed",
        "dens_show",
        "view",
    )
)
