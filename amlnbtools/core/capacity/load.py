"""Load traces: requests per second at 1 s resolution, generated or read from a CSV export.

A load trace is a ``pandas.Series`` of requests per second (float, ≥ 0), one value per second,
indexed by seconds from 0 (an integer index named ``second``) or by a ``DatetimeIndex`` at 1 s.
Generators are deterministic: the same arguments and ``seed`` give the same trace.
"""

from __future__ import annotations

import math
import warnings
from typing import IO

import numpy as np
import pandas as pd

__all__ = ["diurnal", "load_csv", "spikes", "steady"]

DAY_S = 86_400
# Column names recognised in Application Insights / Log Analytics exports and in plain CSVs,
# compared lower-case, without a trailing " [UTC]".
TIME_NAMES = ("timestamp", "timegenerated", "time", "datetime", "date", "ts", "second", "seconds", "t")
# ISO 8601 (Log Analytics, APIs), then the Azure portal's "Export to CSV" (en-US)
TIME_FORMATS = ("ISO8601", "%m/%d/%Y, %I:%M:%S.%f %p", "%m/%d/%Y, %I:%M:%S %p")
COUNT_NAMES = ("itemcount", "count_", "sum_itemcount", "count", "requests", "rps", "n", "value")


def _trace(values: np.ndarray) -> pd.Series:
    index = pd.RangeIndex(len(values), name="second")
    return pd.Series(np.asarray(values, dtype=float), index=index, name="rps")


def _check(name: str, value: float, *, positive: bool = False) -> None:
    if not (math.isfinite(value) and (value > 0 if positive else value >= 0)):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, not {value!r}")


def steady(rps: float, seconds: int) -> pd.Series:
    """A constant load of ``rps`` requests per second for ``seconds`` seconds."""
    _check("rps", rps)
    _check("seconds", seconds, positive=True)
    return _trace(np.full(int(seconds), float(rps)))


def diurnal(mean_rps: float, peak_rps: float, seconds: int = DAY_S, seed: int | None = None,
            *, noise: float = 0.1, start_s: int = 0) -> pd.Series:
    """A daily cycle: lowest at midnight, ``peak_rps`` at noon, averaging ``mean_rps`` over a day.

    Parameters
    ----------
    mean_rps, peak_rps
        Mean and peak requests per second (``peak_rps >= mean_rps``). If the peak is more than twice
        the mean, the night is clipped at 0 and the mean of the trace is above ``mean_rps``.
    seconds
        Length of the trace (one value per second); the cycle's period is always one day.
    seed
        ``None`` gives the smooth sine. An integer adds multiplicative noise that changes once a
        minute (relative standard deviation ``noise``), the same for the same seed.
    start_s
        Second of the day the trace starts at: 0 (default) is midnight, the trough; 43,200 is noon.
        A trace shorter than a day that should show the peak starts near ``43_200 - seconds // 2``.
    """
    _check("mean_rps", mean_rps)
    _check("peak_rps", peak_rps)
    _check("noise", noise)
    _check("seconds", seconds, positive=True)
    _check("start_s", start_s)
    if peak_rps < mean_rps:
        raise ValueError(f"peak_rps ({peak_rps}) must be >= mean_rps ({mean_rps})")
    t = np.arange(int(seconds), dtype=float) + start_s
    rps = mean_rps - (peak_rps - mean_rps) * np.cos(2 * np.pi * t / DAY_S)
    if seed is not None:
        minutes = -(-int(seconds) // 60)
        factor = 1 + noise * np.random.default_rng(seed).standard_normal(minutes)
        rps = rps * np.repeat(factor, 60)[: int(seconds)]
    return _trace(np.clip(rps, 0, None))


def spikes(base_rps: float, spike_rps: float, every_s: int, spike_s: int, seconds: int,
           seed: int | None = None) -> pd.Series:
    """A base load with spikes: ``spike_rps`` (the level, not an increment) for ``spike_s`` seconds.

    Without a seed the spikes start at ``every_s``, ``2 * every_s``, … (the first ``every_s``
    seconds are a warm-up at the base level). With a seed, each spike starts at a random second
    of its period ``[k * every_s, (k + 1) * every_s - spike_s]``, the same for the same seed.
    """
    _check("base_rps", base_rps)
    _check("spike_rps", spike_rps)
    _check("seconds", seconds, positive=True)
    _check("spike_s", spike_s, positive=True)
    if not every_s >= spike_s:
        raise ValueError(f"every_s ({every_s}) must be >= spike_s ({spike_s}): spikes may not overlap")
    every, length, n = int(every_s), int(spike_s), int(seconds)
    rps = np.full(n, float(base_rps))
    starts = np.arange(every, n, every)
    if seed is not None:
        starts = starts + np.random.default_rng(seed).integers(0, every - length + 1, len(starts))
    for start in starts.tolist():
        rps[start:start + length] = spike_rps
    return _trace(rps)


# ----------------------------------------------------------------------------- CSV exports


def _normal(name: object) -> str:
    text = str(name).strip().lower()
    return text[: -len("[utc]")].strip() if text.endswith("[utc]") else text


def _show(value: object) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _pick(frame: pd.DataFrame, given: str | None, names: tuple[str, ...], what: str) -> object | None:
    if given is not None:
        if given not in frame.columns:
            raise ValueError(f"{what} column {given!r} not found; the CSV has columns {list(frame.columns)}")
        return given
    found = {_normal(c): c for c in frame.columns}
    return next((found[n] for n in names if n in found), None)


def _seconds(column: pd.Series) -> tuple[np.ndarray, pd.Timestamp | None]:
    """Times as float seconds from the first whole second, and that second (None for numbers)."""
    if pd.api.types.is_numeric_dtype(column):
        secs = column.to_numpy(dtype=float)
        if not np.isfinite(secs).all():
            raise ValueError(f"time column {column.name!r} has empty or non-finite values")
        return secs, None
    for fmt in TIME_FORMATS:
        times = pd.to_datetime(column, utc=True, errors="coerce", format=fmt)
        if not times.isna().any():
            break
    else:
        with warnings.catch_warnings():  # "could not infer format": parsed value by value, on purpose
            warnings.simplefilter("ignore", UserWarning)
            times = pd.to_datetime(column, utc=True, errors="coerce", format="mixed")
    bad = times.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"time column {column.name!r} has a value that is not a time: {_show(column.iloc[row])} "
                         f"(data row {row + 1}); expected e.g. '2024-03-08T12:58:41.120Z' or "
                         f"'3/8/2024, 12:58:41.120 PM', or seconds as numbers; name the column with "
                         f"time_column=")
    start = times.min().floor("s")
    return ((times - start) / pd.Timedelta(seconds=1)).to_numpy(dtype=float), start


