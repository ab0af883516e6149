"""The counter of users' public profiles, which every cached read embedding an author depends on."""

from apps.caching.generations import generations_bump

# Bumped when any user's public profile (username, bio, image) changes: profiles, lists, articles and
# comments embed author profiles, so their keys include it. Profile edits are rare. Owned here, by the
# app whose writes bump it; the apps that embed profiles read it (they depend on users, not the reverse).
PROFILES_GEN = "users:profiles:gen"


def invalidate_profiles() -> None:
    generations_bump(PROFILES_GEN)
