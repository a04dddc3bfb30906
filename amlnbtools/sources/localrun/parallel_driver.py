"""Runs a parallel step's entry script on this machine the way Azure ML runs it on a node (one process).

Started as a script by the Python the user chose — ``python parallel_driver.py CONFIG.json ENTRY_SCRIPT [ARG ...]``
— so it uses the standard library only (pandas when the input is a table). As the service does:

- the entry script is imported with ``sys.argv = [entry script, *arguments]``, and ``init()`` is called once;
- the input is split into mini-batches: files (every file under each input folder, in name order,
  ``mini_batch_size`` files each) or rows (CSV, TSV and Parquet files read with pandas, about ``mini_batch_size``
  bytes of the files in each);
- ``run(mini_batch)`` is called for each, stopped after ``run_invocation_timeout`` seconds and tried up to
  ``run_max_try`` times; each element it returns counts one item done, a mini-batch's items not returned count as
  failed;
- the job stops when failed items go over ``error_threshold`` (-1: never) or failed mini-batches over
  ``allowed_failed_count`` / ``allowed_failed_percent``, and fails when no item succeeded;
- ``append_row``: every returned element is appended to one file of the output folder (a DataFrame's rows
  space-separated, without a header unless ``--append_row_dataframe_header True`` is an argument);
- the logs are written in the service's 2021 layout (``logs/job_result.txt``, ``logs/job_progress_overview.txt``,
  ``logs/user/error.txt``, ``logs/user/entry_script_log/0/process000.log.txt``);
- ``azureml_user.parallel_run.EntryScript`` (logger, output and working folders) is provided when the service's own
  module is not installed, as the service provides it.

Exit code: 0 when the job succeeded, 1 when it failed, 2 when it could not start.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import logging
import math
import re
import signal
import sys
import traceback
import types
from pathlib import Path
from typing import Any

TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")


class _Timeout(BaseException):  # not an Exception: the entry script's own ``except Exception`` does not catch it
    pass


def _stamp() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]


class Logs:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "user" / "entry_script_log" / "0").mkdir(parents=True, exist_ok=True)

    def append(self, name: str, text: str) -> None:
        with open(self.root / name, "a", encoding="utf-8") as f:
            f.write(text)

    def error(self, text: str) -> None:
        self.append("user/error.txt", f"{_stamp()} {text}\n")
        print(text, file=sys.stderr, flush=True)


def size_in_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG][bB])?\s*", str(text))
    if not m:
        raise ValueError(f"mini_batch_size {text!r} is not a number of files or a size like 1024, 10KB, 1MB, 1GB")
    unit = (m.group(2) or "").lower()
    return int(m.group(1)) * {"": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}[unit]


def _files(paths: list[str], tables: bool) -> list[Path]:
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                            and (not tables or p.suffix.lower() in TABLE_SUFFIXES))
    return found


def file_batches(paths: list[str], size: int) -> list[list[str]]:
    files = [str(p) for p in _files(paths, tables=False)]
    return [files[i:i + size] for i in range(0, len(files), max(1, size))]


def table_batches(paths: list[str], size: int) -> list[Any]:
    import pandas as pd

    files = _files(paths, tables=True)
    frames = []
    for path in files:
        suffix = path.suffix.lower()
        frames.append(pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(
            path, sep="\t" if suffix == ".tsv" else ","))
    if not frames:
        return []
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        return []
    per_row = max(1.0, sum(p.stat().st_size for p in files) / len(table))
    rows = max(1, math.floor(size / per_row))
    return [table.iloc[i:i + rows].reset_index(drop=True) for i in range(0, len(table), rows)]


def install_entry_script_module(logs: Path, output_dir: str | None, working_dir: str, level: str) -> None:
    """``from azureml_user.parallel_run import EntryScript`` as the service provides it, unless installed."""
    try:
        import azureml_user.parallel_run  # type: ignore[import-not-found]  # noqa: F401
        return
    except ImportError:
        pass
    log_dir = logs / "user" / "entry_script_log" / "0"
    logger = logging.getLogger("azureml_user.parallel_run.entry_script")
    logger.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    formatter = logging.Formatter("%(asctime)s|%(levelname)s|%(message)s")
    for handler in (logging.FileHandler(log_dir / "process000.log.txt", encoding="utf-8"),
                    logging.StreamHandler(sys.stderr)):
        handler.setFormatter(formatter)
        logger.addHandler(handler)

    class EntryScript:
        """The running entry script's context: ``logger``, ``output_dir``, ``working_dir``, ``log_dir``, names."""

        def __init__(self) -> None:
            self.logger = logger
            self.output_dir = output_dir or working_dir
            self.working_dir = working_dir
            self.log_dir = str(log_dir)
            self.agent_name = self.process_name = "process000"
            self.node_id = "0"

    package = types.ModuleType("azureml_user")
    module = types.ModuleType("azureml_user.parallel_run")
    module.EntryScript = EntryScript  # type: ignore[attr-defined]
    package.parallel_run = module  # type: ignore[attr-defined]
    sys.modules.update({"azureml_user": package, "azureml_user.parallel_run": module})


