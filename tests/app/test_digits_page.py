"""The "Generating digits" page, through AppTest, and its PNG export.

The AIC sweep over 16 digit models takes seconds the first time; it is cached for the
whole process, so only the first test here pays for it.
"""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from gmm_core.digits import PAPER_COMPONENTS, SWEEP_COUNTS
from gmm_core.lessons import digits_grid_image, png_bytes
from tests.app.conftest import figures, no_errors, open_page, traces_of, values

PAGE = "pages/digits.py"


def page_text(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def digit_panels(fig: dict) -> list[dict]:
    return traces_of(fig, "digits")


def grid(trace: dict) -> np.ndarray:
    """A heatmap's z as a 2-D array (NaN between digits)."""
    z = trace["z"]
    if isinstance(z, dict) and isinstance(z.get("shape"), str):
        # plotly sends 2-D typed arrays with shape "rows, cols"; conftest.values expects
        # a list there, so decode here.
        flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        return flat.reshape([int(n) for n in z["shape"].split(",")]).astype(float)
    return np.asarray(values(z), dtype=float)


def new_digits(at) -> tuple[np.ndarray, np.ndarray]:
    """(generated grid, nearest-real grid) from the page's last digits figure."""
    new, nearest = digit_panels(figures(at)[-1])
    return grid(new), grid(nearest)


def aic_minimum(at) -> int:
    [star] = traces_of(figures(at)[1], "minimum")
    return star["meta"]["n_components"]


def test_default_view():
    at = open_page(PAGE)
    no_errors(at)
    real, aic, generated = figures(at)

    [first] = digit_panels(real)
    assert first["meta"]["count"] == 100
    assert np.nanmax(grid(first)) <= 16 and np.nanmin(grid(first)) >= 0

    dims = {m.label: m.value for m in at.metric}
    assert dims["Dimensions kept"] == "41"

    [curve] = traces_of(aic, "criterion")
    x, y = values(curve["x"]), values(curve["y"])
    assert x == list(SWEEP_COUNTS) and len(y) == 16
    [star] = traces_of(aic, "minimum")
    best = star["meta"]["n_components"]
    assert best == x[int(np.argmin(y))]
    text = page_text(at)
    assert f"puts the AIC minimum at **{best} components**" in text
    if best != PAPER_COMPONENTS:
        assert "the book found 110 with an older version" in text

    # dig_k defaults to the AIC minimum, and the fit says whether it converged.
    assert at.selectbox(key="dig_k").value == "auto"
    assert f"**{best} components**, full covariance, in 41 PCA dimensions" in text
    assert "converged" in text

    panels = digit_panels(generated)
    assert [p["name"] for p in panels] == ["new digits", "nearest real digit"]
    assert [p["meta"]["count"] for p in panels] == [100, 100]
    new, nearest = new_digits(at)
    assert not np.allclose(np.nan_to_num(new), np.nan_to_num(nearest))  # new, not copies
    assert "Mean distance from a new digit" in text
    assert at.get("download_button"), "the PNG download is offered"
    assert not at.get("progress")  # the sweep's bar is cleared when it is done


def test_resample_and_seed_change_the_new_digits():
    at = open_page(PAGE)
    before, nearest_before = new_digits(at)
    real_before = grid(digit_panels(figures(at)[0])[0])

    at.button(key="dig_resample").click().run()
    no_errors(at)
    assert at.session_state["dig_seed"] == 1
    after, nearest_after = new_digits(at)
    assert not np.allclose(np.nan_to_num(before), np.nan_to_num(after))
    assert not np.allclose(np.nan_to_num(nearest_before), np.nan_to_num(nearest_after))
    np.testing.assert_array_equal(real_before, grid(digit_panels(figures(at)[0])[0]))

    at.number_input(key="dig_seed").set_value(0).run()  # same seed, same digits
    no_errors(at)
    np.testing.assert_array_equal(new_digits(at)[0], before)


def test_chapter_button_sets_110_components():
    at = open_page(PAGE)
    auto_digits, _ = new_digits(at)
    at.button(key="dig_paper").click().run()
    no_errors(at)
    assert at.session_state["dig_k"] == PAPER_COMPONENTS
    assert "**110 components**, full covariance" in page_text(at)
    assert at.button(key="dig_paper").disabled
    if aic_minimum(at) != PAPER_COMPONENTS:
        assert not np.allclose(np.nan_to_num(auto_digits), np.nan_to_num(new_digits(at)[0]))


def test_link_reproduces_components_and_seed():
    at = open_page(PAGE, query={"dig_k": "110", "dig_seed": "3"})
    no_errors(at)
    assert at.session_state["dig_k"] == 110
    assert at.session_state["dig_seed"] == 3
    assert "**110 components**" in page_text(at)


@pytest.mark.slow  # a second AIC sweep (another PCA space): seconds more
def test_less_variance_keeps_fewer_dimensions():
    at = open_page(PAGE)
    at.select_slider(key="dig_var").set_value(0.95).run()
    no_errors(at)
    dims = int({m.label: m.value for m in at.metric}["Dimensions kept"])
    assert 1 <= dims < 41
    [curve] = traces_of(figures(at)[1], "criterion")
    assert len(values(curve["x"])) == 16
    assert "the book used 0.99" in page_text(at)
    assert f"in {dims} PCA dimensions" in page_text(at)


def test_png_export_decodes_to_the_digit_grid():
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 17, size=(100, 64)).astype(float)
    digits[0] = 16  # all ink: black
    digits[1] = 0  # no ink: white
    image = digits_grid_image(digits, 10, scale=4)
    assert image.shape == ((10 * 9 - 1) * 4, (10 * 9 - 1) * 4)
    decoded = Image.open(io.BytesIO(png_bytes(image)))
    assert decoded.mode == "L" and decoded.size == (356, 356)
    pixels = np.asarray(decoded)
    np.testing.assert_array_equal(pixels, image)
    assert (pixels[:32, :32] == 0).all()  # first digit, scaled 4x
    assert (pixels[:32, 36:68] == 255).all()  # second digit
    assert (pixels[:, 32:36] == 255).all()  # the white gap between columns
    # One grey level maps to the same pixel everywhere, dark ink on white.
    r, c = 5, 3
    assert pixels[4 * r, 36 * 2 + 4 * c] == 255 - round(digits[2, r * 8 + c] * 255 / 16)


def test_png_export_refuses_bad_input():
    with pytest.raises(ValueError):
        png_bytes(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError):
        digits_grid_image(np.zeros((3, 10)))
