"""Static search for file writes that happen once per loop iteration in a step's script.

The script is parsed with :mod:`ast`, never run. A *write* is a call that creates or changes a
file: ``open(..., "w" / "a" / "x" / "+")``, pandas ``.to_csv`` / ``.to_parquet`` / …, ``.save`` /
``np.save`` / ``torch.save`` / ``joblib.dump``, ``Path.write_text``, ``shutil.copy`` / ``move``, ….
A write counts when it sits in the body of a ``for`` or ``while`` loop or a comprehension, or in
a module-level function that such a loop calls (followed through other module-level functions).
For a ParallelRunStep entry script, the whole of ``run()`` counts as a loop body: the step calls
it once per mini-batch. Writes to a relative path written as a plain string (``open("log.txt",
"a")``) go to the local working folder, not to an output, and are not counted.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["LoopWrite", "find_loop_writes"]

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_WRITE_MODE = re.compile(r"^[rwxabtU+]*[wax+][rwxabtU+]*$")
_OPEN_MODULES = {"io", "codecs", "gzip", "bz2", "lzma", "tarfile", "zipfile"}

# method or function name → (position of the destination argument, its keyword names)
_WRITERS: dict[str, tuple[int, tuple[str, ...]]] = {
    **dict.fromkeys(("to_csv", "to_parquet", "to_json", "to_pickle", "to_excel", "to_feather", "to_hdf", "to_orc",
                     "to_stata", "to_netcdf", "to_zarr"), (0, ("path_or_buf", "path", "excel_writer", "fname", "buf"))),
    "save": (0, ("file", "filepath", "fname", "path", "filename", "fp", "f")),
    "savez": (0, ("file",)), "savez_compressed": (0, ("file",)), "savetxt": (0, ("fname",)),
    "tofile": (0, ("fid", "file")), "save_pretrained": (0, ("save_directory",)),
    "save_model": (0, ("path", "filepath")), "savefig": (0, ("fname",)), "imwrite": (0, ("uri", "filename")),
    "write_text": (-1, ()), "write_bytes": (-1, ()),
    "copy": (1, ("dst",)), "copy2": (1, ("dst",)), "copyfile": (1, ("dst",)), "copytree": (1, ("dst",)),
    "move": (1, ("dst",)), "copyfileobj": (1, ("fdst",)),
}
# module-level functions whose destination is their second argument
_SECOND_ARGUMENT = {("torch", "save"): ("f",), ("joblib", "dump"): ("filename",)}
_COPIES = {"copy", "copy2", "copyfile", "copytree", "move", "copyfileobj"}


@dataclass(frozen=True, slots=True)
class LoopWrite:
    """One write found inside a loop.

    Attributes
    ----------
    line : int
        1-based line of the call in the script.
    code : str
        The call's source text, on one line and cut to 120 characters.
    via : str or None
        The module-level function, called in the loop, that performs the write (``None`` when the
        write is in the loop body itself).
    """

    line: int
    code: str
    via: str | None = None


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "?")  # "?.open" for Path(...).open
    return ".".join(reversed(parts))


def _argument(call: ast.Call, position: int, keywords: tuple[str, ...]) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    if position == -1:  # the receiver: Path(...).write_text(...)
        func = call.func
        return func.value if isinstance(func, ast.Attribute) else None
    return call.args[position] if len(call.args) > position else None


def _is_local_constant(node: ast.expr | None) -> bool:
    """A relative path written as a plain string: the local working folder, not a mounted output."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and not node.value.startswith(("/", "\\")) and ":" not in node.value)


def _mode(call: ast.Call, position: int) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "mode":
            value = keyword.value
            return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
    if len(call.args) > position:
        value = call.args[position]
        return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
    return None


