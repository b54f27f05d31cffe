"""Malformed and edge-case uploads, built in memory, shared by unit and app tests.

``GOOD_CASES`` maps a case name to ``(filename, data, expectation)`` where ``expectation``
is a dict; every key is optional except ``"shape"``:

* ``shape``: ``(rows, columns)`` of ``TableReadResult.frame``
* ``columns``: list of frame column names; ``values``: the whole frame as nested lists
* ``encoding``, ``separator``, ``decimal``, ``has_header``, ``header_guessed``,
  ``n_rows_read``, ``n_rows_dropped``: compared with the result's attributes
* ``left_out``: dict column name -> reason (exactly the result's ``left_out``)
* ``notes``: substrings, each of which must appear in one of the result's notes
* ``kwargs``: keyword arguments ``read_table`` needs for this case (for example
  ``{"skip_bad_lines": True}``); an app test should set the matching control or skip it.

``BAD_CASES`` maps a case name to ``(filename, data, message)``: ``read_table(data,
filename)`` with default arguments must raise ``GMMInputError`` whose text contains
``message`` (case-sensitive).

Everything is valid under the default caps in ``gmm_core.limits``; cases that need a
lowered cap live in ``test_io.py``.
"""

import codecs

from gmm_core import limits

__all__ = ["BAD_CASES", "GOOD_CASES"]


def _rows(*rows: str, eol: str = "\n") -> bytes:
    return (eol.join(rows) + eol).encode("utf-8")


def _many(n: int, row) -> str:
    return "\n".join(row(i) for i in range(n))


_WIDE = limits.MAX_HEADER_COLUMNS + 1

