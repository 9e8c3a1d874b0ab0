"""Published figures to fit and check the model against (``observations.csv``).

Not a model input: the observations do not feed the network, so they are kept out of its cache
key and read apart from :func:`~silkway.data.tables.load_tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from silkway.data.schema import Row, choice, table_rows, unique
from silkway.types import Mode

OBSERVATIONS_FILE = "observations.csv"  # published figures to fit and check against, not a model input
OBSERVATION_KINDS = frozenset({"observed", "advertised", "planned"})
OBSERVATION_BOUNDS = frozenset({"value", "range", "at_least", "at_most"})
# The service class of the run or product a figure describes, read from the row's quote and
# source title (never from a model's error):
#   first-run  the source reports the figure for an opening run of a route, service or operator
#              (first, maiden, inaugural, launch train, second train counted as such, pilot, test,
#              trial, demonstration, a train "welcomed" as a showcase), or what such a run is
#              planned to take;
#   express    the source names or sells the figure as that of a scheduled express, speed, fast,
#              high-speed or priority product (DHL "speed train", "Fast Rail", FESCO's fast
#              train service, Uztemiryul's high-speed freight train), faster than the
#              operator's standard trains; brand names of whole services (China Railway
#              Express, Chengdu-Europe Express) are not a class;
#   regular    everything else: ordinary services, schedules, averages, typical times, no
#              class stated; also the first train of a year or after a pause on an
#              established service, and milestone trains (the 10,000th).
# A first run that is also an express product is first-run when the figure is that run's.
OBSERVATION_SERVICES = ("regular", "express", "first-run")
OBSERVATION_CORRIDORS = frozenset({
    "middle-corridor", "middle-corridor-turkmen", "northern", "trans-siberian", "sea-suez",
    "sea-cape", "southern-iran", "trans-afghan", "kashgar-road", "cku", "china-central-asia",
    "sea-intra-asia", "border",
})
OBSERVATION_METRICS = {  # metric -> the one unit it is given in
    "transit_days": "days", "transit_hours": "hours", "distance_km": "km", "distance_nmi": "nmi",
    "cost_usd_per_feu": "USD/FEU", "cost_usd_per_teu": "USD/TEU",
    "cost_usd_per_container": "USD/container", "cost_usd_per_truck": "USD/truck",
    "cost_usd_per_500km_20t": "USD/500km/20t",
    "border_dwell_hours": "hours", "border_dwell_days": "days", "port_dwell_days": "days",
    "ferry_wait_days": "days", "crossing_hours": "hours", "sailing_interval_days": "days",
    "sailings_per_month": "per month", "handling_hours": "hours",
    "days_saved": "days", "days_added": "days", "distance_saved_km": "km", "speed_kmh": "km/h",
}
_OBSERVATION_COLUMNS = (
    "id", "origin", "destination", "in_network", "corridor", "via", "modes", "metric", "low",
    "high", "unit", "bound", "kind", "service", "year", "date", "source_title", "url", "date_read", "quote",
)


@dataclass(frozen=True, slots=True)
class Observation:
    """One published figure for a trip, a leg or a border: what was said, by whom, for when.

    ``low``/``high`` bound the published value (equal for a single figure); ``bound`` says
    whether the source gave a value, a range, or only a minimum or maximum ("from 19 days").
    ``kind`` separates what boxes took (observed) from what operators promise (advertised) and
    what a plan expects (planned). ``service`` is the class of the run or product the figure
    describes (:data:`OBSERVATION_SERVICES`: regular, express, first-run). ``in_network`` is
    true when origin and destination (if any) are places silkway resolves.
    """

    id: str
    origin: str
    destination: str
    in_network: bool
    corridor: str
    via: tuple[str, ...]
    modes: tuple[Mode, ...]
    metric: str
    low: float
    high: float
    unit: str
    bound: str
    kind: str
    service: str
    year: int | None
    date: str
    source_title: str
    url: str
    date_read: str
    quote: str



def _observation(r: Row) -> Observation:
    metric = choice(r, "metric", frozenset(OBSERVATION_METRICS))
    unit = r.text("unit")
    if unit != OBSERVATION_METRICS[metric]:
        raise r.fail(f"unit {unit!r} does not match metric {metric} ({OBSERVATION_METRICS[metric]})")
    low, high = r.num("low", lo=0, hi=1e6), r.num("high", lo=0, hi=1e6)
    if low > high:
        raise r.fail(f"low ({low:g}) is above high ({high:g})")
    bound = choice(r, "bound", OBSERVATION_BOUNDS)
    if (bound == "range") != (low < high):
        raise r.fail(f"bound {bound!r} does not fit low {low:g} / high {high:g}")
    year_raw = r.text("year", required=False)
    year = int(r.num("year", lo=1990, hi=2030)) if year_raw else None
    date = r.text("date", required=False)
    if date and not (re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date)
                     and (year is None or date[:4] == str(year))):
        raise r.fail(f"date {date!r} is not YYYY[-MM[-DD]] within year {year_raw or '(none)'}")
    url = r.text("url")
    if not url.startswith(("http://", "https://")):
        raise r.fail(f"url {url!r} is not an http(s) address")
    in_network = choice(r, "in_network", frozenset({"true", "false"})) == "true"
    modes = []
    for m in filter(None, (p.strip() for p in r.text("modes").split(";"))):
        try:
            modes.append(Mode(m))
        except ValueError:
            raise r.fail(f"mode {m!r} is not one of {[x.value for x in Mode]}") from None
    date_read = r.text("date_read")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_read):
        raise r.fail(f"date_read {date_read!r} is not YYYY-MM-DD")
    return Observation(
        r.text("id"), r.text("origin"), r.text("destination", required=False), in_network,
        choice(r, "corridor", OBSERVATION_CORRIDORS),
        tuple(v.strip() for v in r.text("via", required=False).split(";") if v.strip()),
        tuple(modes), metric, low, high, unit, bound, choice(r, "kind", OBSERVATION_KINDS),
        choice(r, "service", frozenset(OBSERVATION_SERVICES)), year, date,
        r.text("source_title"), url, date_read, r.text("quote"))


def parse_observations(text: str) -> tuple[Observation, ...]:
    """Parse and check the observations table (the shipped one, or a test's variant).

    Every row must name its source (title and URL) and quote where the figure is; a metric,
    kind, corridor or bound outside the closed sets, a unit that does not match its metric,
    service class or ``low > high`` is rejected.

    Raises
    ------
    DataError
        On the first malformed row or a duplicate id, naming file, line and problem.
    """
    rows = [_observation(r) for r in table_rows(OBSERVATIONS_FILE, text, _OBSERVATION_COLUMNS)]
    unique(OBSERVATIONS_FILE, rows, key=lambda o: o.id)
    return tuple(rows)


def load_observations() -> tuple[Observation, ...]:
    """Load and validate the shipped observations table (published transit days, distances, rates).

    Kept apart from :func:`load_tables`: the observations do not feed the network, so they are
    not part of its cache key.
    """
    text = resources.files("silkway.data").joinpath(OBSERVATIONS_FILE).read_text(encoding="utf-8")
    return parse_observations(text)


__all__ = ["OBSERVATIONS_FILE", "OBSERVATION_BOUNDS", "OBSERVATION_CORRIDORS", "OBSERVATION_KINDS",
           "OBSERVATION_METRICS", "OBSERVATION_SERVICES", "Observation", "load_observations",
           "parse_observations"]
