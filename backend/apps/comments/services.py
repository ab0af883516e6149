from django.db import transaction

from apps.articles.models import Article
from apps.comments.caching import comments_changed
from apps.comments.models import Comment
from apps.notifications.hooks import notify_article_commented
from apps.users.models import User


@transaction.atomic(savepoint=False)
def comment_create(*, article: Article, author: User, body: str) -> Comment:
    comment = Comment.objects.create(article=article, author=author, body=body)
    comments_changed(article_id=article.pk)
    notify_article_commented(comment_id=comment.pk, commenter_id=comment.author_id, article_author_id=article.author_id)
    return comment


@transaction.atomic(savepoint=False)
def comment_delete(*, comment: Comment) -> None:
    comments_changed(article_id=comment.article_id)
    comment.delete()
