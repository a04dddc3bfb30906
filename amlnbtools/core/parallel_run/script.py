"""Static checks of a ParallelRunStep entry script: init(), run(mini_batch), and what run() returns.

ParallelRunStep calls ``init()`` once per worker process and ``run(mini_batch)`` for each mini-batch;
``run`` must return a list or a pandas DataFrame, and each returned element counts as one success.
A ``run`` that returns nothing makes every mini-batch fail (the job log says "run() returned None").
"""

from __future__ import annotations

import ast

from amlnbtools.core.parallel_run.config import ConfigIssue
from amlnbtools.i18n import _

__all__ = ["check_entry_script"]

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _module_functions(tree: ast.Module) -> tuple[dict[str, ast.FunctionDef | ast.AsyncFunctionDef], set[str]]:
    """Module-level function definitions (the last one of a name wins) and other module-level names."""
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    others: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[node.name] = node
                others.discard(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                others.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                others.update(t.id for t in targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.If, ast.Try, ast.With)):  # e.g. definitions under try/except ImportError
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return functions, others


def _required(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = fn.args
    positional = args.posonlyargs + args.args
    required = [a.arg for a in positional[: len(positional) - len(args.defaults)]]
    required += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
    return required


def _returns(node: ast.AST) -> list[ast.Return]:
    """The return statements of a function body, not of functions nested in it."""
    found: list[ast.Return] = []
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Return):
            found.append(child)
        elif not isinstance(child, _SCOPES):
            stack.extend(ast.iter_child_nodes(child))
    return sorted(found, key=lambda r: r.lineno)


def _has_break(body: list[ast.stmt]) -> bool:
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Break):
            return True
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While) + _SCOPES):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _ends(body: list[ast.stmt]) -> bool:
    """True when every path through ``body`` ends in ``return`` or ``raise`` (never falls off its end)."""
    for stmt in body:
        if isinstance(stmt, (ast.Return, ast.Raise)):
            return True
        if isinstance(stmt, ast.If) and _ends(stmt.body) and _ends(stmt.orelse):
            return True
        if isinstance(stmt, (ast.With, ast.AsyncWith)) and _ends(stmt.body):
            return True
        if (isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar") and (  # TryStar: Python 3.11+
                _ends(stmt.finalbody)  # type: ignore[attr-defined]
                or (_ends(stmt.body + stmt.orelse) and all(_ends(h.body) for h in stmt.handlers))):  # type: ignore[attr-defined]
            return True
        if isinstance(stmt, ast.While) and isinstance(stmt.test, ast.Constant) and stmt.test.value \
                and not _has_break(stmt.body):
            return True
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)) and _ends(stmt.orelse) and not _has_break(stmt.body):
            return True
        if isinstance(stmt, ast.Match) and stmt.cases and all(_ends(c.body) for c in stmt.cases):
            last = stmt.cases[-1]
            if isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None and last.guard is None:
                return True
    return False


def _check_run(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ConfigIssue]:
    issues = []
    required = _required(fn)
    if not required and fn.args.vararg is None:
        issues.append(ConfigIssue("run", "error", _("run() must take one argument, mini_batch, but it takes none."),
                                  0, fn.lineno))
    elif len(required) > 1:
        issues.append(ConfigIssue("run", "error", _(
            "run() must take exactly one required argument, mini_batch, but it requires {names}.").format(
            names=", ".join(required)), len(required), fn.lineno))
    returns = _returns(fn)
    valued = [r for r in returns if r.value is not None]
    if not valued:
        issues.append(ConfigIssue("run", "error", _(
            "run() never returns a value: return a list or a pandas DataFrame; each returned element counts as "
            "one success."), None, fn.lineno))
        return issues
    for r in returns:
        if r.value is None:
            issues.append(ConfigIssue("run", "error", _(
                "run() has a bare return at line {line}: return a list or a pandas DataFrame; each returned element "
                "counts as one success.").format(line=r.lineno), None, r.lineno))
        elif isinstance(r.value, ast.Constant):  # None, True, 0, "done": not one element per input
            issues.append(ConfigIssue("run", "warning", _(
                "run() returns the constant {value} at line {line}: return a list or a pandas DataFrame with one "
                "element per input item.").format(value=repr(r.value.value)[:40], line=r.lineno),
                r.value.value, r.lineno))
    if not _ends(fn.body):
        last = getattr(fn, "end_lineno", None) or fn.lineno
        issues.append(ConfigIssue("run", "error", _(
            "run() can reach its end without returning a value: return a list or a pandas DataFrame on every path; "
            "each returned element counts as one success."), None, last))
    return issues


def check_entry_script(source: str | bytes) -> tuple[ConfigIssue, ...]:
    """Check an entry script's source without running it; returns the problems found, errors first.

    A syntax error; no module-level ``init()`` or one with required arguments; no ``run(mini_batch)``
    or one that does not take exactly one required argument; a ``run`` that can end without returning
    a value (a bare ``return``, or falling off its end) are errors. Returning a constant such as
    ``None`` explicitly is a warning. Names bound by import or assignment are trusted.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        line = exc.lineno or 0
        return (ConfigIssue("entry_script", "error", _("The entry script does not compile: {error} (line {line}).")
                            .format(error=exc.msg, line=line), line, line),)
    except (ValueError, TypeError) as exc:  # NUL bytes, wrong type
        return (ConfigIssue("entry_script", "error", _("The entry script does not compile: {error} (line {line}).")
                            .format(error=str(exc), line=0), 0, 0),)
    functions, others = _module_functions(tree)
    issues: list[ConfigIssue] = []
    init = functions.get("init")
    if init is None and "init" not in others:
        issues.append(ConfigIssue("init", "error", _(
            "The entry script defines no init() function: add a module-level def init(): it runs once per "
            "process, before the first run() call.")))
    elif init is not None and _required(init):
        issues.append(ConfigIssue("init", "error", _(
            "init() must take no required arguments (it is called as init()), but it requires {names}.").format(
            names=", ".join(_required(init))), None, init.lineno))
    run = functions.get("run")
    if run is None and "run" not in others:
        issues.append(ConfigIssue("run", "error", _(
            "The entry script defines no run(mini_batch) function: add a module-level def run(mini_batch): that "
            "returns a list or a pandas DataFrame.")))
    elif run is not None:
        issues.extend(_check_run(run))
    return tuple(sorted(issues, key=lambda i: i.severity != "error"))
