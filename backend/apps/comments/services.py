from django.db import transaction

from apps.articles.models import Article
from apps.comments.caching import invalidate_comments
from apps.comments.models import Comment
from apps.notifications.hooks import notify_article_commented
from apps.users.models import User


@transaction.atomic
def comment_create(*, article: Article, author: User, body: str) -> Comment:
    comment = Comment.objects.create(article=article, author=author, body=body)
    transaction.on_commit(lambda: invalidate_comments(article.slug))
    notify_article_commented(comment_id=comment.pk, commenter_id=comment.author_id, article_author_id=article.author_id)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    slug = comment.article.slug
    comment.delete()
    transaction.on_commit(lambda: invalidate_comments(slug))
