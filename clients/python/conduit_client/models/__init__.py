"""Contains all the data models used in inputs/outputs"""

from .article import Article
from .article_create_body_request import ArticleCreateBodyRequest
from .article_create_request import ArticleCreateRequest
from .article_list_item import ArticleListItem
from .article_list_response import ArticleListResponse
from .article_response import ArticleResponse
from .article_update_body_request import ArticleUpdateBodyRequest
from .article_update_request import ArticleUpdateRequest
from .comment import Comment
from .comment_create_body_request import CommentCreateBodyRequest
from .comment_create_request import CommentCreateRequest
from .comment_list_response import CommentListResponse
from .comment_response import CommentResponse
from .notification import Notification
from .notification_actor import NotificationActor
from .notification_article import NotificationArticle
from .notification_comment import NotificationComment
from .notification_kind_enum import NotificationKindEnum
from .notification_list_response import NotificationListResponse
from .notification_preferences import NotificationPreferences
from .notification_preferences_body_request import NotificationPreferencesBodyRequest
from .notification_preferences_request import NotificationPreferencesRequest
from .notification_preferences_response import NotificationPreferencesResponse
from .notification_response import NotificationResponse
from .notification_unread_count_response import NotificationUnreadCountResponse
from .page_links import PageLinks
from .problem import Problem
from .problem_errors import ProblemErrors
from .profile import Profile
from .profile_response import ProfileResponse
from .tag_list_response import TagListResponse
from .user import User
from .user_login_body_request import UserLoginBodyRequest
from .user_login_request import UserLoginRequest
from .user_registration_body_request import UserRegistrationBodyRequest
from .user_registration_request import UserRegistrationRequest
from .user_response import UserResponse
from .user_update_body_request import UserUpdateBodyRequest
from .user_update_request import UserUpdateRequest

__all__ = (
    "Article",
    "ArticleCreateBodyRequest",
    "ArticleCreateRequest",
    "ArticleListItem",
    "ArticleListResponse",
    "ArticleResponse",
    "ArticleUpdateBodyRequest",
    "ArticleUpdateRequest",
    "Comment",
    "CommentCreateBodyRequest",
    "CommentCreateRequest",
    "CommentListResponse",
    "CommentResponse",
    "Notification",
    "NotificationActor",
    "NotificationArticle",
    "NotificationComment",
    "NotificationKindEnum",
    "NotificationListResponse",
    "NotificationPreferences",
    "NotificationPreferencesBodyRequest",
    "NotificationPreferencesRequest",
    "NotificationPreferencesResponse",
    "NotificationResponse",
    "NotificationUnreadCountResponse",
    "PageLinks",
    "Problem",
    "ProblemErrors",
    "Profile",
    "ProfileResponse",
    "TagListResponse",
    "User",
    "UserLoginBodyRequest",
    "UserLoginRequest",
    "UserRegistrationBodyRequest",
    "UserRegistrationRequest",
    "UserResponse",
    "UserUpdateBodyRequest",
    "UserUpdateRequest",
)