def is_write(call: ast.Call) -> bool:
    """True when ``call`` creates or changes a file (see the module docstring)."""
    func = call.func
    name = _dotted(func)
    head, _, last = name.rpartition(".")
    if name == "open" or (last == "open" and head in _OPEN_MODULES):
        mode = _mode(call, 1)
        return mode is not None and bool(_WRITE_MODE.match(mode)) and not _is_local_constant(
            _argument(call, 0, ("file", "filename", "name")))
    if last == "open" and isinstance(func, ast.Attribute):  # Path(...).open("w"), fs.open(path, "w")
        modes = (_mode(call, 0), _mode(call, 1) if len(call.args) > 1 else None)
        return any(m is not None and _WRITE_MODE.match(m) for m in modes)
    if (head, last) in _SECOND_ARGUMENT:
        return not _is_local_constant(_argument(call, 1, _SECOND_ARGUMENT[(head, last)]))
    if last in _COPIES:
        # shutil.copy(src, dst), or copy(src, dst) imported from shutil; never list.copy() / copy.copy(x)
        if head != "shutil" and not (head == "" and len(call.args) + len(call.keywords) >= 2):
            return False
        return not _is_local_constant(_argument(call, *_WRITERS[last]))
    rule = _WRITERS.get(last)
    if rule is None or not isinstance(func, ast.Attribute):
        return False
    target = _argument(call, *rule)
    return target is not None and not _is_local_constant(target)


def _calls(node: ast.AST) -> list[ast.Call]:
    """Calls in ``node``, not inside functions or classes defined in it."""
    found: list[ast.Call] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            found.append(current)
        stack.extend(c for c in ast.iter_child_nodes(current) if not isinstance(c, _SCOPES))
    return found


def _writers(functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]) -> dict[str, int]:
    """Module-level functions that write a file, directly or through another one → line of that write."""
    calls = {name: _calls(ast.Module(body=fn.body, type_ignores=[])) for name, fn in functions.items()}
    writers = {name: next(c.lineno for c in found if is_write(c))
               for name, found in calls.items() if any(is_write(c) for c in found)}
    changed = True
    while changed:
        changed = False
        for name, found in calls.items():
            if name in writers:
                continue
            for call in found:
                if isinstance(call.func, ast.Name) and call.func.id in writers:
                    writers[name] = call.lineno
                    changed = True
                    break
    return writers


def _loop_bodies(node: ast.AST) -> list[ast.AST]:
    """The parts of ``node`` that run once per iteration: loop bodies and comprehension elements."""
    bodies: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, _LOOPS):
            bodies.append(ast.Module(body=current.body, type_ignores=[]))
            stack.extend(current.orelse)
            continue
        if isinstance(current, _COMPREHENSIONS):
            bodies.append(current)
            continue
        stack.extend(ast.iter_child_nodes(current))  # nested functions too: their loops count
    return bodies


def _one_line(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:119] + "…"


def find_loop_writes(source: str | bytes, *, per_call: str | None = None) -> tuple[LoopWrite, ...]:
    """File writes that run once per loop iteration in a script's source, in line order.

    Parameters
    ----------
    source : str or bytes
        The script's source text.
    per_call : str, optional
        The name of a module-level function that its caller runs once per item (``"run"`` for a
        ParallelRunStep entry script): its whole body counts as a loop body.

    Raises
    ------
    SyntaxError, ValueError
        When the source does not parse.
    """
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    tree = ast.parse(text)
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    writers = _writers(functions)
    bodies = _loop_bodies(tree)
    if per_call is not None and per_call in functions:
        bodies.append(ast.Module(body=functions[per_call].body, type_ignores=[]))
    found: dict[int, LoopWrite] = {}
    for body in bodies:
        for call in _calls(body):
            if call.lineno in found:
                continue
            if is_write(call):
                found[call.lineno] = LoopWrite(call.lineno, _one_line(text, call))
            elif isinstance(call.func, ast.Name) and call.func.id in writers:
                found[call.lineno] = LoopWrite(call.lineno, _one_line(text, call), call.func.id)
    return tuple(found[line] for line in sorted(found))
