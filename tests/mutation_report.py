"""Summarise the last `mutmut run` over priorauth/domain/ and fail on unexplained survivors.

Run from the repository root after `mutmut run` (what `make mutation` does):

    .venv/bin/python tests/mutation_report.py

Prints per module: mutants, killed (a timeout counts as killed), survivors accepted as
equivalent in tests/mutation_equivalents.txt, and survivors left. Then lists every survivor
that is not on that list (or whose mutation no longer matches the listed one) and exits 1 if
there is any. A mutant that was never checked or had no test also counts as left.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
META_DIR = ROOT / "mutants" / "priorauth" / "domain"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"

# mutmut's exit codes (mutmut/stats.py); a timeout or type-check failure means detected.
KILLED_CODES = {1, 3, 24, -24, 36, 37, 152, 255}
SURVIVED_CODES = {0}


@dataclass(frozen=True)
class Equivalent:
    mutant: str
    added: tuple[str, ...]
    reason: str


def parse_equivalents(text: str) -> dict[str, Equivalent]:
    """Entries: a mutant id line, then indented '+ <mutated line>' lines and a 'why:' line."""
    entries: dict[str, Equivalent] = {}
    mutant, added, reason = None, [], ""

    def close():
        if mutant is not None:
            if not added or not reason:
                raise ValueError(f"{EQUIVALENTS.name}: {mutant} needs '+' lines and a 'why:'")
            entries[mutant] = Equivalent(mutant, tuple(added), reason)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not raw[0].isspace():
            close()
            mutant, added, reason = line, [], ""
        elif line.startswith("+"):
            added.append(line[1:].strip())
        elif line.startswith("why:"):
            reason = line[4:].strip()
        else:
            raise ValueError(f"{EQUIVALENTS.name}: cannot read {raw!r}")
    close()
    return entries


def load_results() -> dict[str, dict[str, int | None]]:
    """{module file name: {mutant id: exit code}} from mutmut's .meta files."""
    results = {}
    for meta in sorted(META_DIR.glob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            results[meta.name.removesuffix(".meta")] = codes
    return results


def added_lines(mutant: str, module: str) -> tuple[str, ...]:
    """The '+' lines of the mutant's diff, stripped, as `mutmut show` prints them."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(mutant, path=f"priorauth/domain/{module}")
    lines = diff.splitlines()
    return tuple(x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++"))


def classify(module: str, codes: dict, listed: dict[str, Equivalent]) -> tuple[Counter, list]:
    """Count killed / equivalent / left for one module; return the unexplained survivors."""
    counts, unexplained = Counter(mutants=len(codes)), []
    for mutant, code in sorted(codes.items()):
        if code in KILLED_CODES:
            counts["killed"] += 1
            continue
        if code in SURVIVED_CODES and mutant in listed:
            if added_lines(mutant, module) == listed[mutant].added:
                counts["equivalent"] += 1
                continue
            unexplained.append((mutant, "listed as equivalent, but the mutation is now different"))
        elif code in SURVIVED_CODES:
            unexplained.append((mutant, "survived"))
        else:
            unexplained.append((mutant, f"not killed (exit code {code})"))
        counts["survived"] += 1
    return counts, unexplained


def main() -> int:
    results = load_results()
    if not results:
        print("No mutmut results under mutants/: run `make mutation`.", file=sys.stderr)
        return 2
    listed = parse_equivalents(EQUIVALENTS.read_text())
    os.chdir(ROOT)  # mutmut reads mutants/ relative to the working directory
    header = f"{'module':<28}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'survived':>9}{'score':>9}"
    print(header)
    print("-" * len(header))
    total, unexplained = Counter(), []
    for module, codes in results.items():
        counts, left = classify(module, codes, listed)
        total.update(counts)
        unexplained += left
        print(row(f"domain/{module}", counts))
    print("-" * len(header))
    print(row("total", total))
    seen = {m for codes in results.values() for m in codes}
    stale = sorted(m for m in listed if m not in seen or _killed(m, results))
    for mutant in stale:
        print(f"note: {mutant} is listed as equivalent but no longer survives; remove it")
    if unexplained:
        print(f"\n{len(unexplained)} survivor(s) not on {EQUIVALENTS.relative_to(ROOT)}:")
        for mutant, why in unexplained:
            print(f"  {mutant}: {why}")
        print("Read one with `.venv/bin/mutmut show <id>`; docs/testing.md says what to do.")
        return 1
    print("\nEvery mutant is killed or listed as equivalent.")
    return 0


def _killed(mutant: str, results: dict) -> bool:
    return any(codes.get(mutant) in KILLED_CODES for codes in results.values())


def row(name: str, counts: Counter) -> str:
    """One table row; score = killed / (mutants - equivalent)."""
    mutants, killed, equivalent = counts["mutants"], counts["killed"], counts["equivalent"]
    scored = mutants - equivalent
    score = f"{100 * killed / scored:.1f} %" if scored else "-"
    cells = f"{mutants:>8}{killed:>8}{equivalent:>8}{counts['survived']:>9}{score:>9}"
    return f"{name:<28}{cells}"


if __name__ == "__main__":
    sys.exit(main())
