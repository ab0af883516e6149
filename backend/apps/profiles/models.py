from django.conf import settings
from django.db import models


class Follow(models.Model):
    """`follower` follows `followee`: the followee's articles appear in the follower's feed."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index behind "whom does X follow" (the feed) and the `following` flag.
            models.UniqueConstraint(fields=["follower", "followee"], name="profiles_follow_unique"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followee")), name="profiles_follow_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"
