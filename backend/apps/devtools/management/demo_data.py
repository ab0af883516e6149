"""
The small, hand-written data set that `manage.py demo` loads.

Everything is keyed on stable natural keys (usernames, and article titles per author), which is
what lets the command recognise what an earlier run already created. Users have no image, so
clients show their default avatar.
"""

from dataclasses import dataclass

DEMO_PASSWORD = "password123"


@dataclass(frozen=True)
class DemoUser:
    username: str
    bio: str | None = None

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


@dataclass(frozen=True)
class DemoArticle:
    author: str
    title: str
    description: str
    body: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class DemoComment:
    article: str  # the article's title
    author: str
    body: str


USERS = [
    DemoUser("johndoe", "Full-stack developer. I write about the web platform and the tools around it."),
    DemoUser("janedoe", "Backend engineer who likes databases a little too much."),
    DemoUser("sarahchen", "Frontend developer and accessibility advocate."),
    DemoUser("marcusbell", "SRE. Ask me about on-call, dashboards and sleep."),
    DemoUser("priyapatel"),
    DemoUser("liamokafor", "Learning Rust in public, one borrow-checker error at a time."),
]

ARTICLES = [
    DemoArticle(
        author="johndoe",
        title="How to train your dragon",
        description="Ever wonder how?",
        body=(
            "It takes a Jacobian, patience and a very large sandbox.\n\n"
            "## Start small\n\n"
            "Begin with a baby dragon. They are forgiving, and their fire is mostly smoke.\n\n"
            "- Feed it on a schedule\n- Reward good behaviour\n- Keep a bucket of water nearby\n\n"
            "## Be consistent\n\n"
            "Dragons, like codebases, respond best to small changes made every day."
        ),
        tags=("dragons", "training"),
    ),
    DemoArticle(
        author="johndoe",
        title="Why I stopped writing clever code",
        description="Readable beats clever, every single time.",
        body=(
            "Clever code is fun to write and painful to read six months later.\n\n"
            "## What changed\n\n"
            "I started reviewing my own pull requests the next morning. Anything I had to "
            "read twice got rewritten.\n\n"
            "The result: fewer bugs, faster reviews, and colleagues who no longer sigh at my name in `git blame`."
        ),
        tags=("programming", "career"),
    ),
    DemoArticle(
        author="janedoe",
        title="Indexes you forgot to add",
        description="Three queries that were slow until they were not.",
        body=(
            "Most slow pages I have debugged came down to a missing index.\n\n"
            "## Foreign keys\n\n"
            "PostgreSQL does not index the referencing side of a foreign key for you. "
            "Django does, which is one less thing to remember.\n\n"
            "## Sorting\n\n"
            "An index on `(author_id, created_at DESC)` turns *the latest articles by this author* "
            "into a short index scan.\n\n"
            "```sql\nCREATE INDEX ON articles (author_id, created_at DESC);\n```"
        ),
        tags=("databases", "postgresql", "performance"),
    ),
    DemoArticle(
        author="janedoe",
        title="Counting things correctly",
        description="Denormalized counters and how to keep them honest.",
        body=(
            "A `favorites_count` column saves a `COUNT(*)` on every page view, but only if it stays right.\n\n"
            "Update it in the same transaction as the row it counts, with `F()` expressions so that "
            "concurrent requests do not overwrite each other.\n\n"
            "And keep a query around that recomputes it from scratch, for the day something goes wrong."
        ),
        tags=("databases", "django"),
    ),
    DemoArticle(
        author="sarahchen",
        title="Accessible forms in ten minutes",
        description="Labels, errors and focus: the basics that matter most.",
        body=(
            "Every input needs a label. Not a placeholder, a real `<label>`.\n\n"
            "## Errors\n\n"
            "Announce them next to the field and move focus to the first one.\n\n"
            "## Keyboard\n\n"
            "Tab through your form once before you ship it. You will find something."
        ),
        tags=("accessibility", "webdev", "ux"),
    ),
    DemoArticle(
        author="sarahchen",
        title="CSS Grid for people who love Flexbox",
        description="Two dimensions are better than one.",
        body=(
            "Flexbox lays things out in a line; Grid lays them out in a plane.\n\n"
            "Use Grid for the page, Flexbox for the components inside it, and stop fighting either."
        ),
        tags=("css", "webdev"),
    ),
    DemoArticle(
        author="marcusbell",
        title="What our on-call rotation taught us",
        description="Fewer alerts, better sleep, faster fixes.",
        body=(
            "We used to page on every error. Now we page on symptoms users can feel.\n\n"
            "## Rules we kept\n\n"
            "- Every alert has a runbook\n- Every page gets a follow-up ticket\n"
            "- Nobody is on call two weeks in a row"
        ),
        tags=("devops", "observability"),
    ),
    DemoArticle(
        author="marcusbell",
        title="Dashboards nobody reads",
        description="Measure what you will act on.",
        body=(
            "A dashboard with forty graphs is a dashboard with zero graphs.\n\n"
            "Pick the four golden signals, put them at the top, and delete the rest until someone asks."
        ),
        tags=("observability", "devops"),
    ),
    DemoArticle(
        author="priyapatel",
        title="My first year as a software engineer",
        description="What I expected, and what actually happened.",
        body=(
            "I expected to write code all day. I spent half of it reading code, and that was the best part.\n\n"
            "## Advice to myself\n\n"
            "Ask the question earlier. Nobody minds, and the answer is usually one sentence."
        ),
        tags=("career", "beginners"),
    ),
    DemoArticle(
        author="priyapatel",
        title="Writing tests you will not hate",
        description="Fast, focused and named like sentences.",
        body=(
            "Name each test after the behaviour it checks: `test_article_create_generates_unique_slug` "
            "tells you what broke before you open the file.\n\n"
            "Keep them fast, so that you actually run them."
        ),
        tags=("testing", "python"),
    ),
    DemoArticle(
        author="liamokafor",
        title="Fighting the borrow checker",
        description="And why I now let it win.",
        body=(
            "Every error the borrow checker gave me was a bug I would have shipped in another language.\n\n"
            "## The turning point\n\n"
            "I stopped asking *how do I make this compile* and started asking *who owns this data*."
        ),
        tags=("rust", "programming"),
    ),
    DemoArticle(
        author="liamokafor",
        title="Rust for Python developers",
        description="A gentle bridge between two very different languages.",
        body=(
            "Python trusts you; Rust checks you. Both are good at what they do.\n\n"
            "Start with a small command-line tool, and reach for `clap` and `serde` early."
        ),
        tags=("rust", "python", "beginners"),
    ),
]

