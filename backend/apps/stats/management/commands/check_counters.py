"""
`manage.py check_counters [--fix]`: re-derives every denormalized counter from its rows and
reports the drift, for monitoring (exit status 1 when a counter is off) and for repairs (`--fix`).

Stored counters: Article.favorites_count, kept by the favorite services (the periodic task
stats.favorites_count_reconcile fixes its drift every hour), and the article lists' counter rows
(ArticleCount: all, per author, per tag, per favoriting user), kept by the article and favorite
services. This command runs the same services as the periodic job, so a check by hand and the beat
job can never disagree about what drift is.
"""

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.articles.counts import article_counts_reconcile
from apps.stats.services import article_favorites_count_reconcile

# "<app>.<Model>.<field>" -> a service that compares the stored value with the rows, fixes it when
# asked to, and returns the drifted rows as {"slug"/"id": ..., "stored": n, "actual": m}.
COUNTERS: dict[str, Callable[..., list[dict[str, Any]]]] = {
    "articles.Article.favorites_count": article_favorites_count_reconcile,
    "articles.ArticleCount.total": article_counts_reconcile,
}


class Command(BaseCommand):
    help = (
        "Re-derives every denormalized counter (Article.favorites_count, the lists' ArticleCount rows) "
        "from its rows and reports the drift. "
        "Report only, exit status 1 on drift, unless --fix."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="set every drifted counter to its actual value")
        parser.add_argument("--examples", type=int, default=10, help="drifted rows listed per counter (default 10)")
        parser.add_argument("--batch-size", type=int, default=1000, help="rows compared per query (default 1000)")

    def handle(self, *args: Any, fix: bool, examples: int, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        drifted_counters = 0
        for name, reconcile in COUNTERS.items():
            drifted = reconcile(fix=fix, batch_size=batch_size)
            self._report(name, drifted, fixed=fix, examples=examples)
            drifted_counters += bool(drifted)
        if drifted_counters and not fix:
            # Non-zero for monitoring; the message names the remedy.
            raise CommandError(f"{drifted_counters} counter(s) drifted: run with --fix to repair them", returncode=1)

    def _report(self, name: str, drifted: list[dict[str, Any]], *, fixed: bool, examples: int) -> None:
        if not drifted:
            self.stdout.write(self.style.SUCCESS(f"{name}: exact"))
            return
        outcome = "fixed" if fixed else "not fixed"
        message = f"{name}: {len(drifted)} row(s) off, {outcome}"
        self.stdout.write(self.style.SUCCESS(message) if fixed else self.style.ERROR(message))
        for row in drifted[:examples]:
            key = row.get("slug", row.get("id"))
            self.stdout.write(f"  {key}: stored {row['stored']}, actual {row['actual']}")
        if len(drifted) > examples:
            self.stdout.write(f"  ... and {len(drifted) - examples} more")
