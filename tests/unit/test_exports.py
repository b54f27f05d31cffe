"""Downloads: spreadsheets cannot be tricked into formulas; JSON rebuilds the model."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from gmm_core.data import DataSpec, make_dataset
from gmm_core.exports import assignments_table, csv_bytes, neutralise, parameters_json
from gmm_core.models import COVARIANCE_TYPES, ModelSpec, fit_gmm, log_density


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["height", "a-b", "x=1", ""])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def test_csv_neutralises_headers_and_text_but_not_numbers():
    frame = pd.DataFrame({"=HYPERLINK(1)": [-1.5, 2.0], "note": ["@evil", "fine"]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)))
    assert list(back.columns) == ["'=HYPERLINK(1)", "note"]
    assert back["note"].tolist() == ["'@evil", "fine"]
    # A negative number is a number, not a formula: it stays numeric.
    assert back["'=HYPERLINK(1)"].tolist() == [-1.5, 2.0]


def test_assignments_table_has_a_row_per_point_and_probabilities_summing_to_one():
    data = make_dataset(DataSpec())
    result = fit_gmm(data.X, ModelSpec())
    table = assignments_table(data.X, data.feature_names, result)
    assert len(table) == 400
    probabilities = table[[f"p(component {j})" for j in range(4)]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1)
    np.testing.assert_array_equal(table["label"], probabilities.argmax(axis=1))


@pytest.mark.parametrize("cov", list(COVARIANCE_TYPES))
def test_parameters_json_rebuilds_the_same_density(cov):
    data = make_dataset(DataSpec(source="stretched"))
    result = fit_gmm(data.X, ModelSpec(n_components=3, covariance_type=cov, seed=7))
    payload = json.loads(parameters_json(result, data.feature_names))
    assert payload["covariance_type"] == cov and payload["seed"] == 7
    assert payload["converged"] is True and payload["n_iter"] == result.n_iter
    assert set(payload["library_versions"]) == {"numpy", "scikit-learn", "pandas", "plotly"}
    rebuilt = log_density(
        data.X,
        np.array(payload["means"]),
        np.array(payload["covariances_full"]),
        np.array(payload["weights"]),
    )
    np.testing.assert_allclose(rebuilt.sum(), payload["log_likelihood"], rtol=1e-10)
