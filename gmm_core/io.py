"""Reading uploaded tables: bytes in, a clean numeric frame (or one GMMInputError) out.

The reader is deliberately forgiving about *format* (separator, encoding, decimal comma,
header or not, comment and title lines) and strict about *content*: only columns that are
numbers end up in the frame, every other column is listed with the reason it was left out,
and rows the mixture maths cannot use are dropped and counted.

Decisions worth knowing (the tests pin each one):

* Separator: comma, semicolon, tab or runs of whitespace, chosen on the first 200 content
  lines by how consistently each splits them; ties go to tab, then semicolon, then comma,
  then whitespace (a semicolon file with decimal commas splits consistently on commas too).
  A ``.tsv`` name prefers tab; an Excel ``sep=;`` first line is obeyed.
* Decimal comma is assumed (for non-comma separators only) when more sample cells look like
  ``1,5`` than like ``1.5``; thousands separators (``1,234.5``, ``1.234,5``, ``1 234``) are
  removed only when the digit grouping is exact.
* A column is kept when at least 95 % of its non-missing cells are numbers; its other cells
  make their rows drop (counted). Below 95 % it is left out as "mixed types".
* A numeric column missing in more than half of the rows is left out ("mostly missing")
  rather than letting it drop most rows.
* Header: a text cell on top of a mostly numeric column means a header; numbers on top mean
  none; a mix (numbers can be names, e.g. years) is a guess (``header_guessed``). Text-only
  rows right below a header (units) are skipped. Without a header row, a ``# x,y`` comment
  just above the data (numpy.savetxt) or a line one field short (R's write.table) is used
  as a guessed header.
* Up to 20 narrower lines above the table (titles, notes) are skipped with a note.
* Saved index: a column named ``Unnamed: N``, or an unnamed first column holding exactly
  0..n-1 or 1..n while another numeric column exists.
* Constant columns are left out, except when every numeric column is constant (all rows are
  the same point): then they stay and a note says there is only 1 distinct point.
* Lines that are blank, hold only separators, or start with ``#`` are skipped anywhere.
* Malformed lines (wrong number of fields, unbalanced quotes) raise unless
  ``skip_bad_lines``; the message names the first line and the option to turn on.
* Values above 1e150 in magnitude are refused (their squares overflow in the EM updates).
"""

import codecs
import csv
import hashlib
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gmm_core import limits
from gmm_core.errors import GMMInputError

__all__ = [
    "SKIP_OPTION",
    "ColumnNote",
    "TableReadResult",
    "distinct_rows",
    "read_table",
    "standardise",
]

#: The upload page's checkbox that maps to ``skip_bad_lines`` (named in error messages).
SKIP_OPTION = "Skip malformed lines"

# Share of non-missing cells that must be numbers for a column to be kept.
_NUMERIC_SHARE = 0.95
# A numeric column missing in more than this share of rows is left out, not row-dropped.
_MOSTLY_MISSING = 0.5
# |x| above this is refused: x**2 summed over many rows must stay inside float64.
_HUGE = 1e150
# A column with at most this many distinct values (and more rows than below) is "discrete".
_FEW_VALUES = 5
_FEW_VALUES_MIN_ROWS = 20
# Fewer distinct rows than this earns a note.
_FEW_POINTS = 10
# Lines looked at to guess separator, decimal mark and header.
_SAMPLE_LINES = 200
# Title/notes lines tolerated above the table.
_MAX_PREAMBLE = 20
# A quoted field may span at most this many lines before we call the quote unclosed.
_MAX_RECORD_LINES = 100
# Repeated header names accepted (only reachable when MAX_HEADER_COLUMNS is raised).
_MAX_DUPLICATE_NAMES = 1000
# Bytes inspected for magic numbers and control characters.
_HEAD_BYTES = 65536
# Share of control characters above which decoded text is called binary.
_MAX_CONTROL_SHARE = 0.01
# Column names longer than this are shortened inside messages (never in the data).
_NAME_IN_MESSAGE = 40

# Order is the tie-break priority: see the module docstring.
_SEPARATORS = ("\t", ";", ",", " ")

# Compared lower-cased after stripping; pandas' defaults plus spreadsheet error values.
_NA_TOKENS = frozenset(
    {
        "", "na", "n/a", "nan", "-nan", "null", "none", "nat", "<na>", "#n/a", "#na",
        "#n/a n/a", "-", "--", "?", ".", "missing", "#null!", "#div/0!", "#value!", "#num!",
        "#ref!", "#name?", "1.#ind", "-1.#ind", "1.#qnan", "-1.#qnan",
    }
)  # fmt: skip

# [0-9], never \d: \d also matches other scripts' digits, which float parsing rejects.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?inf(?:inity)?",
                     re.IGNORECASE)  # fmt: skip
_GROUPED = {
    ".": re.compile(r"[+-]?[0-9]{1,3}(?:([,\u00a0\u202f\u2009' ])[0-9]{3})(?:\1[0-9]{3})*"
                    r"(?:\.[0-9]*)?"),
    ",": re.compile(r"[+-]?[0-9]{1,3}(?:([.\u00a0\u202f\u2009' ])[0-9]{3})(?:\1[0-9]{3})*"
                    r"(?:,[0-9]*)?"),
}  # fmt: skip
_GROUP_CHARS = {".": r"[,\u00a0\u202f\u2009' ]", ",": r"[.\u00a0\u202f\u2009' ]"}
_COMMA_DECIMAL = re.compile(r"[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]{1,3}"
                            r"(?:\.[0-9]{3})+,[0-9]*")  # fmt: skip