COMMENTS = [
    DemoComment("How to train your dragon", "janedoe", "Mine only listens when I bring snacks."),
    DemoComment("How to train your dragon", "liamokafor", "The bucket of water tip saved my kitchen."),
    DemoComment("Why I stopped writing clever code", "sarahchen", "Reviewing the next morning is such a good habit."),
    DemoComment("Indexes you forgot to add", "johndoe", "The foreign key one got me last week."),
    DemoComment("Indexes you forgot to add", "marcusbell", "This explains a graph I have been staring at."),
    DemoComment("Counting things correctly", "priyapatel", "What do you use to check the counters in production?"),
    DemoComment(
        "Counting things correctly", "janedoe", "A nightly job that recomputes them and alerts on any difference."
    ),
    DemoComment("Accessible forms in ten minutes", "johndoe", "Tabbing through the form found two bugs on my site."),
    DemoComment("What our on-call rotation taught us", "janedoe", "Paging on symptoms changed everything for us too."),
    DemoComment("My first year as a software engineer", "marcusbell", "Asking early is the best advice there is."),
    DemoComment("Fighting the borrow checker", "priyapatel", "Who owns this data is a great question in any language."),
]

FOLLOWS = [
    ("johndoe", "janedoe"),
    ("janedoe", "johndoe"),
    ("johndoe", "sarahchen"),
    ("janedoe", "marcusbell"),
    ("sarahchen", "johndoe"),
    ("marcusbell", "janedoe"),
    ("priyapatel", "janedoe"),
    ("priyapatel", "liamokafor"),
    ("liamokafor", "johndoe"),
]

FAVORITES = [
    ("janedoe", "How to train your dragon"),
    ("sarahchen", "How to train your dragon"),
    ("liamokafor", "How to train your dragon"),
    ("johndoe", "Indexes you forgot to add"),
    ("marcusbell", "Indexes you forgot to add"),
    ("priyapatel", "Counting things correctly"),
    ("johndoe", "Accessible forms in ten minutes"),
    ("janedoe", "What our on-call rotation taught us"),
    ("priyapatel", "Fighting the borrow checker"),
    ("johndoe", "Rust for Python developers"),
]
