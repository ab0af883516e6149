class IdConverter:
    """A positive database id: at most 18 digits, so it always fits a BIGINT column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
