from django.db import transaction

from apps.articles.models import Article
from apps.comments.models import Comment
from apps.users.models import User


@transaction.atomic
def comment_create(*, article: Article, author: User, body: str) -> Comment:
    return Comment.objects.create(article=article, author=author, body=body)


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    comment.delete()
