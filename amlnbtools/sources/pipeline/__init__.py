"""Pipeline runs as :class:`PipelineSource`: azureml-pipeline-core runs, or folders of downloaded logs.

The azureml adapter imports azureml only when a run is opened, so importing this package stays light.
"""

from amlnbtools.sources.pipeline.azureml import AzureMLPipelineSource, DownloadLimits
from amlnbtools.sources.pipeline.base import DEFAULT_FETCH_WORKERS, PipelineSource, fetch_logs
from amlnbtools.sources.pipeline.folder import FolderPipelineSource

__all__ = ["DEFAULT_FETCH_WORKERS", "AzureMLPipelineSource", "DownloadLimits", "FolderPipelineSource",
           "PipelineSource", "fetch_logs"]