GOOD_CASES: dict[str, tuple[str, bytes, dict]] = {
    "plain_comma": (
        "plain.csv",
        _rows("x,y", "1,2", "3,4.5", "-1e3,6"),
        {
            "shape": (3, 2),
            "columns": ["x", "y"],
            "values": [[1, 2], [3, 4.5], [-1000, 6]],
            "encoding": "utf-8",
            "separator": ",",
            "decimal": ".",
            "has_header": True,
            "header_guessed": False,
            "n_rows_read": 3,
            "n_rows_dropped": 0,
            "left_out": {},
        },
    ),
    "semicolon_decimal_comma": (
        "eu.csv",
        _rows("a;b", "1,5;2,25", "3,0;-4,5", "0,25;1"),
        {
            "shape": (3, 2),
            "values": [[1.5, 2.25], [3, -4.5], [0.25, 1]],
            "separator": ";",
            "decimal": ",",
        },
    ),
    "semicolon_thousands_dot": (
        "eu_thousands.csv",
        _rows("amount;count", "1.234,5;2", "2.000,25;3", "10,5;4"),
        {
            "shape": (3, 2),
            "values": [[1234.5, 2], [2000.25, 3], [10.5, 4]],
            "separator": ";",
            "decimal": ",",
        },
    ),
    "semicolon_space_thousands": (
        "fr.csv",
        _rows("montant;n", "1 234,5;1", "2 000,25;2", "3,5;3"),
        {"shape": (3, 2), "values": [[1234.5, 1], [2000.25, 2], [3.5, 3]], "decimal": ","},
    ),
    "comma_quoted_thousands": (
        "us.csv",
        _rows("amount,count", '"1,234.5",2', '"2,000",3', "7,4"),
        {"shape": (3, 2), "values": [[1234.5, 2], [2000, 3], [7, 4]], "decimal": "."},
    ),
    "tsv_extension": (
        "data.tsv",
        _rows("x\ty", "1\t2", "3\t4", "5\t7"),
        {"shape": (3, 2), "separator": "\t", "values": [[1, 2], [3, 4], [5, 7]]},
    ),
    "tab_decimal_comma_named_csv": (
        "data.csv",
        _rows("x\ty", "1,5\t2", "2,5\t3", "4\t1,25"),
        {
            "shape": (3, 2),
            "separator": "\t",
            "decimal": ",",
            "values": [[1.5, 2], [2.5, 3], [4, 1.25]],
        },
    ),
    "utf8_bom": (
        "bom.csv",
        codecs.BOM_UTF8 + _rows("x,y", "1,2", "3,4", "5,7"),
        {"shape": (3, 2), "columns": ["x", "y"], "encoding": "utf-8-sig"},
    ),
    "utf16_le_bom": (
        "excel_unicode.csv",
        codecs.BOM_UTF16_LE + "température,y\n1,2\n3,4\n5,7\n".encode("utf-16-le"),
        {
            "shape": (3, 2),
            "columns": ["température", "y"],
            "encoding": "utf-16",
            "values": [[1, 2], [3, 4], [5, 7]],
        },
    ),
    "utf16_be_bom": (
        "be.csv",
        codecs.BOM_UTF16_BE + "x\ty\n1\t2\n3\t4\n5\t7\n".encode("utf-16-be"),
        {"shape": (3, 2), "encoding": "utf-16", "separator": "\t"},
    ),
    "utf16_le_no_bom": (
        "nobom.csv",
        "x,y\n1,2\n3,4\n5,7\n".encode("utf-16-le"),
        {"shape": (3, 2), "encoding": "utf-16-le", "values": [[1, 2], [3, 4], [5, 7]]},
    ),
    "cp1252_accents": (
        "windows.csv",
        "température;poids €\n1,5;2\n2,5;3\n3,5;5\n".encode("cp1252"),
        {
            "shape": (3, 2),
            "columns": ["température", "poids €"],
            "encoding": "cp1252",
            "decimal": ",",
            "notes": ["Windows-1252"],
        },
    ),
    "crlf_line_endings": (
        "crlf.csv",
        _rows("x,y", "1,2", "3,4", "5,7", eol="\r\n"),
        {"shape": (3, 2), "values": [[1, 2], [3, 4], [5, 7]]},
    ),
    "old_mac_cr_line_endings": (
        "cr.csv",
        _rows("x,y", "1,2", "3,4", "5,7", eol="\r"),
        {"shape": (3, 2), "values": [[1, 2], [3, 4], [5, 7]]},
    ),
    "trailing_blank_lines": (
        "blank_tail.csv",
        b"x,y\n1,2\n3,4\n5,7\n\n\n   \n\t\n",
        {"shape": (3, 2), "n_rows_read": 3, "n_rows_dropped": 0},
    ),
    "separator_only_filler_rows": (
        "filler.csv",
        b"x,y\n1,2\n,,\n3,4\n , \n5,7\n,\n",
        {"shape": (3, 2), "n_rows_read": 3, "n_rows_dropped": 0},
    ),
    "comment_lines": (
        "comments.csv",
        _rows("# exported by sensor tool", "# units: cm", "x,y", "1,2", "# pause", "3,4", "5,7"),
        {"shape": (3, 2), "columns": ["x", "y"], "notes": ["Skipped 3 comment lines"]},
    ),
    "title_preamble": (
        "titled.csv",
        _rows("Sensor readings (March 2024)", "", "x,y,z", "1,2,3", "4,5,6", "7,8,10"),
        {
            "shape": (3, 3),
            "columns": ["x", "y", "z"],
            "notes": ["Skipped 1 line above the table"],
        },
    ),
    "excel_sep_line": (
        "excel_sep.csv",
        _rows("sep=;", "x;y", "1;2", "3;4", "5;7"),
        {"shape": (3, 2), "separator": ";", "columns": ["x", "y"], "notes": ["sep="]},
    ),
    "headerless": (
        "noheader.csv",
        _rows("1,2", "3,4", "5,7"),
        {
            "shape": (3, 2),
            "columns": ["column 1", "column 2"],
            "has_header": False,
            "header_guessed": False,
            "values": [[1, 2], [3, 4], [5, 7]],
        },
    ),
    "header_numbers_as_names": (
        "years.csv",
        _rows("id,2019,2020", "1,5,6", "2,7,8", "3,9,1"),
        {
            "shape": (3, 3),
            "columns": ["id", "2019", "2020"],
            "has_header": True,
            "header_guessed": True,
        },
    ),
    "header_forced_true": (
        "forced_true.csv",
        _rows("1,2", "3,4", "5,7", "7,1"),
        {
            "shape": (3, 2),
            "columns": ["1", "2"],
            "has_header": True,
            "header_guessed": False,
            "kwargs": {"header": True},
        },
    ),
    "header_forced_false": (
        "forced_false.csv",
        ("x,y\n" + _many(25, lambda i: f"{i},{i * i % 7}") + "\n").encode(),
        {
            "shape": (25, 2),
            "columns": ["column 1", "column 2"],
            "has_header": False,
            "n_rows_read": 26,
            "n_rows_dropped": 1,
            "notes": ["1 with non-numeric values"],
            "kwargs": {"header": False},
        },
    ),
    "units_row_below_header": (
        "units.csv",
        _rows("x,y", "cm,kg", "1,2", "3,4", "5,7"),
        {"shape": (3, 2), "columns": ["x", "y"], "notes": ["just below the header"]},
    ),
    "numpy_savetxt_comment_header": (
        "savetxt.txt",
        _rows(
            "# x y",
            "1.000000000000000000e+00 2.000000000000000000e+00",
            "3.0e+00 4.5e+00",
            "5.0e+00 7.0e+00",
        ),
        {
            "shape": (3, 2),
            "separator": " ",
            "columns": ["x", "y"],
            "has_header": True,
            "header_guessed": True,
            "values": [[1, 2], [3, 4.5], [5, 7]],
        },
    ),
    "whitespace_separated": (
        "columns.txt",
        _rows("  1.0  2.0", "3.0 4.0", "5.5\t7.0"),
        {"shape": (3, 2), "separator": " ", "values": [[1, 2], [3, 4], [5.5, 7]]},
    ),
    "single_column": (
        "one.csv",
        _rows("x", "1", "2", "3.5"),
        {"shape": (3, 1), "columns": ["x"], "values": [[1], [2], [3.5]]},
    ),
    "text_and_dates_left_out": (
        "people.csv",
        _rows("name,when,x,y", "ann,2024-01-01,1,2", "bob,2024-01-02,3,5", "cat,2024-02-01,4,1"),
        {"shape": (3, 2), "columns": ["x", "y"], "left_out": {"name": "text", "when": "dates"}},
    ),
    "bool_column": (
        "flags.csv",
        _rows("flag,x", "True,1", "False,2", "True,3"),
        {"shape": (3, 1), "left_out": {"flag": "true/false values"}},
    ),
    "mixed_types_left_out": (
        "codes.csv",
        _rows("x,code", "1,10", "2,A7", "3,12", "4,B9", "5,11"),
        {"shape": (5, 1), "left_out": {"code": "mixed types (2 non-numeric values)"}},
    ),
    "mixed_mostly_numeric_kept": (
        "oops.csv",
        ("x,y\n" + _many(40, lambda i: f"{i},{'oops' if i == 7 else i % 9}") + "\n").encode(),
        {
            "shape": (39, 2),
            "n_rows_read": 40,
            "n_rows_dropped": 1,
            "left_out": {},
            "notes": ["Dropped 1 row of 40", "1 with non-numeric values"],
        },
    ),
    "constant_column": (
        "constant.csv",
        _rows("x,c,y", "1,7,2", "2,7,3", "3,7,5"),
        {"shape": (3, 2), "columns": ["x", "y"], "left_out": {"c": "constant"}},
    ),
    "empty_column": (
        "empty_col.csv",
        _rows("x,blank,y", "1,,2", "2,,3", "3,,5"),
        {"shape": (3, 2), "left_out": {"blank": "empty"}},
    ),
    "mostly_missing_column": (
        "sparse.csv",
        _rows("x,sparse,y", "1,,2", "2,,3", "3,5,5", "4,,1"),
        {"shape": (4, 2), "left_out": {"sparse": "mostly missing (3 of 4 values)"}},
    ),
    "saved_index_unnamed": (
        "pandas_index.csv",
        _rows(",x,y", "0,1.5,2", "1,2.5,3", "2,3.5,5"),
        {"shape": (3, 2), "columns": ["x", "y"], "left_out": {"column 1": "saved index"}},
    ),
    "saved_index_named": (
        "pandas_twice.csv",
        _rows("Unnamed: 0,x,y", "0,1.5,2", "1,2.5,3", "2,4,5"),
        {"shape": (3, 2), "left_out": {"Unnamed: 0": "saved index"}},
    ),
    "r_write_csv_rownames": (
        "from_r.csv",
        _rows('"","x","y"', '"1",1,2', '"2",3,4', '"3",5,7'),
        {"shape": (3, 2), "columns": ["x", "y"], "left_out": {"column 1": "saved index"}},
    ),
    "missing_and_infinite_rows": (
        "gaps.csv",
        _rows("x,y", "1,2", "NA,3", "4,inf", "5,", "6,7", "-inf,1", "8,9"),
        {
            "shape": (3, 2),
            "values": [[1, 2], [6, 7], [8, 9]],
            "n_rows_read": 7,
            "n_rows_dropped": 4,
            "notes": ["Dropped 4 rows of 7", "2 with missing values", "2 with infinite values"],
        },
    ),
    "na_tokens_and_excel_errors": (
        "tokens.csv",
        _rows("x,y", "1,2", "n/a,3", "4,#DIV/0!", "-,5", "6,NULL", "7,8", "?,1", "9,10"),
        {"shape": (3, 2), "n_rows_dropped": 5, "left_out": {}},
    ),
    "unicode_minus": (
        "minus.csv",
        _rows("x,y", "\u22121.5,2", "3,4", "5,7"),
        {"shape": (3, 2), "values": [[-1.5, 2], [3, 4], [5, 7]]},
    ),
    "duplicate_names": (
        "dups.csv",
        _rows("x,x,y", "1,2,3", "2,3,5", "3,5,4"),
        {"shape": (3, 3), "columns": ["x", "x (2)", "y"]},
    ),
    "formula_html_markdown_names": (
        "nasty_names.csv",
        _rows(
            "\"=cmd|' /C calc'!A0\",<b>bold</b>,**md** [link](http://e.x),  padded  ",
            "1,2,3,4",
            "2,3,5,5",
            "3,5,4,7",
        ),
        {
            "shape": (3, 4),
            "columns": ["=cmd|' /C calc'!A0", "<b>bold</b>", "**md** [link](http://e.x)", "padded"],
        },
    ),
    "quoted_separator_in_text": (
        "quoted.csv",
        _rows("label,x,y", '"a,b",1,2', '"c ""q""",3,4', '"d",5,7'),
        {"shape": (3, 2), "left_out": {"label": "text"}},
    ),
    "multiline_quoted_field": (
        "multiline.csv",
        _rows('label,x,"long', 'name"', '"line one', 'line two",1,2', "b,3,4", "c,5,7"),
        {
            "shape": (3, 2),
            "columns": ["x", "long\nname"],
            "left_out": {"label": "text"},
            "values": [[1, 2], [3, 4], [5, 7]],
        },
    ),
    "trailing_separator": (
        "trailing.csv",
        _rows("x,y,", "1,2,", "3,4,", "5,7,"),
        {"shape": (3, 2), "columns": ["x", "y"], "left_out": {"column 3": "empty"}},
    ),
    "trailing_separator_data_only": (
        "trailing_data.csv",
        _rows("x,y", "1,2,", "3,4,", "5,7,"),
        {
            "shape": (3, 2),
            "columns": ["x", "y"],
            "left_out": {"column 3": "empty"},
            "header_guessed": True,
        },
    ),
    "identical_rows": (
        "same.csv",
        _rows("x,y", "1,2", "1,2", "1,2", "1,2"),
        {"shape": (4, 2), "notes": ["Only 1 distinct point"], "left_out": {}},
    ),
    "few_distinct_points": (
        "few.csv",
        _rows("x,y", "1,2", "3,4", "1,2", "3,4", "5,5"),
        {"shape": (5, 2), "notes": ["Only 3 distinct points"]},
    ),
    "discrete_column": (
        "discrete.csv",
        ("x,k\n" + _many(30, lambda i: f"{i * 0.37:.2f},{i % 3}") + "\n").encode(),
        {"shape": (30, 2), "notes": ["'k' has only 3 distinct values"]},
    ),
    "ragged_rows_skipped": (
        "ragged_ok.csv",
        _rows("x,y", "1,2", "3,4,5", "6,7", "8", "9,10"),
        {
            "shape": (3, 2),
            "values": [[1, 2], [6, 7], [9, 10]],
            "n_rows_read": 3,
            "notes": ["Skipped 2 malformed lines", "line 3, 5"],
            "kwargs": {"skip_bad_lines": True},
        },
    ),
    "unclosed_quote_skipped": (
        "quote_ok.csv",
        _rows("x,y", "1,2", '"3,4', "5,6", "7,8"),
        {
            "shape": (3, 2),
            "values": [[1, 2], [5, 6], [7, 8]],
            "notes": ["Skipped 1 malformed line", "line 3"],
            "kwargs": {"skip_bad_lines": True},
        },
    ),
}

