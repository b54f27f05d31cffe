"""Charts of a fitted mixture over the current data, drawn the way the data allows.

One column of data has no plane to draw in, so it becomes a histogram under the fitted
density; two or more columns become points and ellipses in the chosen drawing plane.
Every page that shows a fit over its data makes that choice here.
"""

import numpy as np

from gmm_core.data import Dataset
from gmm_core.figures import clusters_figure, histogram_mixture_figure
from gmm_core.models import GMMResult

from .state import project


def density_histogram(points: np.ndarray, dataset: Dataset, result: GMMResult, title: str):
    """One-column ``points`` (the data, or samples drawn from the fit) as a histogram
    under the fitted mixture's density and its components."""
    return histogram_mixture_figure(
        points[:, 0],
        result.means[:, 0],
        result.covariances[:, 0, 0],
        result.weights,
        title=title,
        axis_name=dataset.feature_names[0],
    )


def fitted_mixture_figure(
    dataset: Dataset,
    result: GMMResult,
    plane,
    title: str,
    *,
    sizes: np.ndarray | None = None,
    show_labels: bool = True,
):
    """The fit over the data: a histogram when ``plane`` is None (one column), else the
    points and the components' ellipses projected onto ``plane``.

    ``plane`` is what :func:`ui.state.plane_control` returned. ``sizes`` sets the points'
    marker sizes and ``show_labels=False`` draws them uncoloured; both concern points in
    a plane, so a histogram ignores them.
    """
    if plane is None:
        return density_histogram(dataset.X, dataset, result, title)
    X2, means2, covs2 = project(dataset, plane, result.means, result.covariances)
    return clusters_figure(
        X2,
        result.labels if show_labels else None,
        sizes=sizes,
        means2=means2,
        covariances2=covs2,
        weights=result.weights,
        title=title,
        axis_names=plane[2],
    )
