"""Tests for gmm_core.io: the upload reader, its corpus of bad files, and fuzzing."""

import ast
import dataclasses
import hashlib
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gmm_core.io as gio
from gmm_core import limits
from gmm_core.errors import GMMInputError
from gmm_core.io import (
    SKIP_OPTION,
    ColumnNote,
    TableReadResult,
    distinct_rows,
    read_table,
    standardise,
)
from tests.unit.corpus import BAD_CASES, GOOD_CASES

# Messages that mean "the reader itself failed": fuzzing must never produce them.
_INTERNAL = (gio._UNEXPECTED, "could not be split into columns consistently")


def _assert_not_internal(error: GMMInputError) -> None:
    for text in _INTERNAL:
        assert text not in str(error), repr(error.__cause__)


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------


def test_corpus_is_large_and_named_uniquely():
    assert len(GOOD_CASES) + len(BAD_CASES) >= 30
    assert not set(GOOD_CASES) & set(BAD_CASES)


@pytest.mark.parametrize("name", list(GOOD_CASES), ids=list(GOOD_CASES))
def test_good_case(name):
    filename, data, expected = GOOD_CASES[name]
    result = read_table(data, filename, **expected.get("kwargs", {}))
    assert isinstance(result, TableReadResult)
    frame = result.frame
    assert frame.shape == expected["shape"]
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert np.isfinite(frame.to_numpy()).all()
    assert isinstance(frame.index, pd.RangeIndex)
    assert result.n_rows_read - result.n_rows_dropped == frame.shape[0]
    for attribute in (
        "encoding",
        "separator",
        "decimal",
        "has_header",
        "header_guessed",
        "n_rows_read",
        "n_rows_dropped",
    ):
        if attribute in expected:
            assert getattr(result, attribute) == expected[attribute], attribute
    if "columns" in expected:
        assert list(frame.columns) == expected["columns"]
    if "values" in expected:
        np.testing.assert_allclose(frame.to_numpy(), np.array(expected["values"], dtype=float))
    if "left_out" in expected:
        assert {note.name: note.reason for note in result.left_out} == expected["left_out"]
    for part in expected.get("notes", []):
        assert any(part in note for note in result.notes), (part, result.notes)
    assert result.content_key == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", list(BAD_CASES), ids=list(BAD_CASES))
def test_bad_case(name):
    filename, data, message = BAD_CASES[name]
    with pytest.raises(GMMInputError) as caught:
        read_table(data, filename)
    assert message in str(caught.value)
    _assert_not_internal(caught.value)


@pytest.mark.parametrize("name", ["ragged_extra_field", "ragged_short_row", "unclosed_quote"])
def test_malformed_line_messages_name_the_option(name):
    filename, data, _ = BAD_CASES[name]
    with pytest.raises(GMMInputError, match=f"turn on '{SKIP_OPTION}'"):
        read_table(data, filename)


def test_malformed_lines_read_when_skipping():
    filename, data, _ = BAD_CASES["ragged_many_lines"]
    result = read_table(data, filename, skip_bad_lines=True)
    assert result.frame.to_numpy().tolist() == [[1, 2], [6, 7], [9, 10]]
    assert any("line 3, 5, 7" in note for note in result.notes)


def test_skipping_an_unclosed_quote_keeps_the_rest_of_a_long_file():
    body = "\n".join(f"{i},{i * 2 % 11}" for i in range(300))
    data = ('x,y\n1,2\n"3,4\n' + body + "\n").encode()
    with pytest.raises(GMMInputError, match="Line 3 has an unbalanced quote"):
        read_table(data)
    result = read_table(data, skip_bad_lines=True)
    assert result.frame.shape == (301, 2)


def test_messages_never_echo_cell_contents():
    secret = "SECRET-7f3a"
    files = [
        f"x,y\n1,2\n3,{secret},5\n".encode(),
        f'x,y\n1,2\n"{secret},4\n5,6\n'.encode(),
        f"x,y\n{secret},a\n{secret},b\n{secret},c\n".encode(),
        f"x,y\n1e300,{secret}\n2,3\n4,5\n6,7\n".encode(),
        f"{secret}\n".encode() + b"\x00" * 10,
    ]
    for data in files:
        with pytest.raises(GMMInputError) as caught:
            read_table(data)
        assert secret not in str(caught.value)


