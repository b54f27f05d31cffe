"""The serving process's own settings (ui/process.py)."""

import platform

import pytest

from ui.process import configure_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="only glibc needs the settings")
def test_glibc_accepts_both_malloc_settings():
    """mallopt answers 0 to a parameter it does not know: this fails on a wrong number."""
    assert configure_malloc() is True
