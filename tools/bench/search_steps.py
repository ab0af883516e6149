"""
What each way of finding a search's candidates costs, through the search's own SQL
(apps.articles.search._run_ranked, ranking included), for the bench's 20 texts on a bench database:
the newest SEARCH_CANDIDATES matches ("newest"), any of them ("any"), the walk of the newest
PHRASE_WALK_ROWS articles ("walk"), and the window of the newest --window articles ("window"); with
the planner's estimate of each text's matches, and whether the step's page is the newest one's; then
the search as it runs (apps.articles.search._ranked_rows: the estimate, and the steps it chose).
Warm, best of three, page 1. The probe behind docs/search.md's "Choosing the step".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/conduit_bench_large \\
        .venv/bin/python tools/bench/search_steps.py [--window 30000]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "backend")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tools.bench.settings")

import django  # noqa: E402

django.setup()

from apps.articles import search  # noqa: E402
from apps.articles.search import SEARCH_CANDIDATES, article_search_query  # noqa: E402
from apps.core.exceptions import InvalidError  # noqa: E402
from tools.bench.search_texts import SEARCH_QUERIES  # noqa: E402

STEPS: list[search.Candidates] = ["newest", "any", "walk", "window"]


def best_of_three(run):
    timings, result = [], None
    for _ in range(3):
        started = time.perf_counter()
        result = run()
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=int, default=30_000, help="articles in the window (newest first)")
    parser.add_argument("--text", action="append", help="a text to search for (repeatable; default: the bench's 20)")
    args = parser.parse_args()
    took, (rows, since) = best_of_three(lambda: search.window_stats("default", args.window))
    print(f"table rows (estimate) {rows:,.0f}; window bound ({args.window:,} newest): {since}, {took:.1f} ms")
    print(f"| q | estimate | estimate (ms) | {' | '.join(STEPS)} | the search (ms) | its steps |")
    print(f"| --- | ---: | ---: | {' | '.join('---:' for _ in STEPS)} | ---: | --- |")
    taken: list[str] = []
    run_ranked = search._run_ranked

    def recording(*args, candidates, **kwargs):
        taken.append(candidates)
        return run_ranked(*args, candidates=candidates, **kwargs)

    for text in args.text or SEARCH_QUERIES:
        query = article_search_query(q=text, limit=20, cursor=None)
        took, estimate = best_of_three(lambda query=query: search.estimated_matches(query, "default"))
        cells = []
        reference = None  # the newest step's page (None: it timed out)
        for step in STEPS:
            try:
                step_took, (count, page) = best_of_three(
                    lambda step=step, query=query: search._run_ranked(
                        query, None, "default", candidates=step, since=since
                    )
                )
            except InvalidError:  # the statement timeout
                cells.append(f"timeout ({search.SEARCH_STATEMENT_TIMEOUT_MS:,} ms)")
                continue
            if step == "newest":
                reference = page
                verdict = f"{count:,}"
            elif (step == "any") == (count < SEARCH_CANDIDATES):  # the step would answer
                verdict = "?" if reference is None else "same" if page == reference else "DIFFERENT"
            else:
                verdict = f"{count:,}: on"
            cells.append(f"{step_took:.1f} ({verdict})")
        search._run_ranked = recording
        taken.clear()
        chosen, rows = best_of_three(lambda query=query: search._ranked_rows(query, None, "default"))
        search._run_ranked = run_ranked
        if reference is not None:
            assert [row[0] for row in rows["rows"]] == [row[0] for row in reference], text  # the same page
        steps = ", ".join(taken[: len(taken) // 3])
        print(f"| `{text}` | {estimate:,.0f} | {took:.1f} | {' | '.join(cells)} | {chosen:.1f} | {steps} |")


if __name__ == "__main__":
    main()
