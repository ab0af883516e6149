"""
The cached read of an article's comments (apps.caching.reads): one entry per page, invalidated by
a comment written or deleted under that article; the authors' profiles are laid over per id
(apps.profiles.caching), so a profile edit leaves the pages cached.
"""

from collections.abc import Iterable

from apps.api.pagination import entry_cursor, page_of
from apps.articles.caching import article_ref
from apps.caching.reads import CachedEntry, Stamp, invalidation, read_many
from apps.comments.selectors import CommentPageQuery, comment_pages
from apps.core.types import Cursor, Entry, EntryPage
from apps.profiles.caching import PROFILE

COMMENT_LIST_TTL = 600

COMMENTS = Stamp("comments")  # an article's comments, by article id

COMMENT_PAGE = CachedEntry[CommentPageQuery, list[Entry]](
    name="comments.page",
    ttl=COMMENT_LIST_TTL,
    load=comment_pages,
    depends_on=((COMMENTS, lambda query: query.article_id),),
)


def comment_list_page(*, slug: str, limit: int, cursor: Cursor | None = None) -> EntryPage:
    """
    A page of the comments of the article at `slug`, newest first, as shared entries (with their
    authors' profiles), and the next page's cursor; NotFoundError if there is no such article.
    """
    article_id, _ = article_ref(slug=slug)
    query = CommentPageQuery(article_id=article_id, limit=limit, cursor=cursor)
    comments = read_many([(COMMENT_PAGE, [query])])[0][query] or []
    shown, next_cursor = page_of(comments, limit, cursor_of=entry_cursor)
    profiles = read_many([(PROFILE, [comment["author_id"] for comment in shown])])[0]
    entries = [
        {**comment, "data": {**comment["data"], "author": profiles[comment["author_id"]]}}
        for comment in shown
        if profiles.get(comment["author_id"]) is not None
    ]
    return EntryPage(entries=entries, next_cursor=next_cursor)


@invalidation(COMMENTS)
def comments_changed(*, article_id: int) -> Iterable[str]:
    return [COMMENTS.key(article_id)]