def _call(function: Any, batch: Any, seconds: float) -> Any:
    def alarm(_signum: int, _frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(batch)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _trace(exc: BaseException) -> str:
    """The traceback from the entry script's frames on (this driver's own frames left out)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _returned(result: Any) -> int | None:
    """How many elements ``run()`` returned (None: not a list or a DataFrame)."""
    if isinstance(result, (list, tuple)) or (hasattr(result, "iloc") and hasattr(result, "to_csv")):
        return len(result)
    return None


class Job:
    def __init__(self, config: dict[str, Any], entry: Path, arguments: list[str]) -> None:
        self.config, self.entry, self.arguments = config, entry, arguments
        self.logs = Logs(Path(config["logs"]))
        self.output = config.get("output")
        self.header = any(a == "--append_row_dataframe_header" and str(b).lower() == "true"
                          for a, b in zip(arguments, arguments[1:], strict=False))
        self.batches_done = self.batches_failed = self.items_done = self.items_failed = 0
        self.total_items = 0
        self.wrote_header = False

    # --- the job's files ----------------------------------------------------------------------------
    def progress(self, total: int) -> None:
        left = total - self.batches_done - self.batches_failed
        self.logs.append("job_progress_overview.txt", (
            f"{_stamp()} Processed {self.batches_done + self.batches_failed} of {total} mini batches: "
            f"{self.batches_done} succeeded, {self.batches_failed} failed, {left} remaining; items: "
            f"{self.items_done} succeeded, {self.items_failed} failed.\n"))

    def finish(self, ok: bool, reason: str | None) -> int:
        text = f"Job result: {'SUCCEEDED' if ok else 'FAILED'}\n" + (f"Reason: {reason}\n" if reason else "")
        (self.logs.root / "job_result.txt").write_text(text, encoding="utf-8")
        print(text.strip(), flush=True)
        return 0 if ok else 1

    def append_rows(self, result: Any) -> None:
        if self.config.get("output_action", "append_row") != "append_row" or not self.output:
            return
        with open(Path(self.output) / self.config.get("append_row_file_name", "parallel_run_step.txt"), "a",
                  encoding="utf-8") as f:
            if hasattr(result, "to_csv"):
                result.to_csv(f, sep=" ", header=self.header and not self.wrote_header, index=False)
                self.wrote_header = True
            else:
                f.writelines(f"{element}\n" for element in result)

    # --- the run ------------------------------------------------------------------------------------
    def load(self) -> Any:
        spec = importlib.util.spec_from_file_location(self.entry.stem, self.entry)
        if spec is None or spec.loader is None:
            raise ImportError(f"entry script {self.entry} cannot be imported")
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.entry.stem] = module
        spec.loader.exec_module(module)
        return module

    def over_threshold(self, total: int) -> str | None:
        limit = int(self.config.get("error_threshold", -1))
        if limit >= 0 and self.items_failed > limit:
            return (f"The number of failed items ({self.items_failed}) exceeded error_threshold ({limit}): "
                    "the job stops.")
        count = self.config.get("allowed_failed_count")
        if count is not None and int(count) >= 0 and self.batches_failed > int(count):
            return (f"The number of failed mini batches ({self.batches_failed}) exceeded allowed_failed_count "
                    f"({count}): the job stops.")
        percent = self.config.get("allowed_failed_percent")
        if percent is not None and total and 100.0 * self.batches_failed / total > float(percent):
            return (f"Failed mini batches ({self.batches_failed} of {total}) exceeded allowed_failed_percent "
                    f"({percent}%): the job stops.")
        return None

    def one(self, run: Any, index: int, total: int, batch: Any) -> None:
        tries, timeout = max(1, int(self.config.get("run_max_try", 3))), float(self.config.get(
            "run_invocation_timeout", 60))
        for attempt in range(1, tries + 1):
            where = f"mini batch {index} of {total}, try {attempt} of {tries}"
            try:
                result = _call(run, batch, timeout)
            except _Timeout:
                self.logs.error(f"mini batch {index} did not finish in {timeout:g} seconds (run_invocation_timeout)"
                                f"; {where}.")
                continue
            except Exception as exc:
                self.logs.error(f"run() raised an exception on {where}:\n{_trace(exc)}")
                continue
            count = _returned(result)
            if count is None:
                self.logs.error(f"run() returned {'None' if result is None else type(result).__name__} on {where}: "
                                "it must return a list or a pandas DataFrame with one element per input it "
                                "processed.")
                continue
            done = min(count, len(batch))
            self.append_rows(result)
            self.items_done += done
            self.items_failed += len(batch) - done
            if done < len(batch):
                self.logs.error(f"run() returned {count} elements for the {len(batch)} inputs of mini batch {index}: "
                                f"{len(batch) - done} counted as failed.")
            self.batches_done += 1
            print(f"mini batch {index}/{total}: {done} of {len(batch)} items succeeded", flush=True)
            return
        self.items_failed += len(batch)
        self.batches_failed += 1
        print(f"mini batch {index}/{total}: failed after {tries} tries", flush=True)

    def main(self) -> int:
        config = self.config
        working_dir = str(self.entry.parent)
        if self.output:
            Path(self.output).mkdir(parents=True, exist_ok=True)  # the service mounts the output folder
        install_entry_script_module(self.logs.root, self.output, working_dir, config.get("logging_level", "INFO"))
        sys.argv = [str(self.entry), *self.arguments]
        sys.path.insert(0, working_dir)
        size = size_in_bytes(str(config.get("mini_batch_size") or ("1MB" if config["kind"] == "tabular" else 10)))
        if config["kind"] == "tabular":
            batches = table_batches(config["inputs"], size)
        else:
            batches = file_batches(config["inputs"], size)
        total = len(batches)
        self.logs.append("job_progress_overview.txt", f"{_stamp()} Scheduled: {total} mini batches; "
                         f"items: {sum(len(b) for b in batches)} in total.\n")
        try:
            module = self.load()
            for name in ("init", "run"):
                if not callable(getattr(module, name, None)):
                    self.logs.error(f"{name}() not found in the entry script {self.entry.name}: define a "
                                    f"module-level def {name}(...).")
                    return self.finish(False, f"{name}() not found in the entry script {self.entry.name}.")
            module.init()
        except Exception as exc:
            self.logs.error(f"The entry script failed before any mini batch ran:\n{_trace(exc)}")
            return self.finish(False, "init() or the entry script's import failed: see logs/user/error.txt.")
        if not total:
            return self.finish(False, "The input has no files or rows: there is no mini batch to run.")
        for index, batch in enumerate(batches, 1):
            self.one(module.run, index, total, batch)
            self.progress(total)
            stop = self.over_threshold(total)
            if stop:
                self.logs.error(stop)
                return self.finish(False, stop)
        if not self.items_done:
            return self.finish(False, "There is no succeeded mini batch item returned from run().")
        return self.finish(True, None)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: parallel_driver.py CONFIG.json ENTRY_SCRIPT [ARG ...]", file=sys.stderr)
        return 2
    config = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    entry = Path(argv[1]).resolve()
    try:
        return Job(config, entry, argv[2:]).main()
    except (ValueError, OSError, ImportError) as exc:  # the input cannot be read or split
        print(f"The parallel step could not start: {exc}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
