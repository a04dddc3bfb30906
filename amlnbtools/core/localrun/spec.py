"""What a local run of a pipeline step needs to know about the step, whatever SDK described it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DATA_TYPES", "InputSpec", "ParallelSpec", "StepSpec"]

#: Input types that are files or folders (mapped to local paths); the others are values.
DATA_TYPES = frozenset({"uri_folder", "uri_file", "mltable", "mlflow_model", "custom_model", "triton_model"})


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: str
    value: str | None = None  # the job's value or path, else the default; None: none
    optional: bool = False

    @property
    def is_data(self) -> bool:
        return self.type in DATA_TYPES


@dataclass(frozen=True)
class ParallelSpec:
    """How a parallel step (SDK v1 ``ParallelRunStep``, SDK v2 ``parallel``) splits its input and runs its entry
    script: the inputs split into mini-batches (``file``: files; ``tabular``: rows of CSV / Parquet files), the
    mini-batch size (files, or bytes like ``1MB``), the failure limits (items, mini-batches, percent; None or -1:
    none), each call's timeout and tries, and where ``append_row`` writes (``output``; None: ``summary_only``)."""

    data_inputs: tuple[str, ...]
    kind: str  # "file" | "tabular"
    mini_batch_size: str
    error_threshold: int = -1
    allowed_failed_count: int | None = None
    allowed_failed_percent: float | None = None
    run_invocation_timeout: float = 60.0
    run_max_try: int = 3
    output: str | None = None  # the output folder the job gets (its name)
    append_row: bool = True
    append_row_file_name: str = "parallel_run_step.txt"
    logging_level: str = "INFO"


@dataclass(frozen=True)
class StepSpec:
    """A step to run locally: its command with ``${{inputs.x}}`` / ``${{outputs.y}}``, its code folder (None: run
    in an empty folder), where relative paths start (``base``), its inputs and outputs, and its environment's
    conda specification when it has one inline."""

    name: str
    kind: str  # e.g. "command component", "command job"
    command: str
    code: Path | None
    base: Path
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # name -> type
    conda: dict[str, Any] | None = None
    environment: str | None = None  # how the environment is named (shown when its packages are unknown)
    parallel: ParallelSpec | None = None  # a parallel step: ``command`` is ``python <entry script> <arguments>``
