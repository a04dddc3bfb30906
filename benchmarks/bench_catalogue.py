"""The catalogue on real users' failure formats, and its throughput against grep, in one run.

1. Recall and precision per area on the labelled corpus (tests/corpus: the cases the rules were
   grown on) and, when present, on a fresh corpus written later from other sources
   (tests/corpus_fresh: measured, never tuned on).
2. Throughput on a large log made of the corpus's healthy lines with one failure line every 2,000: the
   engine (each prefilter engine installed) against ``grep -c -E`` over comparable signatures (one
   literal per rule, the longest of its first pattern), measured in the same run on the same file;
   peak memory of the engine.

    python benchmarks/bench_catalogue.py [--megabytes 360]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus_cases import AREAS, CORPUS, Score, load_cases, score  # noqa: E402

import amlnbtools  # noqa: E402
from amlnbtools.core import Scanner, default_catalogue  # noqa: E402

FRESH = ROOT / "tests" / "corpus_fresh"
GOAL_RATIO = 0.6  # of grep's throughput


def _table(title: str, scores: dict[str, Score]) -> list[str]:
    rows = [title, f"  {'area':<16}{'cases':>6}{'recall':>9}{'precision':>11}{'wrong':>7}{'root first':>12}"]
    total = Score()
    for area in [a for a in AREAS if a in scores] + sorted(set(scores) - set(AREAS)):
        s = scores[area]
        rows.append(f"  {area:<16}{s.cases:>6}{s.recall:>9.0%}{s.precision:>11.0%}{s.wrong:>7}"
                    f"{s.primary_right:>8}/{s.cases:<3}")
        for key in ("cases", "wanted", "found", "wrong", "primary_right"):
            setattr(total, key, getattr(total, key) + getattr(s, key))
    rows.append(f"  {'all':<16}{total.cases:>6}{total.recall:>9.0%}{total.precision:>11.0%}{total.wrong:>7}"
                f"{total.primary_right:>8}/{total.cases:<3}")
    return rows


def corpus_tables() -> list[str]:
    def run(data: bytes):
        return amlnbtools.diagnose(data, language="en")

    out = _table(f"catalogue of {len(default_catalogue().rules)} rules on tests/corpus (grown on it):",
                 score(load_cases(), run))
    if FRESH.is_dir() and any(FRESH.glob("*/cases.toml")):
        fresh = load_cases(FRESH)
        title = "on tests/corpus_fresh (written after the rules, from threads the first corpus did not use):"
        out += ["", *_table(title, score(fresh, run))]
    return out


def signatures() -> list[str]:
    """One literal per rule: the longest run of plain characters in its first pattern."""
    sigs = []
    for rule in default_catalogue().rules:
        source = rule.patterns[0].source
        runs = re.findall(r"(?:[A-Za-z0-9 _:,'/-]|\\[.()/\[\]])+", re.sub(r"\(\?[a-zA-Z]+:", "", source))
        literal = max((r.replace("\\", "") for r in runs), key=len).strip()
        if len(literal) >= 4:
            sigs.append(literal)
    return sigs


def _lines() -> tuple[list[str], list[str]]:
    """(healthy lines no rule looks at, every line of the failure fixtures)."""
    from amlnbtools.core.diagnosis.scanner import _prefilter

    prefilter = _prefilter(default_catalogue())
    healthy = [line for p in sorted((CORPUS / "healthy").glob("*")) if p.suffix in (".txt", ".log")
               for line in p.read_text(encoding="utf-8").splitlines()]
    quiet = [line for line in healthy if not prefilter.sources_in(line.encode())]
    failing = [line for c in load_cases() if c.classes for line in c.path.read_text(encoding="utf-8").splitlines()]
    return quiet, failing


def make_log(path: Path, megabytes: int, *, dense: bool = False) -> int:
    """A big log: healthy lines, and one line of a failure fixture every 2,000 lines (or every 5, dense)."""
    quiet, failing = _lines()
    every = 5 if dense else 2000
    lines, k = [], 0
    for i in range(len(quiet) * 4):
        lines.append(quiet[i % len(quiet)])
        if i % every == every - 1:
            lines.append(failing[k % len(failing)])
            k += 1
    block = ("\n".join(lines) + "\n").encode()
    with path.open("wb") as fh:
        written = 0
        while written < megabytes * 1_000_000:
            fh.write(block)
            written += len(block)
    return written


def best_of(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def throughput(megabytes: int) -> tuple[list[str], dict[str, float]]:
    grep = shutil.which("grep")
    engines = [e for e in ("hyperscan", "re2") if e == "re2" or importlib.util.find_spec(e)]
    with tempfile.TemporaryDirectory() as tmp:
        path, sig_file = Path(tmp) / "big.log", Path(tmp) / "signatures.txt"
        size = make_log(path, megabytes)
        dense_path = Path(tmp) / "dense.log"
        dense_size = make_log(dense_path, max(10, megabytes // 10), dense=True)
        sigs = signatures()
        sig_file.write_text("\n".join(re.escape(s) for s in sigs) + "\n")
        path.read_bytes()  # the page cache holds the file for every contestant
        mb = size / 1e6
        results: dict[str, float] = {}
        if grep:
            results["grep"] = mb / best_of(3, lambda: subprocess.run(
                [grep, "-c", "-E", "-f", str(sig_file), str(path)], stdout=subprocess.PIPE, check=False))

        def scan(engine: str, log: Path = path) -> None:
            scanner = Scanner(prefilter=engine)
            with log.open("rb", buffering=0) as fh:
                while chunk := fh.read(1 << 20):
                    scanner.feed(chunk)
            scanner.close()

        for engine in engines:
            results[engine] = mb / best_of(3, lambda engine=engine: scan(engine))
        results["dense"] = dense_size / 1e6 / best_of(2, lambda: scan(engines[0], dense_path))
        tracemalloc.start()
        scan(engines[0])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    lines = [f"throughput on a {mb:.0f} MB log ({len(sigs)} grep signatures, {len(default_catalogue().rules)} rules):"]
    if "grep" in results:
        lines.append(f"  grep -c -E -f signatures  {results['grep']:7.0f} MB/s")
    for engine in engines:
        ratio = f" = {results[engine] / results['grep']:.2f} x grep" if "grep" in results else ""
        lines.append(f"  amlnbtools ({engine:<9})   {results[engine]:7.0f} MB/s{ratio}")
    lines.append(f"  peak memory of the engine ({engines[0]}): {peak / 1e6:.1f} MB")
    lines.append(f"  a log where every 6th line is a failure line: {results['dense']:.0f} MB/s ({engines[0]})")
    if "grep" in results:
        best = max(results[e] for e in engines) / results["grep"]
        lines.append(f"  goal: >= {GOAL_RATIO} x grep -> {'met' if best >= GOAL_RATIO else 'NOT met'} ({best:.2f})")
    results["peak_mb"] = peak / 1e6
    return lines, results


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=int(os.environ.get("AMLNBTOOLS_BENCH_MB", "360")))
    args = parser.parse_args(argv)
    print("\n".join(corpus_tables()))
    print()
    lines, results = throughput(args.megabytes)
    print("\n".join(lines))
    return results


if __name__ == "__main__":
    main()
