"""Pipeline runs as :class:`PipelineSource`: azureml-pipeline-core runs, or folders of downloaded logs."""

from amlnbtools.sources.pipeline.base import DEFAULT_FETCH_WORKERS, PipelineSource, fetch_logs

__all__ = ["DEFAULT_FETCH_WORKERS", "PipelineSource", "fetch_logs"]
