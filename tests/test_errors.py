"""classify() reads the HTTP status and error body however the SDK clients report them."""

from __future__ import annotations

from types import SimpleNamespace

from amlnbtools.sources.errors import classify


class _MsrestError(Exception):
    """Shaped like msrest's errors: the status in words, the body only on ``response``."""

    def __init__(self, message: str, body: str) -> None:
        super().__init__(message)
        self.response = SimpleNamespace(status_code=None, text=body, headers={})


def test_status_in_words_and_body_on_the_response() -> None:
    expired = _MsrestError("Operation returned an invalid status code 'Unauthorized'",
                           '{"error": {"code": "InvalidOrExpiredToken"}}')
    assert classify(expired, "run r").kind == "token-expired"
    forbidden = _MsrestError("Operation returned an invalid status code 'Forbidden'", "")
    assert classify(forbidden, "run r").kind == "forbidden"
    assert classify(Exception("too many 500 error responses"), "run r").kind == "server-error"
    assert classify(_MsrestError("Operation returned an invalid status code 'Not Found'", "{}"), "run r").status == 404
