"""
Word lists and small generators of plausible English for `manage.py seed`.

Hand-written rather than Faker's: Faker is a dev-only dependency, and the bulk loader needs text
that is cheap to produce (a few microseconds per field) for a million articles. All randomness
comes from the `random.Random` passed in, so a `--seed` reproduces the same text.
"""

import random

FIRST_NAMES = [
    "ada", "alan", "alex", "amara", "ana", "ben", "carla", "chen", "chloe", "dan", "diego", "elena",
    "emma", "eric", "fatima", "felix", "grace", "hana", "hugo", "ines", "ivan", "jack", "james",
    "jin", "julia", "kai", "kofi", "lara", "leo", "lina", "lucas", "maya", "mei", "mia", "nadia",
    "noah", "nora", "omar", "oscar", "paula", "priya", "rafael", "ravi", "rosa", "sam", "sara",
    "sofia", "tariq", "theo", "tom", "vera", "yuki", "zoe",
]  # fmt: skip

LAST_NAMES = [
    "adams", "ahmed", "alvarez", "baker", "bauer", "brown", "chen", "costa", "davis", "dubois",
    "evans", "fischer", "garcia", "gupta", "hall", "ito", "jensen", "kim", "kowalski", "lee",
    "lopez", "martin", "meyer", "moreau", "nakamura", "novak", "okafor", "olsen", "patel", "perez",
    "rossi", "santos", "schmidt", "silva", "singh", "smith", "tanaka", "taylor", "walker", "wang",
    "weber", "wilson", "wu", "yilmaz", "young", "zhang",
]  # fmt: skip

# Tag names, most popular first: the seed picks low indices more often.
TAG_WORDS = [
    "programming", "javascript", "python", "webdev", "react", "django", "devops", "career",
    "typescript", "rust", "go", "databases", "postgresql", "testing", "security", "design",
    "css", "performance", "kubernetes", "docker", "linux", "opensource", "tutorial", "beginners",
    "architecture", "api", "cloud", "aws", "machinelearning", "ai", "productivity", "git", "vue",
    "svelte", "node", "java", "kotlin", "swift", "android", "ios", "graphql", "redis", "caching",
    "observability", "accessibility", "ux", "startup", "remote", "writing", "books",
]  # fmt: skip

_TOPICS = [
    "Django", "PostgreSQL", "React", "TypeScript", "Rust", "Go", "Kubernetes", "Docker", "Redis",
    "GraphQL", "CSS Grid", "Python", "SQLite", "Svelte", "Vue", "Celery", "Nginx", "Terraform",
    "WebAssembly", "Git", "Linux", "OAuth", "JSON APIs", "unit tests", "feature flags", "code review",
]  # fmt: skip

_TITLE_TEMPLATES = [
    "How I learned to stop worrying and love {topic}",
    "{topic} in production: lessons from the first year",
    "A practical guide to {topic}",
    "Why we moved to {topic}",
    "Ten things I wish I knew about {topic}",
    "Getting started with {topic}",
    "{topic} tips that saved me hours",
    "Debugging {topic} like a detective",
    "What nobody tells you about {topic}",
    "Scaling {topic} without losing your mind",
    "The case against {topic}",
    "{topic} patterns for small teams",
    "From zero to {topic}",
    "Understanding {topic} from first principles",
]

_SENTENCES = [
    "Most of the problems we had were not technical at all.",
    "The first version was slow, but it was correct, and that mattered more.",
    "We measured before we optimized, which saved us from fixing the wrong thing.",
    "It turns out the database was doing exactly what we asked it to do.",
    "A good default beats a clever configuration option every time.",
    "The documentation covers this, but only if you already know where to look.",
    "We wrote the tests first, and the design got simpler because of it.",
    "Caching hid the real problem for months.",
    "Every abstraction leaks eventually; the question is how much it costs when it does.",
    "Naming things well made the code review half as long.",
    "Our deploys used to take an hour; now they take four minutes.",
    "The hardest part was convincing the team to delete code.",
    "Small pull requests got reviewed the same day.",
    "Logs told us what happened, metrics told us how often.",
    "Nobody reads a runbook at three in the morning unless it is short.",
    "We kept the old path running until the new one had proven itself.",
    "The bug only showed up under real traffic, never on a laptop.",
    "Reading the source was faster than searching for answers.",
    "Indexes are cheap until you have too many of them.",
    "A boring solution that everyone understands is a feature.",
    "We added a feature flag so that we could turn it off without a deploy.",
    "Pair programming helped more than any tool we tried.",
    "The error message pointed straight at the cause once we actually read it.",
    "Latency at the 99th percentile is what your users remember.",
    "We rewrote it twice before it felt right.",
    "Simple queries, well indexed, carried us further than we expected.",
    "Automating the release removed a whole class of mistakes.",
    "I still keep a checklist for every migration.",
    "Nothing beats a reproducible test case.",
    "The team agreed on conventions early, and it paid off.",
]

_HEADINGS = ["Background", "What went wrong", "The fix", "Results", "Lessons learned", "Next steps", "Setup"]

_COMMENTS = [
    "Great write-up, thanks for sharing!",
    "This matches my experience exactly.",
    "Did you try measuring it with a profiler first?",
    "Bookmarked. The section on testing is gold.",
    "I disagree with the conclusion, but the reasoning is solid.",
    "Could you share the configuration you ended up with?",
    "We hit the same issue last month.",
    "Clear and to the point. More of this, please.",
    "How did this work out after a few months?",
    "The diagrams would help here, but the text is excellent.",
    "Saved me a day of debugging, thank you.",
    "Interesting take. What about larger teams?",
]

_BIOS = [
    "Backend developer. Coffee, databases and long walks.",
    "Frontend engineer who likes fast pages and accessible forms.",
    "I write about the things I break at work.",
    "Open source maintainer, occasional speaker.",
    "Full-stack developer learning in public.",
    "SRE. Ask me about on-call.",
    "Product engineer, former designer.",
]


# Words plus ordered pairs of distinct words.
MAX_TAG_NAMES = len(TAG_WORDS) ** 2


def tag_names(count: int) -> list[str]:
    """The first `count` tag names: single words, then `word-word` pairs when the words run out."""
    names = TAG_WORDS[:count]
    pairs = (f"{a}-{b}" for a in TAG_WORDS for b in TAG_WORDS if a != b)
    while len(names) < count:
        names.append(next(pairs))
    return names


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def bio(rng: random.Random) -> str | None:
    """About a third of users leave their bio empty (null), as on a real site."""
    return rng.choice(_BIOS) if rng.random() < 0.65 else None


def title(rng: random.Random) -> str:
    return rng.choice(_TITLE_TEMPLATES).format(topic=rng.choice(_TOPICS))


def description(rng: random.Random) -> str:
    return rng.choice(_SENTENCES)


def body(rng: random.Random) -> str:
    """A short Markdown article: paragraphs, usually a heading, sometimes a bullet list."""
    parts = []
    for number in range(rng.randint(2, 4)):
        if number and rng.random() < 0.6:
            parts.append(f"## {rng.choice(_HEADINGS)}")
        parts.append(" ".join(rng.sample(_SENTENCES, rng.randint(2, 5))))
        if rng.random() < 0.25:
            parts.append("\n".join(f"- {sentence}" for sentence in rng.sample(_SENTENCES, 3)))
    return "\n\n".join(parts)


def comment(rng: random.Random) -> str:
    return rng.choice(_COMMENTS)
