class IdConverter:
    """A positive database id: at most 18 digits, so it always fits a BIGINT column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class PathSegmentConverter:
    """
    One path segment (a slug, a username): anything but '/' and the NUL character.

    PostgreSQL rejects NUL in text, so such a URL must end as a 404, never reach a query.
    """

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
