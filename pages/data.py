"""Data: choose the points every other page models."""

import numpy as np
import pandas as pd
import streamlit as st

from gmm_core import limits
from gmm_core.data import DataSpec
from gmm_core.errors import GMMInputError
from gmm_core.figures import clusters_figure
from gmm_core.io import read_table, standardise
from ui import boot, state
from ui.compute import content_key
from ui.text import md_escape, show_error, show_notes

boot.through_app()

st.title("Data")
st.write(
    "Every page models the data chosen here. The built-in sets are the chapter's; their "
    "true labels are kept, so pages can score how well a model recovers them."
)

K = state.DATA_KEYS
source_key = K["source"]


def _reset_to_chapter_defaults() -> None:
    """A new source starts from the chapter's parameters for it (moons: 200 points)."""
    chosen = state.current_source()
    if chosen == state.UPLOAD:
        return
    chapter = DataSpec.chapter(chosen)
    for field, key in K.items():
        if field != "source":
            st.session_state[key] = getattr(chapter, field)


spec = state.data_spec()
st.radio(
    "Data source",
    list(state.SOURCE_OPTIONS),
    key=source_key,
    horizontal=True,
    on_change=_reset_to_chapter_defaults,
    **state.BOUND,
)
source = state.current_source()

if source != state.UPLOAD:
    lo, hi = state.BOUNDS["n_samples"]
    columns = st.columns(4)
    columns[0].slider(
        "Samples",
        lo,
        hi,
        step=10,
        key=K["n_samples"],
        **state.default_value(K["n_samples"], value=spec.n_samples),
        **state.BOUND,
    )
    if source == "moons":
        columns[1].slider(
            "Noise",
            *state.BOUNDS["noise"],
            step=0.01,
            key=K["noise"],
            **state.default_value(K["noise"], value=spec.noise),
            **state.BOUND,
        )
    else:
        columns[1].slider(
            "Centres",
            *state.BOUNDS["centers"],
            key=K["centers"],
            **state.default_value(K["centers"], value=spec.centers),
            **state.BOUND,
        )
        columns[2].slider(
            "Spread (std)",
            *state.BOUNDS["std"],
            step=0.05,
            key=K["std"],
            **state.default_value(K["std"], value=spec.std),
            **state.BOUND,
        )
    columns[3].number_input(
        "Seed",
        *state.BOUNDS["seed"],
        step=1,
        key=K["seed"],
        **state.default_value(K["seed"], value=spec.seed),
        **state.BOUND,
    )
    if source == "stretched":
        st.caption(
            "Stretched blobs are the same blobs multiplied by a fixed random 2x2 "
            "matrix (seed 13, as in the chapter): clusters become long, tilted ellipses."
        )
else:
    st.subheader("Your file")
    st.caption(
        f"CSV or TSV, up to {limits.MAX_UPLOAD_MB} MB. The file stays in your session: other "
        "visitors never see it, and it is gone when you close the tab."
    )
    uploaded = st.file_uploader(
        "Upload a CSV or TSV file", type=["csv", "tsv", "txt"], key="upload_file"
    )
    if uploaded is not None:
        options = st.columns(2)
        header_choice = options[0].radio(
            "Header row",
            ["detect", "yes", "no"],
            horizontal=True,
            key="upload_header",
            help="Whether the first row holds column names.",
        )
        skip_bad = options[1].checkbox(
            "Skip malformed lines",
            key="upload_skip_bad",
            help="Drop lines with the wrong number of fields.",
        )
        header = {"detect": None, "yes": True, "no": False}[header_choice]
        try:
            table = read_table(
                uploaded.getvalue(), uploaded.name, header=header, skip_bad_lines=skip_bad
            )
        except GMMInputError as error:
            show_error(error)
            st.session_state.pop("upload_dataset", None)
            st.stop()
        if table.header_guessed:
            st.warning(
                "It is not clear whether the first row is a header. We guessed "
                f"{'yes' if table.has_header else 'no'}; set *Header row* if wrong."
            )
        st.caption(
            f"Read as {table.encoding}, separator {table.separator!r}, decimal "
            f"{table.decimal!r}: {table.frame.shape[0]:,} rows x {table.frame.shape[1]} "
            "numeric columns."
        )
        show_notes(table.notes)
        if table.left_out:
            st.write("Columns left out:")
            st.dataframe(
                pd.DataFrame(
                    [(c.name, c.reason) for c in table.left_out], columns=["column", "why"]
                ),
                hide_index=True,
            )
        names = list(table.frame.columns)
        if not set(st.session_state.get("upload_columns", [])) <= set(names):
            st.session_state.pop("upload_columns")  # chosen from another file's columns
        chosen = st.multiselect(
            "Columns to model",
            names,
            default=names[: limits.MAX_COLUMNS],
            key="upload_columns",
            max_selections=limits.MAX_COLUMNS,
        )
        scale = st.checkbox(
            "Standardise columns (zero mean, unit variance)",
            key="upload_standardise",
            help="Recommended when columns have different units.",
        )
        if not chosen:
            show_error("Choose at least one column to model.")
            st.session_state.pop("upload_dataset", None)
            st.stop()
        X = table.frame[chosen].to_numpy(dtype=float)
        if scale:
            X = standardise(X)
        key = "upload:" + content_key(table.content_key, header, skip_bad, chosen, scale)
        state.store_upload(X, tuple(chosen), f"{uploaded.name} ({', '.join(chosen)})", key)
        st.subheader("Preview")
        st.caption(f"{X.shape[0]:,} rows x {X.shape[1]} columns (first 100 rows shown)")
        st.dataframe(pd.DataFrame(X[:100], columns=chosen), height=240)
    elif "upload_dataset" in st.session_state:
        st.info("Using the file loaded earlier in this session; upload another to replace it.")
    else:
        st.info("Upload a file to use your own data.")
        st.stop()

dataset, _ = state.current_dataset()
st.subheader(dataset.name if source != state.UPLOAD else "Your data")
state.dataset_notes(dataset)
if dataset.n_features == 1:
    st.caption("One column: pages show it as a histogram with the fitted 1-D mixture.")
else:
    plane = state.plane_control(dataset)
    X2 = state.project(dataset, plane)
    labels = dataset.y_true
    fig = clusters_figure(
        X2,
        labels,
        title=f"{dataset.n_samples:,} points"
        + (", coloured by true cluster" if labels is not None else ""),
        axis_names=plane[2],
    )
    st.plotly_chart(fig, key="data_chart")
st.caption(
    f"{dataset.n_samples:,} points in {dataset.n_features} dimension(s): "
    + md_escape(", ".join(dataset.feature_names))
)
if dataset.y_true is not None:
    counts = np.bincount(dataset.y_true)
    st.caption("True cluster sizes: " + ", ".join(str(c) for c in counts))
state.share_link()
