"""The pipeline log panel; ``_parts`` holds the pieces of HTML and the loading it alone uses."""

from amlnbtools.widgets.pipeline.panel import PipelineLogsPanel

__all__ = ["PipelineLogsPanel"]
