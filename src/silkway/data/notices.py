"""``passage_notices.csv``: what the data's period says of a passage the network keeps open.

The base tables keep every sea passage open; a scenario closes one (``red-sea-closed``). Where,
in the period the data describe (``as_of.csv``), boxes mostly did not use an open passage, a
row here says so: a plan whose routes pass it carries the notice (``notices`` in the plan JSON,
a line under the CLI's table, a note on the web page) with the scenario that plans the way boxes
went. A scenario that sets its own period (an era) carries the rows of that period only.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkway.data.schema import Provenance, table_rows
from silkway.types import Passage

HEADER = ("as_of", "passage", "notice", "scenario", "source", "estimate")
MAX_NOTICE = 400  # characters: one sentence a table footnote can hold


@dataclass(frozen=True, slots=True)
class PassageNotice:
    """A passage open in the tables that boxes mostly did not use in period ``as_of``."""

    as_of: str
    passage: Passage
    notice: str
    scenario: str
    provenance: Provenance


def parse_notices(text: str | None) -> tuple[PassageNotice, ...]:
    """Rows of ``passage_notices.csv`` (none when the file is absent)."""
    if text is None:
        return ()
    out = []
    seen: set[tuple[str, Passage]] = set()
    for r in table_rows("passage_notices.csv", text, HEADER):
        raw = r.text("passage")
        try:
            passage = Passage(raw)
        except ValueError:
            raise r.fail(f"passage {raw!r} is not one of {[p.value for p in Passage]}") from None
        as_of, notice = r.text("as_of"), r.text("notice")
        if len(notice) > MAX_NOTICE:
            raise r.fail(f"notice is {len(notice)} characters, over {MAX_NOTICE}")
        if (as_of, passage) in seen:
            raise r.fail(f"a second notice for {passage.value} in {as_of}")
        seen.add((as_of, passage))
        out.append(PassageNotice(as_of, passage, notice, r.text("scenario"), r.provenance()))
    return tuple(out)