BAD_CASES: dict[str, tuple[str, bytes, str]] = {
    "empty_zero_bytes": ("empty.csv", b"", "The file is empty"),
    "only_whitespace": ("blank.csv", b" \n\n\t \r\n", "The file is empty"),
    "only_bom": ("bom_only.csv", codecs.BOM_UTF8 + b"\r\n", "The file is empty"),
    "only_comments": (
        "comments.csv",
        b"# nothing here\n# at all\n",
        "only holds blank lines and comment lines",
    ),
    "header_only": ("header.csv", b"x,y,z\n", "header row but no data rows"),
    "header_only_crlf_semicolon": ("header2.csv", b"x;y\r\n\r\n", "header row but no data rows"),
    "one_data_row": ("one.csv", b"x,y\n1,2\n", "needs at least 2 rows"),
    "one_headerless_row": ("one_row.csv", b"1,2,3", "needs at least 2 rows"),
    "no_numeric_column": (
        "words.csv",
        _rows("name,city", "ann,paris", "bob,rome", "cat,oslo"),
        "No numeric column to model: 'name' (text), 'city' (text)",
    ),
    "dates_and_text_only": (
        "dates.csv",
        _rows("when,label", "2024-01-01,a", "2024-01-02,b", "2024-01-05,c"),
        "No numeric column to model: 'when' (dates), 'label' (text)",
    ),
    "prose": (
        "letter.csv",
        _rows("Dear team,", "please find the numbers attached.", "Best regards"),
        "No numeric column to model",
    ),
    "only_missing_values": (
        "missing.csv",
        _rows("x,y", "NA,", ",NA", "nan,-"),
        "only missing values",
    ),
    "no_complete_rows": (
        "holes.csv",
        _rows("x,y", "1,", ",2", "3,", ",4"),
        "Every row has a missing, infinite or non-numeric value",
    ),
    "one_complete_row": ("holes2.csv", _rows("x,y", "1,2", "3,", ",4"), "Only one row is complete"),
    "png_image": (
        "photo.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        "looks like a PNG image, not a text table",
    ),
    "jpeg_image": (
        "photo2.csv",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
        "looks like a JPEG image",
    ),
    "gif_image": ("anim.csv", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "looks like a GIF image"),
    "zip_archive": (
        "bundle.csv",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00data.csv\x00\x00",
        "looks like a ZIP archive",
    ),
    "xlsx_workbook": (
        "book.csv",
        b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml\x00\x00PK\x03\x04xl/workbook.xml",
        "looks like an Excel workbook (.xlsx)",
    ),
    "xls_workbook": (
        "old.csv",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
        "looks like an old-style Office file",
    ),
    "gzip_file": ("data.csv", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "gzip-compressed"),
    "seven_zip": ("data2.csv", b"7z\xbc\xaf\x27\x1c\x00\x04", "looks like a 7-Zip archive"),
    "pdf_document": (
        "report.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "looks like a PDF document",
    ),
    "elf_executable": ("tool.csv", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40, "ELF executable"),
    "windows_executable": (
        "setup.csv",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
        "looks like a Windows executable",
    ),
    "nul_bytes": ("nul.csv", b"x,y\n1,2\x00\x00\n3,4\n5,7\n", "contains NUL bytes"),
    "control_character_garbage": (
        "noise.csv",
        bytes(range(1, 256)) * 8,
        "looks like binary data, not a text table",
    ),
    "html_page": (
        "page.csv",
        b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>\n",
        "looks like an HTML page",
    ),
    "json_data": ("data.csv", b'[{"x": 1, "y": 2}, {"x": 3, "y": 4}]\n', "looks like JSON data"),
    "utf16_truncated": (
        "cut.csv",
        codecs.BOM_UTF16_LE + "x,y\n1,2\n".encode("utf-16-le") + b"\x00",
        "not valid UTF-16",
    ),
    "ragged_extra_field": (
        "ragged.csv",
        _rows("x,y", "1,2", "3,4,5", "6,7"),
        "Line 3 has 3 fields, but the table has 2 columns",
    ),
    "ragged_short_row": (
        "short.csv",
        _rows("x,y,z", "1,2,3", "4,5", "6,7,8"),
        "Line 3 has 2 fields, but the table has 3 columns",
    ),
    "ragged_many_lines": (
        "ragged_many.csv",
        _rows("x,y", "1,2", "3,4,5", "6,7", "8", "9,10", "1,2,3"),
        "(3 malformed lines in all; also line 5, 7)",
    ),
    "unclosed_quote": (
        "quote.csv",
        _rows("x,y", "1,2", '"3,4', "5,6"),
        'Line 3 has an unbalanced quote (") that is never closed',
    ),
    "wide_header": (
        "wide.csv",
        (",".join(f"c{i}" for i in range(_WIDE)) + "\n" + ",".join(["1"] * _WIDE) + "\n").encode(),
        f"Line 1 has {_WIDE} fields, more than the {limits.MAX_HEADER_COLUMNS} columns",
    ),
    "huge_values": (
        "huge.csv",
        _rows("x,y", "1e200,1", "2,2", "3,5"),
        "Values in column 'x' are too large (up to 1e+200)",
    ),
}
