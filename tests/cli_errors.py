"""What the hostile-input tests ask of a CLI command that refuses its input: no traceback, the
exit code, nothing on stdout and one ``error:`` line on stderr."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from silkway.cli import MAX_DETAIL_CHARS, app

runner = CliRunner()


def invoke(args: list[str], cache_dir: Path):
    return runner.invoke(app, [*args, "--cache-dir", str(cache_dir)], env={"COLUMNS": "120"})


def one_error_line(r, code: int) -> str:
    out = r.stdout + r.stderr
    assert "Traceback" not in out, out[-2000:]
    assert r.exit_code == code, (r.exit_code, out[-2000:])
    assert r.stdout == "", r.stdout[:500]
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr[:2000]
    assert lines[0].startswith("error: ") and len(lines[0]) <= MAX_DETAIL_CHARS + 10
    return lines[0]
