"""Both pipeline sources answer alike: the replay's failed run through azureml-pipeline-core, and the bundled
folder exported from it (which must stay in step with the replay data)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from amlnbtools.samples import sample_pipeline
from amlnbtools.sources.azureml_v1.pipeline import AzureMLPipelineSource
from amlnbtools.sources.base import PipelineSource
from amlnbtools.sources.files.pipeline import FolderPipelineSource
from amlnbtools.sources.replay import PIPELINE_RUNS, ReplayWorkspace


@pytest.fixture(scope="module")
def sources() -> Iterator[tuple[AzureMLPipelineSource, FolderPipelineSource]]:
    with ReplayWorkspace() as replay, AzureMLPipelineSource.open(replay.workspace,
                                                                  PIPELINE_RUNS["defects-pipeline"]) as remote:
        yield remote, FolderPipelineSource(sample_pipeline())


def _view(source: PipelineSource) -> list[tuple[object, ...]]:
    return [(s.name, s.status, s.queued, s.started, s.ended, s.reused, s.kind, s.log_files, s.error)
            for s in source.summary().steps]


def test_both_sources_describe_the_same_run(sources: tuple[AzureMLPipelineSource, FolderPipelineSource]) -> None:
    remote, folder = sources
    assert isinstance(remote, PipelineSource) and isinstance(folder, PipelineSource)
    assert _view(folder) == _view(remote)
    a, b = remote.summary(), folder.summary()
    assert (a.status, a.started, a.ended, a.error) == (b.status, b.started, b.ended, b.error)
    assert [s.status for s in a.steps] == ["completed", "failed", "failed", "canceled"]


def test_every_log_file_has_the_same_bytes(sources: tuple[AzureMLPipelineSource, FolderPipelineSource]) -> None:
    remote, folder = sources
    for step_a, step_b in zip(remote.summary().steps, folder.summary().steps, strict=True):
        for name in step_a.log_files:
            assert remote.fetch_log(step_a, name).read_bytes() == folder.fetch_log(step_b, name).read_bytes(), name
