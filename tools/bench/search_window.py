"""
How long does finding a search's candidates take, the way search.py does it ("newest": the newest
SEARCH_CANDIDATES matches of all) and within a window of the newest articles (a bound found first,
then `created_at >= bound`, which PostgreSQL can answer with a BitmapAnd of the GIN and date indexes)?
The bench's 20 texts on a bench database, warm, best of three; the probe behind docs/search.md's
"A window of the newest articles".

    .venv/bin/python tools/bench/search_window.py [--database conduit_bench_large] [--window 30000]
"""

import argparse
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.bench.search_texts import SEARCH_QUERIES

CANDIDATES = 1_000
NEWEST = (
    "SELECT id FROM articles_article WHERE search_document @@ websearch_to_tsquery('english', %s) "
    "ORDER BY created_at DESC, id DESC LIMIT %s"
)
BOUND = "SELECT created_at FROM articles_article ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1"
WINDOW = (
    "SELECT id FROM articles_article WHERE search_document @@ websearch_to_tsquery('english', %s) "
    "AND created_at >= %s ORDER BY created_at DESC, id DESC LIMIT %s"
)


def best_of_three(connection: psycopg.Connection, sql: str, params: list) -> tuple[float, list]:
    timings, rows = [], []
    for _ in range(3):
        started = time.perf_counter()
        rows = connection.execute(sql, params).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="conduit_bench_large")
    parser.add_argument("--window", type=int, default=30_000, help="articles in the window (newest first)")
    args = parser.parse_args()
    with psycopg.connect(f"{args.postgres}/{args.database}", autocommit=True) as connection:
        took, [(bound,)] = best_of_three(connection, BOUND, [args.window])
        print(f"window bound ({args.window:,} newest articles): {took:.1f} ms")
        print(f"| q | newest (ms) | window (ms) | window holds {CANDIDATES:,} |")
        print("| --- | ---: | ---: | --- |")
        for text in SEARCH_QUERIES:
            newest, expected = best_of_three(connection, NEWEST, [text, CANDIDATES])
            window, found = best_of_three(connection, WINDOW, [text, bound, CANDIDATES])
            if len(found) < CANDIDATES:  # the window cannot prove these are the newest: the full query decides
                verdict = f"no: {len(found):,} in the window"
            else:
                verdict = "yes, the same ids" if found == expected else "DIFFERENT ids"
            print(f"| `{text}` | {newest:.1f} | {window:.1f} | {verdict} |")


if __name__ == "__main__":
    main()
