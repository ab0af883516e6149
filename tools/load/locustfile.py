"""
The load test's workload (make loadtest, tools/load/run.py): Conduit's traffic as a mix of readers and
members, through the cluster's balancer.

- `Reader` (4 in 5 users): anonymous browsing: the article list, a tag, an article, its comments, a
  profile, the tags.
- `Member` (1 in 5): browses anonymously until it signs up (with an Idempotency-Key) at a random moment
  of its first 40 s (a site's sign-ups are spread out, and each costs an Argon2 hash of ~100 MB), then
  mostly reads (its feed, the list, articles) and sometimes writes: publishes (Idempotency-Key),
  comments (Idempotency-Key), favorites, follows.

Each user waits 1 to 3 s between actions, as a person does. Requests are named by route
("GET /articles/:slug"), so the report has one line per endpoint. Any status other than the expected
one counts as a failure.
"""

import random
import time
import uuid
from typing import Any

from locust import FastHttpUser, between, task

API = "/api/v1"
TAGS = ["load", "django", "scaling", "nginx", "postgres", "redis", "celery", "svelte"]

# Shared by every user of this process: what the site has (seeded from the first list, grown by publishes).
slugs: list[str] = []
usernames: list[str] = []


def _remember(articles: list[dict[str, Any]]) -> None:
    for article in articles:
        if article["slug"] not in slugs:
            slugs.append(article["slug"])
        if article["author"]["username"] not in usernames:
            usernames.append(article["author"]["username"])
    del slugs[:-500], usernames[:-500]


def _why(response: Any) -> str:
    """A failure's message. With no answer at all (refused, reset) there is no text but an error, and
    it must still count as a failed request, not crash the task (which Locust would not count)."""
    if response.status_code == 0:
        return f"no answer: {response.error!r}"[:200]
    return f"{response.status_code}: {(response.text or '')[:200]}"


class _Conduit(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)

    def get(self, path: str, name: str, **kwargs: Any) -> dict[str, Any] | None:
        with self.client.get(f"{API}{path}", name=name, catch_response=True, **kwargs) as response:
            if response.status_code not in (200, 304):
                response.failure(_why(response))
                return None
            return response.json() if response.status_code == 200 else None

    def post(self, path: str, name: str, body: dict[str, Any] | None, expect: int, key: bool = False) -> Any:
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        with self.client.post(f"{API}{path}", name=name, json=body, headers=headers, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(_why(response))
                return None
            return response.json()

    @property
    def headers(self) -> dict[str, str]:
        return {}

    def slug(self) -> str | None:
        if not slugs:
            page = self.get("/articles?limit=50", name="GET /articles")
            if page:
                _remember(page["articles"])
        return random.choice(slugs) if slugs else None

    # ---- Reads both kinds of user make -------------------------------------------------------------
    def list_articles(self) -> None:
        page = self.get(f"/articles?limit=10&offset={random.choice([0, 0, 0, 10, 20])}", name="GET /articles")
        if page:
            _remember(page["articles"])

    def read_article(self) -> None:
        slug = self.slug()
        if slug:
            self.get(f"/articles/{slug}", name="GET /articles/:slug")

    def read_comments(self) -> None:
        slug = self.slug()
        if slug:
            self.get(f"/articles/{slug}/comments", name="GET /articles/:slug/comments")


class Reader(_Conduit):
    weight = 4

    @task(5)
    def articles(self) -> None:
        self.list_articles()

    @task(2)
    def tag(self) -> None:
        self.get(f"/articles?tag={random.choice(TAGS)}&limit=10", name="GET /articles?tag=")

    @task(4)
    def article(self) -> None:
        self.read_article()

    @task(3)
    def comments(self) -> None:
        self.read_comments()

    @task(2)
    def profile(self) -> None:
        if usernames:
            self.get(f"/profiles/{random.choice(usernames)}", name="GET /profiles/:username")

    @task(2)
    def tags(self) -> None:
        self.get("/tags", name="GET /tags")


class Member(_Conduit):
    weight = 1
    token = ""
    username = ""
    sign_up_at = 0.0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"} if self.token else {}

    def on_start(self) -> None:
        self.sign_up_at = time.monotonic() + random.uniform(0, 40)

    def signed_in(self) -> bool:
        """Signs up when its moment has come; until then (or when it failed) the member only browses."""
        if not self.token and self.sign_up_at and time.monotonic() >= self.sign_up_at:
            self.sign_up_at = 0.0
            name = f"load{uuid.uuid4().hex[:12]}"
            body = {"user": {"username": name, "email": f"{name}@example.com", "password": "load-test-password"}}
            user = self.post("/users", name="POST /users", body=body, expect=201, key=True)
            if user:
                self.token, self.username = user["user"]["token"], name
            return False
        if not self.token:
            self.list_articles()
        return bool(self.token)

    @task(4)
    def feed(self) -> None:
        if self.signed_in():
            self.get("/articles/feed?limit=10", name="GET /articles/feed", headers=self.headers)

    @task(2)
    def articles(self) -> None:
        page = self.get("/articles?limit=10", name="GET /articles", headers=self.headers)
        if page:
            _remember(page["articles"])

    @task(3)
    def article(self) -> None:
        slug = self.slug()
        if slug:
            self.get(f"/articles/{slug}", name="GET /articles/:slug", headers=self.headers)

    @task(1)
    def publish(self) -> None:
        if not self.signed_in():
            return
        title = f"Notes on load {uuid.uuid4().hex[:10]}"
        body = {
            "article": {
                "title": title,
                "description": "What happens at 200 users",
                "body": "Measured through nginx, three app instances, a replica and Redis. " * 8,
                "tagList": random.sample(TAGS, 2),
            }
        }
        article = self.post("/articles", name="POST /articles", body=body, expect=201, key=True)
        if article:
            _remember([article["article"]])

    @task(1)
    def comment(self) -> None:
        slug = self.slug()
        if self.signed_in() and slug:
            body = {"comment": {"body": "Interesting numbers, thanks for sharing."}}
            self.post(
                f"/articles/{slug}/comments", name="POST /articles/:slug/comments", body=body, expect=201, key=True
            )

    @task(1)
    def favorite(self) -> None:
        slug = self.slug()
        if self.signed_in() and slug:
            self.post(f"/articles/{slug}/favorite", name="POST /articles/:slug/favorite", body=None, expect=200)

    @task(1)
    def follow(self) -> None:
        others = [username for username in usernames[-50:] if username != self.username]
        if self.signed_in() and others:
            username = random.choice(others)
            self.post(f"/profiles/{username}/follow", name="POST /profiles/:username/follow", body=None, expect=200)