_DOT_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]{1,3}"
                          r"(?:,[0-9]{3})+\.[0-9]*")  # fmt: skip
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
    r"|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
    r"|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?[ap]m)?"
    rf"|[0-9]{{1,2}}[ -]{_MONTH}[ -,]*[0-9]{{2,4}}|{_MONTH} [0-9]{{1,2}},? [0-9]{{4}}",
    re.IGNORECASE,
)
_INDEX_NAME = re.compile(r"Unnamed: [0-9]+")
_EXCEL_SEP = re.compile(r"sep=(.)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# (magic prefix, what it is). Prefixes that are plain ASCII are only trusted together with
# NUL bytes (see _binary_kind) so a CSV whose first column is called "MZ" still reads.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard-compressed file"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office file (for example .xls)"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file"),
    (b"\x93NUMPY", "a NumPy array file (.npy)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"ARROW1", "an Arrow/Feather file"),
)
_ASCII_MAGIC = ((b"MZ", "a Windows executable"), (b"PAR1", "a Parquet file"))
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UPLOAD_HINT = "Upload a CSV or TSV text file (in a spreadsheet: File > Save as > CSV)."
_UNEXPECTED = (
    "The file could not be read as a table because of an unexpected problem in the reader. "
    "Check that it is a plain CSV or TSV text file; if it is, please report this."
)


@dataclass(frozen=True)
class ColumnNote:
    """One column of the file that is not offered for modelling.

    Attributes
    ----------
    name : str
        Column name as in the file (surrounding whitespace stripped, made unique), or
        ``"column k"`` when unnamed. Plain text: it may contain HTML, markdown or spreadsheet
        formulas and must never be interpreted.
    reason : str
        Short human reason, e.g. ``"text"``, ``"dates"``, ``"mixed types (3 non-numeric
        values)"``, ``"constant"``, ``"empty"``, ``"saved index"``,
        ``"too many columns (cap 50)"``.
    """

    name: str
    reason: str


# eq=False: a DataFrame field makes generated __eq__/__hash__ raise; identity is enough.
@dataclass(frozen=True, eq=False)
class TableReadResult:
    """What :func:`read_table` made of an uploaded file.

    Attributes
    ----------
    frame : pandas.DataFrame
        Shape ``(n_rows_read - n_rows_dropped, d)``: only the usable numeric columns, all
        float64 and finite, with a fresh ``RangeIndex``.
    encoding : str
        Text encoding used: ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"utf-16-le"``,
        ``"utf-16-be"``, ``"utf-32"``, ``"cp1252"`` or ``"latin-1"``.
    separator : str
        ``","``, ``";"``, ``"\\t"``, or ``" "`` for runs of whitespace.
    has_header : bool
        Whether a header row was used for the column names.
    header_guessed : bool
        True when header presence was ambiguous and guessed; the page should ask.
    decimal : str
        ``"."`` or ``","``.
    n_rows_read : int
        Data rows parsed (after the row cap and skipped malformed lines), before dropping.
    n_rows_dropped : int
        Rows dropped for missing, infinite or non-numeric values in the kept columns.
    left_out : tuple of ColumnNote
        Every column of the file not in ``frame``, in file order.
    notes : tuple of str
        Plain sentences about what was done (encoding, skipped lines, dropped rows, caps,
        warnings about few distinct values). May quote column names, never cell contents.
    content_key : str
        SHA-256 hex digest of the raw bytes, for caching.
    """

    frame: pd.DataFrame
    encoding: str
    separator: str
    has_header: bool
    header_guessed: bool
    decimal: str
    n_rows_read: int
    n_rows_dropped: int
    left_out: tuple[ColumnNote, ...]
    notes: tuple[str, ...]
    content_key: str


@dataclass(frozen=True)
class _Layout:
    """How the table sits in the text: separator, width, decimal mark and where it starts.

    ``start`` indexes the sample (content lines), not the raw lines.
    """

    separator: str
    n_columns: int
    start: int
    decimal: str


@dataclass(frozen=True)
class _Header:
    """The header decision, and what to tell the user about it.

    ``in_data`` means the names are the first record the scanner returns (so a quoted name
    may span lines); otherwise ``names`` holds names found elsewhere (a '#' comment, a line
    one field short) or None for no header. ``data_line`` is the 0-based raw line where
    scanning starts; ``extra`` counts records after the header to discard (units rows);
    ``preamble`` counts skipped lines above the table; ``from_comment`` is 1 when the names
    came from a '#' line (so it is not also reported as a skipped comment).
    """

    names: tuple[str, ...] | None
    in_data: bool
    guessed: bool
    data_line: int
    extra: int = 0
    preamble: int = 0
    note: str | None = None
    from_comment: int = 0


@dataclass(frozen=True)
class _Scan:
    """Records found by the line scanner.

    ``records`` are record texts (one per table row, quoted newlines kept); ``bad`` holds
    ``(line_number, kind, n_fields)`` with kind ``"fields"`` or ``"quote"``; ``first_line``
    is the 1-based line the first record starts on (0 when there is none).
    """

    records: list[str]
    bad: list[tuple[int, str, int]]
    n_comments: int
    truncated: bool
    first_line: int


@dataclass(frozen=True)
class _Column:
    """One parsed column: values of shape (n,) float64 (NaN where missing or not a number),
    and boolean masks of shape (n,) for missing cells and present-but-unparseable cells."""

    values: np.ndarray
    missing: np.ndarray
    bad: np.ndarray


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


def read_table(
    data: bytes,
    filename: str = "upload.csv",
    *,
    header: bool | None = None,
    skip_bad_lines: bool = False,
) -> TableReadResult:
    """Read an uploaded delimited text file into a numeric frame.

    Parameters
    ----------
    data : bytes
        The raw file content, at most ``limits.MAX_UPLOAD_MB`` megabytes.
    filename : str
        Only used as a hint (``.tsv`` prefers tab as separator).
    header : bool or None
        None detects a header row; True/False force it.
    skip_bad_lines : bool
        Skip (and count) lines with the wrong number of fields or unbalanced quotes instead
        of refusing the file.

    Returns
    -------
    TableReadResult
        ``frame`` has shape ``(n, d)`` with ``n >= 2`` and ``d >= 1``.

    Raises
    ------
    GMMInputError
        For anything wrong with the file; the message says what and what to do. No other
        exception escapes for bytes input.
    TypeError
        If ``data`` is not bytes-like (a programming error, not a user one).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"read_table needs bytes, not {type(data).__name__}")
    try:
        return _read_table(bytes(data), str(filename or ""), header, skip_bad_lines)
    except GMMInputError:
        raise
    except MemoryError as exc:
        raise GMMInputError(
            "The file is too large to read on this server. Upload fewer rows or columns "
            "(for example a random sample of the rows)."
        ) from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise GMMInputError(
            'The file could not be split into columns consistently. Check that quotes (") '
            f"are balanced, or turn on '{SKIP_OPTION}'."
        ) from exc
    except Exception as exc:  # the promise is "only GMMInputError"; tests look for this text
        raise GMMInputError(_UNEXPECTED) from exc


def distinct_rows(frame: pd.DataFrame | np.ndarray) -> int:
    """Number of distinct rows.

    Parameters
    ----------
    frame : pandas.DataFrame or numpy.ndarray
        Shape ``(n, d)`` (a 1-D array counts as ``(n, 1)``).

    Returns
    -------
    int
        Distinct rows, 0 for an empty table.
    """
    table = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(np.asarray(frame))
    if table.shape[0] == 0:
        return 0
    if table.shape[1] == 0:
        return 1
    return len(table.drop_duplicates())


def standardise(X: np.ndarray) -> np.ndarray:
    """Centre each column and scale it to unit variance.

    Parameters
    ----------
    X : numpy.ndarray
        Shape ``(n, d)``, finite.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, d)`` float64 with column means 0 and (population) standard deviations 1;
        constant columns become all 0.

    Raises
    ------
    GMMInputError
        If ``X`` is not 2-D.
    """
    A = np.asarray(X, dtype=float)
    if A.ndim != 2:
        raise GMMInputError(
            f"Standardising needs a table of shape (rows, columns), got {A.ndim} dimension(s); "
            "reshape a single column with X[:, None]."
        )
    out = np.zeros_like(A)
    if A.shape[0] == 0:
        return out
    # Divide by the column's largest magnitude first so squares cannot overflow.
    scale = np.max(np.abs(A), axis=0)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    B = A / scale
    centred = B - B.mean(axis=0)
    std = np.sqrt(np.mean(centred**2, axis=0))
    # Exact equality, not std == 0: rounding in the mean leaves ~1e-17 residues.
    varying = (A.max(axis=0) != A.min(axis=0)) & (std > 0)
    out[:, varying] = centred[:, varying] / std[varying]
    return out


# --------------------------------------------------------------------------------------
# Bytes to text
# --------------------------------------------------------------------------------------


def _check_size(data: bytes) -> None:
    cap = limits.MAX_UPLOAD_MB
    if len(data) > cap * 1024 * 1024:
        raise GMMInputError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB, more than the {cap} MB limit. "
            "Upload a smaller file, for example a random sample of the rows."
        )


def _binary_kind(data: bytes) -> str | None:
    """Name the kind of a non-text file from its magic bytes, or None if it may be text."""
    head = data[:_HEAD_BYTES]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(_ZIP_MAGIC):
        if b"xl/" in head or b"spreadsheetml" in head:
            return "an Excel workbook (.xlsx)"
        if b"opendocument.spreadsheet" in head:
            return "an OpenDocument spreadsheet (.ods)"
        if b"word/" in head:
            return "a Word document (.docx)"
        return "a ZIP archive"
    if b"\x00" in head:
        for magic, kind in _ASCII_MAGIC:
            if head.startswith(magic):
                return kind
        if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
            return "a Python pickle"
    return None


def _refuse_binary(kind: str) -> GMMInputError:
    advice = _UPLOAD_HINT
    if "Excel" in kind or "Office" in kind or "OpenDocument" in kind:
        advice = "Open it in your spreadsheet program, save it as CSV, and upload the .csv file."
    elif "archive" in kind or "compressed" in kind:
        advice = "Extract the CSV or TSV file from it and upload that."
    return GMMInputError(f"This looks like {kind}, not a text table. {advice}")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit in every other position (ASCII text)."""
    head = data[: min(len(data), 4096) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


_ENCODING_NOTES = {
    "utf-8-sig": "Read as UTF-8 (the file starts with a byte-order mark).",
    "utf-16": "Read as UTF-16 text (from its byte-order mark).",
    "utf-32": "Read as UTF-32 text (from its byte-order mark).",
    "utf-16-le": "Read as UTF-16 (little-endian) text without a byte-order mark.",
    "utf-16-be": "Read as UTF-16 (big-endian) text without a byte-order mark.",
    "cp1252": (
        "The file is not valid UTF-8, so it was read as Windows-1252 (Western European). "
        "If accented letters look wrong, save the file as UTF-8 and upload it again."
    ),
    "latin-1": (
        "The file is not valid UTF-8, so it was read as Latin-1. If letters look wrong, save "
        "the file as UTF-8 and upload it again."
    ),
}


def _decode(data: bytes) -> tuple[str, str]:
    """Decode to text; returns (text, encoding name). Refuses binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise GMMInputError(
                    f"The file starts with a {encoding.upper()} marker but is not valid "
                    f"{encoding.upper()} text. Save it again as a UTF-8 CSV and upload that."
                ) from exc
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is not None:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                pass
        raise GMMInputError(
            "This looks like binary data (it contains NUL bytes), not a text table. " + _UPLOAD_HINT
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _check_is_text(text: str) -> None:
    sample = text[:_HEAD_BYTES]
    n_control = len(_CONTROL.findall(sample))
    if "\x00" in text or (sample and n_control > _MAX_CONTROL_SHARE * len(sample)):
        raise GMMInputError("This looks like binary data, not a text table. " + _UPLOAD_HINT)
    start = sample.lstrip()[:64].lower()
    end = text[-4096:].rstrip()[-1:]  # a slice: rstrip() on all of it would copy the file
    kind = None
    if start.startswith(("<!doctype html", "<html")):
        kind = "an HTML page"
    elif start.startswith("<?xml"):
        kind = "an XML document"
    elif start.startswith("{\\rtf"):
        kind = "an RTF document"
    elif (start[:1], end) in (("{", "}"), ("[", "]")):
        kind = "JSON data"
    if kind is not None:
        raise GMMInputError(f"This looks like {kind}, not a CSV or TSV table. " + _UPLOAD_HINT)


# --------------------------------------------------------------------------------------
# Lines, separator, decimal mark
# --------------------------------------------------------------------------------------


def _is_blank(line: str) -> bool:
    """Whitespace only, or nothing but separators and quotes (spreadsheet filler rows)."""
    return not line.strip().strip(',;"\t ')


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _content_lines(lines: list[str], limit: int) -> list[int]:
    """Indices of the first ``limit`` lines that are neither blank nor comments."""
    found: list[int] = []
    for index, line in enumerate(lines):
        if not _is_blank(line) and not _is_comment(line):
            found.append(index)
            if len(found) >= limit:
                break
    return found


def _split_fields(line: str, separator: str) -> list[str]:
    """Fields of one record; quote-aware for the single-character separators."""
    if separator == " ":
        return line.split()
    if '"' not in line:
        return line.split(separator)
    return next(
        csv.reader(
            io.StringIO(line), delimiter=separator, quotechar='"', skipinitialspace=True,
            strict=False,
        ),
        [],
    )  # fmt: skip


def _count_fields(line: str, separator: str) -> int:
    """Fields in one line; -1 when the csv module cannot split it (e.g. a huge field)."""
    if separator == " ":
        return len(line.split())
    if '"' not in line:
        return line.count(separator) + 1
    try:
        return len(_split_fields(line, separator))
    except csv.Error:
        return -1


def _check_header_width(sample: list[str], indices: list[int]) -> None:
    """Refuse absurdly wide or repetitive header lines before any real parsing.

    Only str.count/split on the first lines (where a header can be), so a line of a million
    fields costs milliseconds instead of a full parse.
    """
    cap = limits.MAX_HEADER_COLUMNS
    for line, index in zip(sample[: _MAX_PREAMBLE + 1], indices, strict=False):
        separator = max(",;\t", key=line.count)
        widest = line.count(separator) + 1
        if widest == 1:
            widest = len(line.split())
        if widest > cap:
            raise GMMInputError(
                f"Line {index + 1} has {widest} fields, more than the {cap} columns this app "
                "can read. Keep only the columns you need (delete the others in your "
                "spreadsheet) and upload again."
            )
        if widest <= _MAX_DUPLICATE_NAMES:
            continue
        named = [name.strip() for name in line.split(separator) if name.strip()]
        repeats = len(named) - len(set(named))
        if repeats > _MAX_DUPLICATE_NAMES:
            example = Counter(named).most_common(1)[0][0]
            raise GMMInputError(
                f"Line {index + 1} repeats column names {repeats} times (for example "
                f"{_quote(example)}); at most {_MAX_DUPLICATE_NAMES} repeats are accepted. "
                "Give the columns distinct names or keep only the columns you need."
            )


def _mode(counts: list[int]) -> int:
    """Most common field count; ties go to the wider one."""
    tally = Counter(count for count in counts if count > 0)
    if not tally:
        return 1
    return max(tally.items(), key=lambda item: (item[1], item[0]))[0]


def _table_start(counts: list[int], width: int) -> int:
    """Index of the first line of the table: skips a short preamble of narrower lines."""
    for index, count in enumerate(counts[: _MAX_PREAMBLE + 1]):
        if count == width:
            return index
        if count > width:
            break
    return 0


def _sniff_layout(sample: list[str], filename: str, forced: str | None) -> _Layout:
    """Choose separator, table width and start line from the sample lines."""
    tsv = filename.lower().endswith((".tsv", ".tab"))
    has_quotes = any('"' in line for line in sample)
    best: tuple[tuple[bool, float, int], str, int, int] | None = None
    candidates = (forced,) if forced else _SEPARATORS
    for priority, separator in enumerate(candidates):
        if separator == " " and has_quotes:
            continue  # quoted fields with spaces cannot be split on whitespace reliably
        counts = [_count_fields(line, separator) for line in sample]
        width = _mode(counts)
        if width < 2:
            continue
        start = _table_start(counts, width)
        body = counts[start:]
        share = sum(count == width for count in body) / len(body)
        if separator == " " and share < 0.9:
            continue  # whitespace splits prose too: only trust it when it is regular
        key = (tsv and separator == "\t" and share >= 0.8, share, -priority)
        if best is None or key > best[0]:
            best = (key, separator, width, start)
    if best is None:
        # One column: pick the separator that splits nothing, so text lines stay whole.
        order = ("\t", ",", ";") if tsv else (",", "\t", ";")
        separator = forced or min(order, key=lambda sep: sum(line.count(sep) for line in sample))
        width, start = 1, 0
    else:
        _, separator, width, start = best
    rows = _sample_rows(sample[start:], separator, width)
    return _Layout(separator, width, start, _sniff_decimal(rows, separator))


def _sample_rows(lines: list[str], separator: str, width: int) -> list[list[str]]:
    """Up to 50 sample lines of the right width, split into stripped fields."""
    rows: list[list[str]] = []
    for line in lines:
        if _count_fields(line, separator) == width:
            rows.append([field.strip() for field in _split_fields(line, separator)])
            if len(rows) >= 50:
                break
    return rows


def _sniff_decimal(rows: list[list[str]], separator: str) -> str:
    if separator == ",":
        return "."  # a decimal comma inside a comma file would have to be quoted: rare
    comma = dot = 0
    for row in rows:
        for cell in row:
            if _COMMA_DECIMAL.fullmatch(cell):
                comma += 1
            elif _DOT_DECIMAL.fullmatch(cell):
                dot += 1
    return "," if comma > dot else "."


# --------------------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------------------


def _normalise_number(cell: str, decimal: str) -> str:
    """Plain float syntax for one stripped cell (thousands groups removed, '.' decimal)."""
    cell = cell.replace("\u2212", "-")
    if _GROUPED[decimal].fullmatch(cell):
        cell = re.sub(_GROUP_CHARS[decimal], "", cell)
    return cell.replace(",", ".") if decimal == "," else cell


def _cell_kind(cell: str, decimal: str) -> str:
    """'empty', 'num' or 'text' for one stripped cell."""
    if cell.lower() in _NA_TOKENS:
        return "empty"
    return "num" if _NUMBER.fullmatch(_normalise_number(cell, decimal)) else "text"


def _detect_header(rows: list[list[str]], decimal: str) -> tuple[bool, bool, int]:
    """(has_header, guessed, extra header rows) from sample rows; rows[0] is the candidate.

    A text cell on top of a numeric column is strong evidence of a header (numeric columns
    do not hold text in their first row only); numbers on top prove nothing either way, as
    column names can be numbers, so a mix is a guess.
    """
    kinds = [[_cell_kind(cell, decimal) for cell in row] for row in rows]
    if len(kinds) == 1:
        return "text" in kinds[0] and "num" not in kinds[0], False, 0
    numeric = []
    for j in range(len(kinds[0])):
        below = [row[j] for row in kinds[1:] if row[j] != "empty"]
        if below and below.count("num") >= 0.5 * len(below):
            numeric.append(j)
    if not numeric:
        return True, True, 0  # cannot tell; most tables have one
    top = [kinds[0][j] for j in numeric]
    if "text" not in top:
        return False, False, 0
    extra = 0
    for row in kinds[1:4]:
        cells = [row[j] for j in numeric]
        if "num" in cells or "text" not in cells:
            break
        extra += 1
    return True, "num" in top, extra


def _comment_header(lines: list[str], table_line: int, layout: _Layout) -> list[str] | None:
    """Names from a '# x,y' comment right above the data (numpy.savetxt writes these)."""
    index = table_line - 1
    while index >= 0 and _is_blank(lines[index]):
        index -= 1
    if index < 0 or not _is_comment(lines[index]):
        return None
    body = lines[index].lstrip().lstrip("#")
    fields = [field.strip() for field in _split_fields(body, layout.separator)]
    if len(fields) != layout.n_columns:
        return None
    if all(_cell_kind(field, layout.decimal) == "text" for field in fields):
        return fields
    return None


def _decide_header(
    lines: list[str],
    sample: list[str],
    indices: list[int],
    layout: _Layout,
    header: bool | None,
) -> _Header:
    table_line = indices[layout.start]
    first = sample[layout.start]
    first_fits = _count_fields(first, layout.separator) == layout.n_columns
    rows = _sample_rows(sample[layout.start :], layout.separator, layout.n_columns)
    if header is not None:
        return _Header(None, header, False, table_line, preamble=layout.start)
    if not first_fits or not rows:
        return _Header(None, False, False, table_line, preamble=layout.start)

    has_header, guessed, extra = _detect_header(rows, layout.decimal)
    if has_header:
        note = None
        if extra:
            note = (
                f"Skipped {_count(extra, 'line')} just below the header with no numbers "
                "(units or a second header row)."
            )
        return _Header(None, True, guessed, table_line, extra, layout.start, note)

    named = _comment_header(lines, table_line, layout)
    if named is not None:
        note = "Used the '#' comment line just above the data as the header (a guess)."
        return _Header(tuple(named), False, True, table_line, 0, layout.start, note, 1)

    # R's write.table and files with a trailing separator on data lines only: the line just
    # above the table is one field short of the data.
    if layout.start > 0 and layout.n_columns >= 2:
        above = [f.strip() for f in _split_fields(sample[layout.start - 1], layout.separator)]
        if len(above) == layout.n_columns - 1 and all(
            _cell_kind(field, layout.decimal) == "text" for field in above
        ):
            last_empty = all(row[-1] == "" for row in rows)
            padded = (*above, "") if last_empty else ("", *above)
            note = "Used the line above the data, one field short, as the header (a guess)."
            return _Header(padded, False, True, table_line, 0, layout.start - 1, note)
    return _Header(None, False, False, table_line, preamble=layout.start)


def _record_fields(record: str, separator: str) -> list[str]:
    """Fields of one scanned record (which may hold quoted newlines)."""
    if separator == " ":
        return record.split()
    rows = _csv_rows(record, separator)
    return rows[0] if rows else []


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


def _scan_records(lines: list[str], first: int, layout: _Layout, max_rows: int) -> _Scan:
    """Split lines into records, checking field counts and quotes; stops after max_rows.

    Quote parity per line is a cheap test for quoted newlines; a record that stays open for
    more than _MAX_RECORD_LINES lines (or to the end of the file) is an unclosed quote, and
    only its first line is skipped so the rest of the file still reads.
    """
    separator, width = layout.separator, layout.n_columns
    whitespace = separator == " "
    simple = None if whitespace else _simple_quoting(separator)
    records: list[str] = []
    bad: list[tuple[int, str, int]] = []
    n_comments = 0
    truncated = False
    first_line = 0
    i, n = first, len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped.strip(',;"\t '):
            i += 1
            continue
        if stripped[0] == "#":
            n_comments += 1
            i += 1
            continue
        if len(records) >= max_rows:
            truncated = True
            break
        used = 1
        record = line
        quotes = 0 if whitespace else line.count('"')
        if whitespace:
            n_fields = len(line.split())
        elif not quotes or (simple is not None and simple.fullmatch(line)):
            n_fields = line.count(separator) + 1
        else:
            if quotes % 2:
                j = i + 1
                while j < n and j - i < _MAX_RECORD_LINES and quotes % 2:
                    quotes += lines[j].count('"')
                    j += 1
                if quotes % 2:
                    bad.append((i + 1, "quote", 0))
                    i += 1
                    continue
                record = "\n".join(lines[i:j])
                used = j - i
            parsed = _csv_rows(record, separator)
            if parsed is None or len(parsed) != 1:
                bad.append((i + 1, "quote", 0))
                i += 1
                continue
            n_fields = len(parsed[0])
            # Re-quote canonically so pandas' tokenizer cannot read the record differently
            # from the csv module (they disagree on quotes inside unquoted fields).
            record = _canonical_record(parsed[0], separator)
        if n_fields != width:
            bad.append((i + 1, "fields", n_fields))
            i += used
            continue
        if not records:
            first_line = i + 1
        records.append(record)
        i += used
    return _Scan(records, bad, n_comments, truncated, first_line)


def _simple_quoting(separator: str) -> re.Pattern[str]:
    """Lines whose quotes only wrap whole fields free of separators and quotes.

    Such lines (``"1.5","2"``, spreadsheet exports quoting everything) split like unquoted
    ones and every CSV parser agrees on them, so they skip the slow csv-module path.
    """
    sep = re.escape(separator)
    field = rf'(?:[ \t]*"[^"{sep}]*"[ \t]*|[^"{sep}]*)'
    return re.compile(rf"{field}(?:{sep}{field})*")


def _canonical_record(fields: list[str], separator: str) -> str:
    """One record in RFC 4180 form: quote only fields that need it, doubling quotes."""
    return separator.join(
        f'"{field.replace(chr(34), chr(34) * 2)}"'
        if separator in field or '"' in field or "\n" in field
        else field
        for field in fields
    )


def _csv_rows(record: str, separator: str) -> list[list[str]] | None:
    try:
        return list(
            csv.reader(
                io.StringIO(record), delimiter=separator, quotechar='"',
                skipinitialspace=True, strict=False,
            )
        )  # fmt: skip
    except csv.Error:
        return None


def _bad_lines_error(bad: list[tuple[int, str, int]], width: int) -> GMMInputError:
    line, kind, n_fields = bad[0]
    if kind == "quote":
        what = f'Line {line} has an unbalanced quote (") that is never closed'
    else:
        what = (
            f"Line {line} has {_count(n_fields, 'field')}, but the table has "
            f"{_count(width, 'column')}"
        )
    also = ""
    if len(bad) > 1:
        shown = ", ".join(str(entry[0]) for entry in bad[1:6])
        more = ", ..." if len(bad) > 6 else ""
        also = f" ({len(bad)} malformed lines in all; also line {shown}{more})"
    return GMMInputError(
        f"{what}{also}. Fix the file, or turn on '{SKIP_OPTION}' to leave such lines out."
    )


def _parse_records(records: list[str], layout: _Layout) -> pd.DataFrame:
    """Records (already checked for width) to a raw frame with columns 0..n_columns-1."""
    text = "\n".join(records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = pd.read_csv(
            io.StringIO(text),
            sep=r"\s+" if layout.separator == " " else layout.separator,
            header=None,
            names=list(range(layout.n_columns)),
            index_col=False,
            decimal=layout.decimal,
            quotechar='"',
            # whitespace files are split with str.split(), which knows no quotes
            quoting=csv.QUOTE_NONE if layout.separator == " " else csv.QUOTE_MINIMAL,
            skipinitialspace=True,
            skip_blank_lines=False,
            low_memory=False,
            engine="c",
        )
    if len(raw) != len(records):
        # our quote handling and pandas' disagree: report it like any quoting problem
        raise pd.errors.ParserError("record count mismatch")
    return raw


# --------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------


def _parse_column(series: pd.Series, decimal: str) -> _Column:
    """Numbers of one raw column, separating missing cells from unparseable ones."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        return _Column(values, missing, np.zeros_like(missing))
    text = series.astype("str").where(series.notna(), "").str.strip()
    missing = text.str.lower().isin(_NA_TOKENS).to_numpy(dtype=bool)
    cleaned = text.str.replace("\u2212", "-", regex=False)
    grouped = cleaned.str.fullmatch(_GROUPED[decimal].pattern).to_numpy(dtype=bool)
    if grouped.any():
        cleaned = cleaned.where(
            ~grouped, cleaned.str.replace(_GROUP_CHARS[decimal], "", regex=True)
        )
    if decimal == ",":
        cleaned = cleaned.str.replace(",", ".", regex=False)
    # to_numeric alone would accept '1_000' and other scripts' digits: check syntax first
    syntax = cleaned.str.fullmatch(_NUMBER.pattern, case=False).to_numpy(dtype=bool)
    numbers = pd.to_numeric(cleaned.where(syntax, ""), errors="coerce")
    values = np.array(numbers, dtype=float)  # a copy: pandas may hand out read-only views
    values[missing] = np.nan
    bad = ~missing & np.isnan(values)
    return _Column(values, missing, bad)


def _text_reason(series: pd.Series, bad: np.ndarray) -> str:
    """'dates', 'true/false values' or 'text' for a column without numbers."""
    present = series[bad].head(500).astype("str").str.strip()
    if len(present) == 0:
        return "text"
    lowered = set(present.str.lower().unique()[:3])
    if lowered <= {"true", "false"}:
        return "true/false values"
    dates = sum(bool(_DATE.fullmatch(value)) for value in present)
    return "dates" if dates >= 0.9 * len(present) else "text"


def _column_reason(series: pd.Series, column: _Column) -> str | None:
    """Why a column cannot be modelled, or None when it can."""
    n = len(column.values)
    n_missing = int(column.missing.sum())
    n_present = n - n_missing
    n_bad = int(column.bad.sum())
    if n_present == 0:
        return "empty"
    if n_bad == n_present:
        return _text_reason(series, column.bad)
    if n_present - n_bad < _NUMERIC_SHARE * n_present:
        return f"mixed types ({_count(n_bad, 'non-numeric value')})"
    finite = column.values[np.isfinite(column.values)]
    if finite.size == 0:
        return "no finite values"
    if n_missing > _MOSTLY_MISSING * n:
        return f"mostly missing ({n_missing} of {n} values)"
    if finite.min() == finite.max():
        return "constant"
    return None


def _is_counter(values: np.ndarray) -> bool:
    """True for 0..n-1 or 1..n exactly (how row numbers get saved)."""
    n = len(values)
    if n < 2 or not np.isfinite(values).all():
        return False
    steps = np.arange(n, dtype=float)
    return bool(np.array_equal(values, steps) or np.array_equal(values, steps + 1))


def _unique_names(names: list[str]) -> list[str]:
    """Make names unique: the second 'x' becomes 'x (2)', never clashing with a real name."""
    originals = set(names)
    taken: set[str] = set()
    next_k: dict[str, int] = {}
    out = []
    for name in names:
        if name not in taken:
            taken.add(name)
            out.append(name)
            continue
        k = next_k.get(name, 2)
        while f"{name} ({k})" in taken or f"{name} ({k})" in originals:
            k += 1
        next_k[name] = k + 1
        unique = f"{name} ({k})"
        taken.add(unique)
        out.append(unique)
    return out


# --------------------------------------------------------------------------------------
# Small helpers for messages
# --------------------------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _quote(name: str) -> str:
    """A column name fit for a one-line message: whitespace collapsed, shortened."""
    flat = " ".join(name.split())
    if len(flat) > _NAME_IN_MESSAGE:
        flat = flat[: _NAME_IN_MESSAGE - 3] + "..."
    return f"'{flat}'"


def _lines_list(numbers: list[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:5])
    return shown + (", ..." if len(numbers) > 5 else "")


# --------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------


def _read_table(
    data: bytes, filename: str, header: bool | None, skip_bad_lines: bool
) -> TableReadResult:
    _check_size(data)
    content_key = hashlib.sha256(data).hexdigest()
    if not data or data.isspace():
        raise GMMInputError("The file is empty. " + _UPLOAD_HINT)
    kind = _binary_kind(data)
    if kind is not None:
        raise _refuse_binary(kind)
    text, encoding = _decode(data)
    text = text.lstrip("\ufeff").rstrip("\x1a")  # stray BOM; DOS end-of-file marker
    _check_is_text(text)
    if not text.strip():
        raise GMMInputError("The file is empty (only blank lines). " + _UPLOAD_HINT)
    notes: list[str] = []
    if encoding in _ENCODING_NOTES:
        notes.append(_ENCODING_NOTES[encoding])

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    del text
    indices = _content_lines(lines, _SAMPLE_LINES + 1)
    forced_separator = None
    match = _EXCEL_SEP.fullmatch(lines[indices[0]].strip()) if indices else None
    if match and match.group(1) in ",;\t":
        forced_separator = match.group(1)
        indices = indices[1:]
        notes.append("Used the separator named on the first line (sep=...).")
    if not indices:
        raise GMMInputError(
            "The file has no table: it only holds blank lines and comment lines starting "
            "with '#'. " + _UPLOAD_HINT
        )
    indices = indices[:_SAMPLE_LINES]
    sample = [lines[index] for index in indices]
    _check_header_width(sample, indices)

    layout = _sniff_layout(sample, filename, forced_separator)
    head = _decide_header(lines, sample, indices, layout, header)
    if head.note:
        notes.append(head.note)
    if head.preamble:
        notes.append(f"Skipped {_count(head.preamble, 'line')} above the table (a title or notes).")

    cap = limits.MAX_ROWS_READ
    skip = head.extra + head.in_data
    scan = _scan_records(lines, head.data_line, layout, cap + skip)
    n_comments = scan.n_comments + sum(1 for line in lines[: head.data_line] if _is_comment(line))
    n_comments -= head.from_comment
    if scan.bad and not skip_bad_lines:
        raise _bad_lines_error(scan.bad, layout.n_columns)
    records = scan.records
    names = head.names
    if head.in_data and records and scan.first_line == head.data_line + 1:
        names = tuple(_record_fields(records[0], layout.separator))
        records = records[skip:]
    else:  # no header, or the header line itself was malformed and skipped: no names
        records = records[:cap]
    if n_comments:
        notes.append(f"Skipped {_count(n_comments, 'comment line')} starting with '#'.")
    if scan.bad:
        numbers = [entry[0] for entry in scan.bad]
        notes.append(
            f"Skipped {_count(len(numbers), 'malformed line')} (wrong number of fields or "
            f"unbalanced quotes): line {_lines_list(numbers)}."
        )
    if scan.truncated:
        notes.append(f"Read only the first {cap:,} data rows; the rest of the file was ignored.")

    if not records:
        if names is None:
            raise GMMInputError(
                "No data rows are left after skipping malformed lines. Check the separator "
                "and quoting of the file."
            )
        raise GMMInputError(
            "The file has a header row but no data rows. Add at least 2 rows of numbers "
            "below the header."
        )
    if len(records) == 1:
        raise GMMInputError(
            "The file has only one data row; a mixture model needs at least 2 rows (and many "
            "more for a useful fit). Add more rows."
        )

    del lines
    raw = _parse_records(records, layout)
    del records
    return _build_result(raw, layout, names, head.guessed, encoding, notes, content_key)


def _build_result(
    raw: pd.DataFrame,
    layout: _Layout,
    header: tuple[str, ...] | None,
    guessed: bool,
    encoding: str,
    notes: list[str],
    content_key: str,
) -> TableReadResult:
    """Classify columns, drop unusable rows, and check what is left can be modelled."""
    n, width = len(raw), layout.n_columns
    given = [field.strip() for field in header] if header is not None else []
    given = (given + [""] * width)[:width]
    names = _unique_names([name or f"column {j + 1}" for j, name in enumerate(given)])
    columns = [_parse_column(raw[j], layout.decimal) for j in range(width)]
    reasons: list[str | None] = [
        "saved index" if _INDEX_NAME.fullmatch(given[j]) else _column_reason(raw[j], columns[j])
        for j in range(width)
    ]
    del raw
    # An unnamed first column counting rows is a saved index, but only when something else
    # is left: a 1-D file of the numbers 1..n is data.
    if (
        reasons[0] is None
        and not given[0]
        and _is_counter(columns[0].values)
        and any(reason is None for reason in reasons[1:])
    ):
        reasons[0] = "saved index"
    kept = [j for j in range(width) if reasons[j] is None]
    if not kept:
        # Every usable column constant means every row is the same point: keep them and let
        # the note say so, instead of claiming there are no numbers.
        kept = [j for j in range(width) if reasons[j] == "constant"]
        for j in kept:
            reasons[j] = None
    column_cap = limits.MAX_COLUMNS
    if len(kept) > column_cap:
        for j in kept[column_cap:]:
            reasons[j] = f"too many columns (cap {column_cap})"
        notes.append(
            f"Only the first {column_cap} numeric columns are offered (the column cap); "
            f"{len(kept) - column_cap} more were left out."
        )
        kept = kept[:column_cap]
    if not kept:
        raise _no_numeric_error(names, reasons)

    X = np.column_stack([columns[j].values for j in kept])
    complete = np.isfinite(X).all(axis=1)
    n_complete = int(complete.sum())
    n_dropped = n - n_complete
    if n_dropped:
        notes.append(_dropped_note(n, n_dropped, [columns[j] for j in kept]))
    if n_complete == 0:
        worst = max(kept, key=lambda j: int(columns[j].missing.sum() + columns[j].bad.sum()))
        raise GMMInputError(
            "Every row has a missing, infinite or non-numeric value in at least one numeric "
            f"column (most gaps: {_quote(names[worst])}), so no rows are left. Fill the gaps "
            "or remove the sparsest columns, and upload again."
        )
    if n_complete == 1:
        raise GMMInputError(
            "Only one row is complete (no missing, infinite or non-numeric values); a "
            "mixture model needs at least 2 rows. Fill the gaps and upload again."
        )
    X = X[complete]

    varying = X.min(axis=0) != X.max(axis=0)
    if varying.any() and not varying.all():
        for k in np.flatnonzero(~varying):
            reasons[kept[k]] = "constant (after dropping incomplete rows)"
        X = X[:, varying]
        kept = [j for j, keep in zip(kept, varying, strict=True) if keep]

    largest = np.abs(X).max(axis=0)
    for k in np.flatnonzero(largest > _HUGE):
        raise GMMInputError(
            f"Values in column {_quote(names[kept[k]])} are too large (up to "
            f"{largest[k]:.0e}) for the mixture maths; rescale the column (for example divide "
            "it by a power of ten) or standardise it, then upload again."
        )

    frame = pd.DataFrame(X, columns=[names[j] for j in kept])
    notes.extend(_shape_notes(X, [names[j] for j in kept]))
    return TableReadResult(
        frame=frame,
        encoding=encoding,
        separator=layout.separator,
        has_header=header is not None,
        header_guessed=guessed,
        decimal=layout.decimal,
        n_rows_read=n,
        n_rows_dropped=n_dropped,
        left_out=tuple(
            ColumnNote(names[j], reason) for j, reason in enumerate(reasons) if reason is not None
        ),
        notes=tuple(notes),
        content_key=content_key,
    )


def _no_numeric_error(names: list[str], reasons: list[str | None]) -> GMMInputError:
    if all(reason == "empty" for reason in reasons):
        return GMMInputError(
            "The file contains only missing values (empty cells or NA). Fill in the numbers "
            "and upload again."
        )
    listed = [
        f"{_quote(name)} ({reason})"
        for name, reason in zip(names, reasons, strict=True)
        if reason is not None
    ]
    more = f" and {len(listed) - 8} more" if len(listed) > 8 else ""
    return GMMInputError(
        f"No numeric column to model: {', '.join(listed[:8])}{more}. The table needs at least "
        "one column of varying numbers (decimal point or decimal comma)."
    )


def _dropped_note(n: int, n_dropped: int, columns: list[_Column]) -> str:
    missing = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    infinite = np.zeros(n, dtype=bool)
    for column in columns:
        missing |= column.missing
        bad |= column.bad
        infinite |= np.isinf(column.values)
    parts = [
        f"{int(mask.sum())} with {what}"
        for mask, what in (
            (missing, "missing values"),
            (infinite, "infinite values"),
            (bad, "non-numeric values"),
        )
        if mask.any()
    ]
    return (
        f"Dropped {_count(n_dropped, 'row')} of {n} with a missing, infinite or non-numeric "
        f"value in a numeric column ({', '.join(parts)})."
    )


def _shape_notes(X: np.ndarray, names: list[str]) -> list[str]:
    """Warnings about data a mixture fit handles badly: few distinct values or points."""
    notes = []
    n = X.shape[0]
    # Hash-based counts are O(n); the distinct-row count is only needed when every column
    # is short of values, since a single column with k values already means >= k points.
    counts = [len(pd.unique(X[:, k])) for k in range(X.shape[1])]
    if n > _FEW_VALUES_MIN_ROWS and max(counts) > 1:
        for name, distinct in zip(names, counts, strict=True):
            if distinct <= _FEW_VALUES:
                notes.append(
                    f"Column {_quote(name)} has only {_count(distinct, 'distinct value')}: BIC "
                    "and AIC may mislead on such discrete data (a narrow component on each "
                    "value looks like a great fit)."
                )
    if max(counts) >= _FEW_POINTS:
        return notes
    points = distinct_rows(X)
    if points == 1:
        notes.append(
            "Only 1 distinct point: every row is the same, so there is nothing to cluster."
        )
    elif points < _FEW_POINTS:
        notes.append(
            f"Only {points} distinct points: a mixture cannot use more than {points} "
            "components here."
        )
    return notes