def _looks_like_data(name: object) -> bool:
    text = str(name).strip()
    try:
        float(text)
        return True
    except ValueError:
        pass
    try:
        return text.lower() not in ("now", "today") and pd.Timestamp(text) is not pd.NaT
    except (ValueError, TypeError):
        return False


def _read(path_or_buffer: str | IO) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path_or_buffer, index_col=False)
    except pd.errors.EmptyDataError:
        raise ValueError("the CSV is empty; expected a header and rows, e.g. 'timestamp [UTC],itemCount' "
                         "(Application Insights export) or 'time,count'") from None
    if len(frame.columns) == 2 and _looks_like_data(frame.columns[0]):
        # no header: the first row is data (e.g. "0,5"); read again without one
        if hasattr(path_or_buffer, "seek"):
            path_or_buffer.seek(0)
        frame = pd.read_csv(path_or_buffer, header=None, names=["time", "count"], index_col=False)
    if frame.empty:
        raise ValueError(f"the CSV has a header {list(frame.columns)} but no rows")
    return frame


def load_csv(path_or_buffer: str | IO, *, time_column: str | None = None,
             count_column: str | None = None) -> pd.Series:
    """Requests per second at 1 s resolution from an Application Insights export or a plain CSV.

    Parameters
    ----------
    path_or_buffer
        A path or an open text/binary file. Shapes understood: an Application Insights ``requests``
        export (``timestamp [UTC]`` plus ``itemCount`` — one row per request, ``itemCount`` being its
        sampling weight); a summarised export (``timestamp [UTC]``, ``count_`` per time bucket such
        as ``bin(timestamp, 1m)``); a plain two-column CSV ``time,count`` (times or seconds),
        with or without a header: in a two-column file the column that is not the time is the count,
        whatever its name.
    time_column, count_column
        Column names, when they are not among the recognised ones (``timestamp``,
        ``TimeGenerated``, ``time``…; ``itemCount``, ``count_``, ``count``, ``requests``…).
        Without a count column every row counts as one request.

    Returns
    -------
    pandas.Series
        Requests per second (float), gaps filled with 0, indexed by a UTC ``DatetimeIndex`` at 1 s
        (times) or by whole seconds (numbers). Rows in the same second are summed. Regular
        buckets wider than a second (unique times all a whole multiple of the smallest gap apart)
        are spread evenly over their seconds: 600 requests in a 1-minute bucket give 10 rps
        (never for ``itemCount`` or one-row-per-request files).

    Raises
    ------
    ValueError
        Empty file, no time column, times that do not parse, counts that are not numbers ≥ 0.
    """
    frame = _read(path_or_buffer)
    time_col = _pick(frame, time_column, TIME_NAMES, "time")
    if time_col is None and len(frame.columns) == 2:
        time_col = frame.columns[0]
    if time_col is None:
        raise ValueError(f"no time column among {list(frame.columns)}; expected one named 'timestamp [UTC]', "
                         f"'timestamp', 'TimeGenerated' or 'time', or pass time_column=")
    count_col = _pick(frame, count_column, COUNT_NAMES, "count")
    if count_col is None and count_column is None and len(frame.columns) == 2:
        count_col = next(c for c in frame.columns if c != time_col)
    if count_col is None:
        counts = np.ones(len(frame))
    else:
        counts = pd.to_numeric(frame[count_col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(counts) | (counts < 0)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(f"count column {count_col!r} must hold numbers >= 0; data row {row + 1} has "
                             f"{_show(frame[count_col].iloc[row])}; choose another column with count_column=, or "
                             f"remove the column to count one request per row")
    secs, start = _seconds(frame[time_col])
    origin = math.floor(secs.min())
    offsets = secs - origin
    unique = np.unique(offsets)
    gaps = np.diff(unique)
    step = gaps.min() if len(gaps) else 0.0
    per_request = count_col is None or _normal(count_col) == "itemcount"
    bucketed = (not per_request and len(unique) == len(offsets) and step > 1 and step == int(step)
                and bool(np.all(gaps % step == 0)))
    if bucketed:
        width = int(step)
        first = np.floor(offsets).astype(np.int64)
        rps: np.ndarray = np.zeros(int(first.max()) + width)
        rps[(first[:, None] + np.arange(width)).ravel()] = np.repeat(counts / width, width)
    else:
        rps = np.bincount(np.floor(offsets).astype(np.int64), weights=counts)
    if start is None:
        index = pd.RangeIndex(origin, origin + len(rps), name="second")
    else:
        index = pd.date_range(start + pd.Timedelta(seconds=origin), periods=len(rps), freq="s", name="time")
    return pd.Series(rps, index=index, name="rps")
