"""Secret redaction and log levels (pure functions of core)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amlnbtools.core.diagnosis.redact import MASK, redact
from amlnbtools.core.logs import levels_of, split_lines

JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJlLXBhcnQ"


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (f"Authorization: Bearer {JWT}", JWT, "Authorization: Bearer "),
        (f"token={JWT}", JWT, "token="),
        ("https://acct.blob.core.windows.net/c/70_driver_log.txt?sv=2019-07-07&sr=b&sig=Abc%2Bdef123456%3D&se=2026",
         "Abc%2Bdef123456%3D", "&se=2026"),
        ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5MTIzNDU2Nzg5MA==;EndpointSuffix=core",
         "c2VjcmV0a2V5MTIzNDU2Nzg5MA==", "AccountName=acct;"),
        ('{"primaryKey": "Qk3xZfP0lW9sT2vYc8RmN4aJhE6uD1oG", "scoringUri": "http://x/score"}',
         "Qk3xZfP0lW9sT2vYc8RmN4aJhE6uD1oG", '"scoringUri": "http://x/score"'),
        ("InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://x",
         "11111111-2222-3333-4444-555555555555", "IngestionEndpoint=https://x"),
        ("AZURE_CLIENT_SECRET=s3cr3t-Value~abc", "s3cr3t-Value~abc", "AZURE_CLIENT_SECRET="),
    ],
)
def test_secrets_are_replaced_and_the_rest_is_kept(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out and kept in out


@pytest.mark.parametrize("text", [
    "2021-03-08 12:58:41,120 | root | INFO | processed 503 rows, errors=0",
    "Scoring timeout is set to 60000", "the key of the dictionary is 'label'", "signature verified",
    "/var/azureml-app/azureml-models/model/1/model.pkl",
])
def test_ordinary_text_is_untouched(text: str) -> None:
    assert redact(text) == text


@given(st.text(max_size=300))
def test_redact_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_split_lines_matches_engine_numbering() -> None:
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert split_lines("") == [] and split_lines("x") == ["x"]


def test_levels_of_the_formats_azure_ml_writes() -> None:
    lines = [
        "2026-11-22 10:50:22,840 I [1879] azmlinfsrv - Invoking user's init function",
        "2026-11-22 10:50:22,841 E [1879] azmlinfsrv - Encountered Exception Traceback (most recent call last):",
        '  File "score.py", line 5, in init',
        "FileNotFoundError: [Errno 2] No such file or directory: 'model.pkl'",
        "",
        "2021-03-08 12:58:41,120 | root | WARNING | slow start",
        "    continued warning text",
        "WARNING:root:deprecated argument",
        "[stderr]ValueError: x",
        "plain print output",
    ]
    assert levels_of(lines) == ["INFO", "ERROR", "ERROR", "ERROR", None, "WARNING", "WARNING", "WARNING", "ERROR",
                                None]


def test_a_signature_at_the_start_of_a_line_or_after_a_space_is_redacted() -> None:
    from amlnbtools.core.diagnosis.redact import MASK, redact

    assert redact("sig=AbCdEf0123456789%2Bxyz") == "sig=" + MASK
    assert redact("link sig=AbCdEf0123456789 end") == f"link sig={MASK} end"
    assert redact("design=abcdefgh") == "design=abcdefgh"
