from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, declaring its UTF-8 charset as RealWorld clients expect."""

    charset = "utf-8"