# --------------------------------------------------------------------------------------
# Caps (monkeypatched: limits are read at call time)
# --------------------------------------------------------------------------------------


def test_row_cap_reads_only_the_first_rows(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS_READ", 5)
    data = ("x,y\ncm,kg\n" + "\n".join(f"{i},{i * i}" for i in range(12)) + "\n").encode()
    result = read_table(data)
    assert result.frame.shape == (5, 2)
    assert result.n_rows_read == 5
    assert result.frame["y"].tolist() == [0, 1, 4, 9, 16]
    assert any("Read only the first 5 data rows" in note for note in result.notes)


def test_row_cap_not_noted_when_file_fits(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS_READ", 5)
    result = read_table(b"x,y\n1,2\n3,4\n5,7\n7,1\n8,8\n\n")
    assert result.frame.shape == (5, 2)
    assert not any("Read only" in note for note in result.notes)


def test_upload_size_cap(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UPLOAD_MB", 1)
    data = b"1,2\n" * (1024 * 1024 // 4 + 1)
    with pytest.raises(GMMInputError, match="more than the 1 MB limit"):
        read_table(data)
    # checked first: even a PNG that large gets the size message
    with pytest.raises(GMMInputError, match="1 MB limit"):
        read_table(b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024))


def test_column_cap(monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLUMNS", 2)
    result = read_table(b"a,b,c,d\n1,2,3,4\n2,1,4,3\n5,5,1,1\n")
    assert list(result.frame.columns) == ["a", "b"]
    assert {n.name: n.reason for n in result.left_out} == {
        "c": "too many columns (cap 2)",
        "d": "too many columns (cap 2)",
    }
    assert any("first 2 numeric columns" in note for note in result.notes)


def _no_parse(*args, **kwargs):
    raise AssertionError("the full parse must not run")


def test_wide_header_refused_before_the_full_parse(monkeypatch):
    monkeypatch.setattr(gio, "_scan_records", _no_parse)
    monkeypatch.setattr(gio, "_parse_records", _no_parse)
    monkeypatch.setattr(pd, "read_csv", _no_parse)
    width = limits.MAX_HEADER_COLUMNS + 500
    data = (";".join(f"c{i}" for i in range(width)) + "\n1;2\n").encode()
    with pytest.raises(GMMInputError, match=f"Line 1 has {width} fields"):
        read_table(data)


def test_thousands_of_duplicate_names_refused_before_the_full_parse(monkeypatch):
    monkeypatch.setattr(limits, "MAX_HEADER_COLUMNS", 10_000)
    monkeypatch.setattr(gio, "_scan_records", _no_parse)
    monkeypatch.setattr(pd, "read_csv", _no_parse)
    data = (",".join(["x"] * 3000) + "\n" + ",".join(["1"] * 3000) + "\n").encode()
    with pytest.raises(GMMInputError, match="Line 1 repeats column names 2999 times"):
        read_table(data)


def test_many_duplicate_names_below_the_limit_are_made_unique():
    n = 120
    rows = [",".join(["v"] * n)] + [
        ",".join(str((i * 7 + j) % 13) for j in range(n)) for i in range(4)
    ]
    result = read_table(("\n".join(rows) + "\n").encode())
    names = list(result.frame.columns) + [note.name for note in result.left_out]
    assert len(set(names)) == n
    assert list(result.frame.columns[:3]) == ["v", "v (2)", "v (3)"]
    assert result.frame.shape == (4, limits.MAX_COLUMNS)


def test_unique_names_never_clash_with_real_names():
    result = read_table(b"x,x,x (2)\n1,2,3\n2,3,5\n3,5,4\n")
    assert list(result.frame.columns) == ["x", "x (3)", "x (2)"]


# --------------------------------------------------------------------------------------
# Individual decisions
# --------------------------------------------------------------------------------------


def _column(values: list[str]) -> bytes:
    return ("x,y\n" + "\n".join(f"{i},{v}" for i, v in enumerate(values)) + "\n").encode()


def test_mixed_type_threshold_is_95_percent():
    kept = read_table(_column([str(i % 7) for i in range(19)] + ["oops"]))  # 19/20 = 95 %
    assert kept.frame.shape == (19, 2)
    assert kept.n_rows_dropped == 1
    left = read_table(_column([str(i % 7) for i in range(18)] + ["oops"]))  # 18/19 < 95 %
    assert left.frame.shape == (19, 1)
    assert left.left_out == (ColumnNote("y", "mixed types (1 non-numeric value)"),)


def test_missing_cells_do_not_count_against_the_numeric_share():
    values = [str(i) for i in range(6)] + ["", "NA", "", "7"]
    result = read_table(_column(values))
    assert result.frame.shape == (7, 2)
    assert result.n_rows_dropped == 3
    assert result.left_out == ()


def test_a_single_counting_column_is_data_not_an_index():
    result = read_table(b"1\n2\n3\n4\n")
    assert result.frame.shape == (4, 1)
    assert result.left_out == ()


def test_headerless_counter_first_column_is_a_saved_index():
    result = read_table(b"0,1.5,2\n1,2.5,3\n2,3.5,5\n")
    assert result.left_out == (ColumnNote("column 1", "saved index"),)
    assert list(result.frame.columns) == ["column 2", "column 3"]


def test_r_write_table_header_one_field_short():
    result = read_table(b"x y\n1 1.5 2\n2 3.5 4\n3 5 7\n", "r.txt")
    assert result.separator == " "
    assert list(result.frame.columns) == ["x", "y"]
    assert result.left_out == (ColumnNote("column 1", "saved index"),)
    assert result.header_guessed


def test_header_choice_is_respected():
    data = b"x,y\n1,2\n3,4\n5,7\n"
    assert read_table(data).has_header
    assert list(read_table(data, header=True).frame.columns) == ["x", "y"]
    with pytest.raises(GMMInputError, match="No numeric column to model: 'column 1'"):
        read_table(data, header=False)  # 1 text cell of 4 is below the 95 % share


def test_constant_after_dropping_rows():
    result = read_table(b"x,y\n1,5\n2,5\n,6\n")
    assert result.frame["x"].tolist() == [1, 2]
    assert result.left_out == (ColumnNote("y", "constant (after dropping incomplete rows)"),)


def test_single_constant_column_means_one_distinct_point():
    result = read_table(b"x\n4\n4\n4\n")
    assert result.frame.shape == (3, 1)
    assert any("Only 1 distinct point" in note for note in result.notes)


def test_discrete_note_needs_more_than_20_rows():
    rows = "\n".join(f"{i},{i % 2}" for i in range(20))
    result = read_table(f"x,k\n{rows}\n".encode())
    assert not any("distinct values" in note for note in result.notes)


def test_values_at_the_huge_limit_are_accepted():
    result = read_table(b"x,y\n1e150,1\n-1e150,2\n0,3\n")
    assert result.frame["x"].tolist() == [1e150, -1e150, 0]


def test_latin1_fallback():
    # 0x81 is undefined in Windows-1252, so only Latin-1 decodes it
    rows = "\n".join(f"{i},{i % 5}" for i in range(60))
    data = b"x\x81,y\n" + rows.encode() + b"\n"
    result = read_table(data)
    assert result.encoding == "latin-1"
    assert list(result.frame.columns) == ["x\x81", "y"]
    assert any("Latin-1" in note for note in result.notes)


def test_bytes_like_inputs_and_type_errors():
    data = b"x,y\n1,2\n3,4\n"
    assert read_table(bytearray(data)).frame.shape == (2, 2)
    assert read_table(memoryview(data)).frame.shape == (2, 2)
    with pytest.raises(TypeError):
        read_table("x,y\n1,2\n3,4\n")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        b"\n" * 5000,
        b'"' * 5000,
        b'"' + b"a" * 200_000 + b'"\n1\n2\n',
        b"x\n" + b"1" * 300_000 + b"\n2\n",
        b"#" * 1000,
        b"," * 500 + b"\n" + b"," * 500,
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        b"\r\r\r",
        b"a\tb\n" * 3,
        b'x,y\n"1","2"\n"3"4,5\n',
        b"sep=,\n",
        b"1e400,1\n2,3\n4,5\n",
    ],
    ids=lambda data: repr(data[:12]),
)
def test_pathological_inputs_give_only_user_errors(data):
    try:
        result = read_table(data)
    except GMMInputError as error:
        _assert_not_internal(error)
    else:
        assert np.isfinite(result.frame.to_numpy()).all()


def test_results_are_frozen():
    result = read_table(b"x,y\n1,2\n3,4\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.encoding = "ascii"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.left_out = ()  # type: ignore[misc]


def test_module_never_imports_streamlit():
    tree = ast.parse(Path(gio.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "streamlit" not in imported
    assert set(gio.__all__) == {
        "ColumnNote",
        "SKIP_OPTION",
        "TableReadResult",
        "distinct_rows",
        "read_table",
        "standardise",
    }


# --------------------------------------------------------------------------------------
# distinct_rows and standardise
# --------------------------------------------------------------------------------------


def test_distinct_rows():
    frame = pd.DataFrame({"a": [1.0, 1.0, 2.0, 1.0], "b": [3.0, 3.0, 3.0, 4.0]})
    assert distinct_rows(frame) == 3
    assert distinct_rows(frame.to_numpy()) == 3
    assert distinct_rows(np.array([5.0, 5.0, 6.0])) == 2
    assert distinct_rows(np.empty((0, 2))) == 0


def test_standardise():
    X = np.array([[1.0, 10.0, 7.0], [2.0, 20.0, 7.0], [3.0, 60.0, 7.0]])
    before = X.copy()
    Z = standardise(X)
    assert Z.shape == (3, 3)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(Z[:, 0], [-np.sqrt(1.5), 0.0, np.sqrt(1.5)], rtol=1e-12)
    assert (Z[:, 2] == 0).all()
    np.testing.assert_array_equal(X, before)


def test_standardise_constant_with_rounding_and_huge_values():
    Z = standardise(np.array([[0.1, 1e150], [0.1, -1e150], [0.1, 0.0]]))
    assert (Z[:, 0] == 0).all()
    np.testing.assert_allclose(Z[:, 1], [np.sqrt(1.5), -np.sqrt(1.5), 0.0], rtol=1e-12)


def test_standardise_wants_two_dimensions():
    with pytest.raises(GMMInputError, match="shape"):
        standardise(np.arange(3.0))
    assert standardise(np.empty((0, 2))).shape == (0, 2)


# --------------------------------------------------------------------------------------
# Property-based fuzzing
# --------------------------------------------------------------------------------------

_FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_outcome(data: bytes, **kwargs) -> TableReadResult | None:
    try:
        result = read_table(data, **kwargs)
    except GMMInputError as error:
        _assert_not_internal(error)
        return None
    frame = result.frame
    assert frame.shape[0] >= 2 and frame.shape[1] >= 1
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert np.isfinite(frame.to_numpy()).all()
    assert frame.columns.is_unique
    assert result.n_rows_read - result.n_rows_dropped == frame.shape[0]
    return result


@_FUZZ
@given(st.binary(max_size=600), st.booleans())
def test_fuzz_random_bytes(data, skip):
    _check_outcome(data, skip_bad_lines=skip)


_CSV_ALPHABET = st.sampled_from(
    list("0123456789.,;\t\n\r\"' -+eE#") + list("abcxyz") + ["NA", "inf", "1e400", "\u2212", "é"]
)


@_FUZZ
@given(
    st.lists(_CSV_ALPHABET, max_size=300).map("".join),
    st.sampled_from(["utf-8", "utf-16", "cp1252"]),
    st.sampled_from([None, True, False]),
    st.booleans(),
)
def test_fuzz_csv_like_text(text, encoding, header, skip):
    _check_outcome(text.encode(encoding, errors="replace"), header=header, skip_bad_lines=skip)


@_FUZZ
@given(
    st.integers(1, 4).flatmap(
        lambda d: st.lists(
            st.lists(
                st.floats(-1e12, 1e12, allow_nan=False, allow_subnormal=False),
                min_size=3,
                max_size=12,
                unique=True,
            ),
            min_size=d,
            max_size=d,
        )
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_fuzz_valid_tables_round_trip(columns, separator, eol):
    n = min(len(column) for column in columns)
    names = [f"{letter}_{i}" for i, letter in enumerate(string.ascii_lowercase[: len(columns)])]
    rows = [separator.join(names)]
    rows += [separator.join(repr(column[i]) for column in columns) for i in range(n)]
    result = _check_outcome((eol.join(rows) + eol).encode())
    assert result is not None
    assert list(result.frame.columns) == names
    expected = np.array([column[:n] for column in columns]).T
    np.testing.assert_allclose(result.frame.to_numpy(), expected, rtol=1e-14, atol=0)
