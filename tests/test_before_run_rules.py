"""Build-failure classes of the catalogue, and remedies that name what to change (the rule's subject)."""

from __future__ import annotations

import pytest

import amlnbtools
from amlnbtools.core.diagnosis.catalogue import Catalogue, CatalogueError


@pytest.mark.parametrize(("text", "rule", "subject"), [
    ("No module named 'lightgbm'", "dependency-error", "lightgbm"),
    ("ERROR: No matching distribution found for azureml-samples==0+unknown (from -r /tmp/r.txt (line 39))",
     "dependency-error", "azureml-samples==0+unknown"),
    ("Solving environment: ...working... failed\n\nResolvePackageNotFound:\n  - numpy=1.16.0\n",
     "dependency-error", "numpy=1.16.0"),
    ("LibMambaUnsatisfiableError: Encountered problems while solving:\n"
     "  - nothing provides opencensus-ext-azure needed by azure-ai-ml-2022.12.01-py_0\n",
     "conda-solve-failed", "opencensus-ext-azure"),
    ("#5 ERROR: error from sender: resolve : lstat serving: no such file or directory", "build-context-missing",
     "serving"),
    ("Encountered error when building image: ScriptTask failed with: Unknown compute target 'gpu-build-01'.",
     "image-build-compute-missing", "gpu-build-01"),
])
def test_the_remedy_names_what_to_change(text: str, rule: str, subject: str) -> None:
    findings = amlnbtools.diagnose(text, language="en")
    primary = findings.primary()
    assert primary is not None and primary.rule == rule, findings.rules
    assert subject in primary.remedy


def test_without_a_subject_the_general_remedy_is_given() -> None:
    finding = amlnbtools.diagnose("ModuleNotFoundError: No module named", language="en").primary()
    assert finding is not None and finding.rule == "dependency-error"
    assert "{subject}" not in finding.remedy and "add the missing package" in finding.remedy


def test_the_subject_is_translated_around_it() -> None:
    finding = amlnbtools.diagnose("No module named 'lightgbm'", language="fr").primary()
    assert finding is not None and "lightgbm" in finding.remedy and finding.remedy != amlnbtools.diagnose(
        "No module named 'lightgbm'", language="en").primary().remedy


def test_conda_retrying_a_frozen_solve_is_not_a_failure() -> None:
    text = ("Solving environment: ...working... failed with initial frozen solve. Retrying with flexible solve.\n"
            "Solving environment: ...working... done\n")
    assert "conda-solve-failed" not in amlnbtools.diagnose(text).rules


def test_a_refused_build_log_link_is_a_warning_next_to_the_build_failure() -> None:
    text = ("(UserError) Image build failed. Build log: https://x.blob.core.windows.net/c/logs/rawtext.log\n"
            "ERROR 409: Public access is not permitted on this storage account..\n")
    findings = amlnbtools.diagnose(text, language="en")
    assert findings.primary().rule == "image-build-failed"
    forbidden = [f for f in findings if f.rule == "build-log-forbidden"]
    assert forbidden and forbidden[0].severity == "warning" and "build_logs" in forbidden[0].remedy


@pytest.mark.parametrize(("extra", "message"), [
    ('subject = ["(?P<value>x)"]\n', "go together"),
    ('remedy_subject = "no placeholder"\nsubject = ["(?P<value>x)"]\n', "must say"),
    ('remedy_subject = "about {subject}"\nsubject = ["x"]\n', "go together"),
])
def test_the_catalogue_refuses_a_half_subject(extra: str, message: str) -> None:
    text = ('[[rule]]\nid = "r"\nseverity = "error"\ntitle = "t"\nremedy = "r"\ndocs = "d"\npatterns = ["x"]\n'
            + extra)
    with pytest.raises(CatalogueError, match=message):
        Catalogue.from_toml(text)


def test_the_command_line_reads_a_build_log(tmp_path) -> None:
    import io

    from amlnbtools.cli import main

    log = tmp_path / "build.log"
    log.write_text("Installing pip dependencies: ...working...\nPip subprocess error:\n"
                   "ERROR: No matching distribution found for xgboost==1.7.9\n\nCondaEnvException: Pip failed\n")
    out = io.StringIO()
    assert main(["diagnose", str(log)], out=out, err=io.StringIO()) == 1
    text = out.getvalue()
    assert "[dependency-error]" in text and "Fix: xgboost==1.7.9 is missing" in text
