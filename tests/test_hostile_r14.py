"""Hostile input, round 14: structured option values that hold more than their shape."""

from __future__ import annotations

import pytest

from cli_errors import invoke, one_error_line


@pytest.mark.parametrize("typed", ["Toyama:Aktau:Baku", "Toyama::Aktau"])
def test_a_pair_with_two_colons_says_a_pair_takes_one(cache_dir, tmp_path, typed):
    """``--pair Toyama:Aktau:Baku`` read 'Aktau:Baku' as the destination and said "unknown
    place 'Aktau:Baku'", as if the user had misspelt a place."""
    line = one_error_line(invoke(["sweep", "--serial", "--pair", typed, "--vary",
                                  "tariff:ferry_caspian:wait_factor=0.5,1",
                                  "-o", str(tmp_path / "s.csv")], cache_dir), 2)
    assert f"--pair {typed!r} is not ORIGIN:DESTINATION" in line
    assert "one colon" in line
    assert "unknown place" not in line
    assert not (tmp_path / "s.csv").exists()
