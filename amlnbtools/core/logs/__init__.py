"""Log text: line splitting, the level of each line, and the stores a log viewer reads pages from."""

from amlnbtools.core.logs.levels import (
    FRAME,
    LEVEL_CODE,
    LEVEL_MASK,
    LEVEL_OF_CODE,
    LEVELS,
    LevelScanner,
    levels_from_codes,
    levels_of,
    scan_level_codes,
)
from amlnbtools.core.logs.lines import cut_line, split_lines
from amlnbtools.core.logs.store import LogStore, TextLog

__all__ = ["FRAME", "LEVELS", "LEVEL_CODE", "LEVEL_MASK", "LEVEL_OF_CODE", "LevelScanner", "LogStore", "TextLog",
           "cut_line", "levels_from_codes", "levels_of", "scan_level_codes", "split_lines"]
