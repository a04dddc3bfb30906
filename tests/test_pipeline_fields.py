"""Reading step fields Azure ML records: times, error messages, kinds of step (pure functions)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from amlnbtools.core.pipeline.fields import error_message, parse_utc, step_kind


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-05-06T10:03:40.11832Z", datetime(2026, 5, 6, 10, 3, 40, 118320, tzinfo=timezone.utc)),
    ("2026-05-06T10:03:40.1183204Z", datetime(2026, 5, 6, 10, 3, 40, 118320, tzinfo=timezone.utc)),
    ("2026-05-06T10:03:40Z", datetime(2026, 5, 6, 10, 3, 40, tzinfo=timezone.utc)),
    ("2026-05-06 10:03:40,5", datetime(2026, 5, 6, 10, 3, 40, 500000, tzinfo=timezone.utc)),
    ("2026-05-06T12:03:40.000+02:00", datetime(2026, 5, 6, 10, 3, 40, tzinfo=timezone.utc)),
    ("2026-05-06T12:03:40+0200", datetime(2026, 5, 6, 10, 3, 40, tzinfo=timezone.utc)),
])
def test_parse_utc_reads_what_azure_ml_writes(text: str, expected: datetime) -> None:
    parsed = parse_utc(text)
    assert parsed == expected and parsed is not None and parsed.tzinfo is not None


def test_parse_utc_rejects_what_is_not_a_time() -> None:
    for value in (None, "", "yesterday", "2026-13-40T99:00:00Z", 17, ["2026-05-06T10:03:40Z"]):
        assert parse_utc(value) is None
    naive = datetime(2026, 5, 6, 10, 3, 40)
    assert parse_utc(naive) == naive.replace(tzinfo=timezone.utc)
    aware = datetime(2026, 5, 6, 10, 3, 40, tzinfo=timezone(timedelta(hours=2)))
    assert parse_utc(aware) is aware


def test_error_message_finds_the_message_at_any_depth() -> None:
    assert error_message({"error": {"code": "UserError", "message": " disk full \n"}}) == "disk full"
    assert error_message({"message": "top"}) == "top"
    assert error_message({"error": {"error": {"message": "deep"}}}) == "deep"
    assert error_message("plain text") == "plain text"
    for empty in (None, {}, {"error": None}, {"error": {"message": "  "}}, "", 3):
        assert error_message(empty) is None


def test_step_kind_from_the_step_type_or_the_log_files() -> None:
    assert step_kind("ParallelRunStep") == "parallel-run"
    assert step_kind("PythonScriptStep") == "python-script"
    assert step_kind("HyperDriveStep") == "hyperdrive"
    assert step_kind("MyCustomThingStep") == "my-custom-thing"
    assert step_kind("ADLAStep") == "adla"
    assert step_kind(None, ["azureml-logs/70_driver_log.txt", "logs/job_result.txt"]) == "parallel-run"
    assert step_kind("", ["logs/sys/master.txt"]) == "parallel-run"
    assert step_kind(None, ["user_logs/std_log.txt"]) == ""
