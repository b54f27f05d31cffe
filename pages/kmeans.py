"""k-means and its limits: the chapter's circles on round and on stretched blobs."""

import streamlit as st

from gmm_core.compare import kmeans_limits_figure, mismatched, points_in_several_circles, to_plane
from gmm_core.data import DataSpec
from gmm_core.errors import GMMInputError
from gmm_core.figures import plain
from gmm_core.geometry import drawing_plane
from ui import boot, compute, controls, state
from ui.text import md_escape, show_error

boot.through_app()

st.title("k-means and its limits")
st.write(
    "k-means gives every point to its nearest centre, with distance measured the same way "
    "in every direction. So each cluster can be pictured as a circle round its centre, "
    "reaching out to its farthest member: nothing outside that circle belongs to it. "
    "On round, well-separated blobs the circles fit. Stretch the same blobs and they stop "
    "fitting: the grey circles overlap, and the labels inside the overlaps go wrong."
)
st.caption(
    "Open black rings mark points whose k-means label differs from the true cluster, after "
    "renumbering the clusters to agree as well as possible (cluster numbers are arbitrary). "
    "Small squares mark points inside more than one circle."
)

with st.sidebar:
    km_k = st.slider("Clusters (k)", 1, 10, 4, key="km_k", **state.BOUND)
    seed = controls.seed_input()


def fit(data_key: str, X, k: int):
    try:
        return compute.kmeans(data_key, X, int(k), seed)
    except GMMInputError as error:
        show_error(error)
        st.stop()


def findings(dataset, result):
    """Overlap and mislabel masks (the latter None when the truth is unknown)."""
    overlap = points_in_several_circles(dataset.X, result.centers, result.radii)
    wrong = None if dataset.y_true is None else mismatched(dataset.y_true, result.labels)
    return overlap, wrong


def summary(label: str, dataset, overlap, wrong) -> str:
    text = (
        f"**{label}**: {int(overlap.sum())} of {dataset.n_samples:,} points lie inside "
        "more than one circle"
    )
    if wrong is None:
        return text + "; the data has no true labels to compare with."
    return text + f"; **{int(wrong.sum())}** get a different label from their true cluster."


def panel(column, label: str, dataset, data_key: str, k: int, chart_key: str, plane):
    result = fit(data_key, dataset.X, k)
    overlap, wrong = findings(dataset, result)
    fig = kmeans_limits_figure(
        to_plane(dataset.X, plane),
        result.labels,
        to_plane(result.centers, plane),
        result.radii,
        overlap=overlap,
        wrong=wrong,
        title=f"{plain(label)}: k-means with {k} clusters",
        axis_names=plane[2],
    )
    column.plotly_chart(fig, key=chart_key)
    column.markdown(summary(md_escape(label), dataset, overlap, wrong))
    return overlap, wrong


st.subheader("The chapter's blobs, round and stretched")
chapter = {
    "blobs": "Round blobs",
    "stretched": "Stretched blobs",
}
chapter_keys = set()
columns = st.columns(2)
for column, (source, label) in zip(columns, chapter.items(), strict=True):
    spec = DataSpec.chapter(source)
    chapter_keys.add(repr(spec))
    data = compute.synthetic(spec)
    plane = drawing_plane(data.X, data.feature_names, None)
    panel(column, label, data, repr(spec), km_k, f"km_{source}_chart", plane)
st.caption(
    "Both panels use the chapter's settings (400 points, 4 centres, spread 0.6, seed 0); "
    "the stretched ones are the same points times a fixed 2x2 matrix."
)

st.subheader("Why the circles fail on stretched data")
st.write(
    "Between two centres, k-means draws its border as the straight line halfway between "
    "them. A stretched cluster is a long, tilted ellipse, so the tip of one ellipse can be "
    "nearer to a neighbouring centre than to its own: k-means cuts the ellipse across and "
    "hands its tip to the neighbour. And because every circle must reach its farthest "
    "member, the circles of long clusters grow large and overlap. Rescaling the axes does "
    "not help when each cluster is stretched in its own direction. A Gaussian mixture "
    "replaces each circle with an ellipse of its own shape: see the *Gaussian mixture* page."
)
st.write(
    "With k different from the true number of clusters (4), some points are mislabelled "
    "whatever k-means does: it is asked for a different number of groups."
)

dataset, data_key = state.current_dataset()
if data_key not in chapter_keys:
    st.subheader("Your data from the Data page")
    state.dataset_notes(dataset)
    k = min(km_k, state.max_components(dataset, 10))
    if k < km_k:
        st.caption(f"Using {k} clusters: the data has only {dataset.n_samples} points.")
    if dataset.n_features == 1:
        result = fit(data_key, dataset.X, k)
        overlap, wrong = findings(dataset, result)
        st.caption("One column: the circles are intervals here, so there is no picture.")
        st.markdown(summary(md_escape(dataset.name), dataset, overlap, wrong))
    else:
        plane = state.plane_control(dataset)
        if dataset.n_features > 2:
            st.caption(
                "Circles are measured in all the data's dimensions; drawn on a plane, each "
                "still contains its members' shadows but may look too big."
            )
        panel(st, dataset.name, dataset, data_key, k, "km_data_chart", plane)
else:
    st.caption(
        "The Data page is set to one of these two sets. Choose other data there (moons, "
        "your own file, other settings) to see k-means on it here as well."
    )

state.share_link(("km_k", "seed", "view"))
