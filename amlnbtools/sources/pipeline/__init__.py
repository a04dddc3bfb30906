"""What is done with any :class:`PipelineSource`, whichever backend it is: root cause, ParallelRunStep summary.

The backends live beside this package: :class:`~amlnbtools.sources.azureml_v1.pipeline.AzureMLPipelineSource`
(azureml-pipeline-core runs) and :class:`~amlnbtools.sources.files.pipeline.FolderPipelineSource` (folders of
downloaded logs). The protocol is :class:`amlnbtools.sources.base.PipelineSource`, exported here too.
"""

from amlnbtools.sources.base import DEFAULT_FETCH_WORKERS, PipelineSource, fetch_logs

__all__ = ["DEFAULT_FETCH_WORKERS", "PipelineSource", "fetch_logs"]
