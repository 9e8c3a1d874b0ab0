"""Check that a change to the planner changes no answer: the full plan JSON of the benchmark's
380 pairs, against the code of another git revision, in one run.

Run with ``python benchmarks/check_answers.py --against main`` (any git revision of this
repository; ``--pairs-seed`` as ``bench_plan.py``'s ``--seed``). For each of the 380 ordered
pairs of ``bench_plan.py`` it plans, with every corridor answered (``corridors="all"``, so a
corridor's reason sentence counts too): without constraints, with the benchmark's random avoid
set of its first two rounds, and by the p90, cost and co2e objectives; 2,280 plans in all. The
plan JSON (``PlanResult.to_dict()``, or the error's class and message for a plan that has no
route) of this checkout is compared with the one the code of ``--against`` writes, planned in a
fresh process (this script with the other revision's ``src``) on the same compiled network; any
difference is printed and the exit code is 1.
``--write FILE`` only writes this checkout's answers (one JSON line per query).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent


def queries(net: object, seed: int) -> Iterator[tuple[str, str, dict[str, object]]]:
    sys.path.insert(0, str(HERE))
    from bench_plan import _avoid, pairs_of

    for i, (o, d) in enumerate(pairs_of(net, seed)):  # type: ignore[arg-type]
        yield o, d, {}
        for r in range(2):
            yield o, d, {"avoid": _avoid(net, o, d, seed + 1000 * r + i)}  # type: ignore[arg-type]
        for objective in ("p90", "cost", "co2e"):
            yield o, d, {"objective": objective}


def write(path: str, seed: int, cache_dir: str | None) -> None:
    import silkway

    net = silkway.load_network(cache_dir)
    with Path(path).open("w", encoding="utf-8") as f:
        for o, d, kw in queries(net, seed):
            try:
                answer: object = silkway.plan(net, o, d, corridors="all", **kw).to_dict()  # type: ignore[arg-type]
            except silkway.SilkwayError as e:
                answer = {"error": type(e).__name__, "message": str(e)}
            f.write(json.dumps({"query": [o, d, kw], "answer": answer}, sort_keys=True) + "\n")


def _diff(a: object, b: object, where: str = "") -> str:
    """The first place two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _diff(a.get(k), b.get(k), f"{where}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _diff(x, y, f"{where}[{i}]")
    return f"{where}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", help="a git revision whose answers must be the same")
    ap.add_argument("--write", help="only write this checkout's answers to this file")
    ap.add_argument("--pairs-seed", type=int, default=14)
    ap.add_argument("--cache-dir", default=os.environ.get("SILKWAY_CACHE_DIR"))
    ap.add_argument("--show", type=int, default=10, help="differences printed [default: 10]")
    args = ap.parse_args()
    if args.write:
        write(args.write, args.pairs_seed, args.cache_dir)
        return
    if not args.against:
        ap.error("give --against REVISION (or --write FILE)")
    repo = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp, "ref")
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(repo), "archive", args.against, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        outputs = []
        for root in (tree, repo):
            out = Path(tmp, f"{root.name}.jsonl")
            env = {**os.environ, "PYTHONPATH": str(root / "src")}
            # this script (the same queries) with the other revision's package
            cmd = [sys.executable, str(Path(__file__).resolve()), "--write", str(out),
                   "--pairs-seed", str(args.pairs_seed)]
            if args.cache_dir:
                cmd += ["--cache-dir", args.cache_dir]
            subprocess.run(cmd, env=env, check=True)
            outputs.append(out.read_text(encoding="utf-8").splitlines())
    ref, new = outputs
    bad = 0
    for x, y in zip(ref, new, strict=True):
        if x != y:
            bad += 1
            a, b = json.loads(x), json.loads(y)
            if bad <= args.show:
                print(f"DIFFERENT {a['query']}: {_diff(a['answer'], b['answer'])}")
    print(f"{len(new)} plans compared with {args.against}: {bad} different")
    print(f"{'PASS' if bad == 0 and len(ref) == len(new) else 'FAIL'}: every answer unchanged")
    sys.exit(1 if bad or len(ref) != len(new) else 0)


if __name__ == "__main__":
    main()
