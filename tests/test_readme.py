"""Every `silkway …` command of the README's "Using it" block runs word for word."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silkway.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
SKIP = {"serve": "starts a server (tests/test_api_faults.py runs it for real)"}


def _commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    out = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "silkway":
            out.append(line.split("#", 1)[0].strip() if "#" in line else line.strip())
    return out


COMMANDS = _commands()


def test_the_readme_has_the_commands() -> None:
    assert len(COMMANDS) >= 20
    assert any("--via Aktau" in c for c in COMMANDS)
    assert any('"Xi\'an"' in c for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[8:60])
def test_readme_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             cache_dir: Path) -> None:
    words = shlex.split(command, comments=True)[1:]
    if words[0] in SKIP:
        pytest.skip(SKIP[words[0]])
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SILKWAY_CACHE_DIR", str(cache_dir))
    if words[0] == "batch":
        Path(words[1]).write_text("id,origin,destination,count,avoid\n"
                                  "a,Toyama,Bishkek,2,\"RU,BY\"\nb,Busan,Tashkent,1,\n",
                                  encoding="utf-8")
    r = CliRunner().invoke(app, words)
    assert r.exit_code == 0, (command, r.output)
    if target is not None:
        Path(target).write_text(r.stdout, encoding="utf-8")
        assert Path(target).stat().st_size > 100
