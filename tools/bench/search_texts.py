"""The texts the bench searches for (cases s and s_d; tools/bench/search_steps.py): no Django needed."""

# v2's search (issue #15), in words of the seed's texts (apps.devtools.management.sample_text): words
# in about half the articles and in a few, a title's topic, phrases, `or` and `-word`; one in the bench
# celebrity's 30 articles only. The s case cycles over them (tools/bench/lua/paths.lua).
SEARCH_QUERIES = [
    "first", "database", "tests", "caching", "deploys", "review", "indexes", "runbook", "abstraction",
    "postgresql", "kubernetes", "webassembly", "celebrity", '"feature flag"', '"stop worrying"',
    '"reproducible test case"', "django or rust", "production -kubernetes", "latency percentile",
    "migration checklist",
]  # fmt: skip
