"""What every CLI command shares: output format, consoles, progress bars, and
how a refusal is shown (one line, or a JSON error on stdout; never a traceback).

Imported by `tiergraph --help`: keep it light (no pydantic, numpy, drivers).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import typing
from collections.abc import Collection, Sequence
from contextlib import contextmanager
from enum import Enum, StrEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

if typing.TYPE_CHECKING:
    from rich.table import Table

try:  # typer >= 0.24 carries its own click: its commands raise that one's exceptions
    from typer._click import exceptions as click
except ImportError:  # pragma: no cover - older typer, on click itself
    from click import exceptions as click  # type: ignore[no-redef]

# Exit codes (docs/cli.md).
BAD_ROWS = 1  # a load or import with bad rows
REFUSED = 2  # a bad argument or setting, or a request that cannot be answered
UNAVAILABLE = 3  # Neo4j or Redis does not answer
PORT_IN_USE = 4  # `serve` cannot listen where asked
PIPE_CLOSED = 128 + signal.SIGPIPE  # the reader left first (`| head`), as for `yes | head`


def reader_left() -> NoReturn:
    """The program reading stdout closed it (`tiergraph audits | head`): stop at once
    and quietly, with the code of a Unix tool that SIGPIPE ended (141), not rich's
    or click's 1, which here means bad rows. Whatever is still written goes to
    /dev/null, so that the interpreter's last flush raises nothing."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(PIPE_CLOSED)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        reader_left()


# No emoji codes: ":x:" in an id stays as it is, and their table (30 ms) stays unloaded.
out = _Console(emoji=False)
err = _Console(stderr=True, emoji=False)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, or json (stable shape)")]


def emit_json(data: Any) -> None:
    try:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        sys.stdout.flush()  # whole before anything else runs (`demo` serves after it)
    except BrokenPipeError:
        reader_left()


def print_counts(counts: dict[str, int], what: str) -> None:
    """A table of counts by kind, with thousands separators (JSON keeps plain numbers)."""
    from rich.table import Column, Table

    table = Table("kind", Column(what, justify="right"))
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)


def people_table(*columns: str, right: Collection[str] = (), whole: Collection[str] = ()) -> Table:
    """A table for people: the `right` columns (counts, shares, scores) right-aligned,
    the `whole` ones (ids, days) never cut short on a narrow terminal (an id cut short
    names nothing; the other columns wrap instead)."""
    from rich.table import Column, Table

    return Table(
        *(Column(c, justify="right" if c in right else "left", no_wrap=c in whole) for c in columns)
    )


@contextmanager
def progress_bar(enabled: bool = True):
    """A rich progress bar on stderr (kept off stdout so JSON stays clean)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not enabled,
        transient=False,
    )
    with progress:
        yield progress


class CliError(Exception):
    """A refusal the user can act on: `code` is stable (docs/cli.md), `field` names
    the option, setting or argument at fault when there is one."""

    def __init__(
        self, message: str, *, code: str = "bad_request", field: str | None = None, exit: int = 2
    ):
        super().__init__(message)
        self.message, self.code, self.field, self.exit_code = message, code, field, exit

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def fail(message: str, *, code: str = "bad_request", field: str | None = None) -> NoReturn:
    """Refuse a request that cannot be answered (exit 2)."""
    raise CliError(message, code=code, field=field)


def json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for --format json (or, for `export`, whose
    --format is the file's, --report json), read before parsing, so that a command
    line that does not parse still gets its error as JSON."""
    for i, arg in enumerate(args):
        if arg in ("--format", "-f", "--report") and i + 1 < len(args) and args[i + 1] == "json":
            return True
        if arg in ("--format=json", "-fjson", "--report=json"):
            return True
    return False


def show_error(error: CliError, as_json: bool) -> int:
    if as_json:
        emit_json(error.as_dict())
    else:
        err.print(Text.assemble(("✗ ", "red"), error.message), soft_wrap=True)
    return error.exit_code


GIVEN = re.compile(r"^Value error, (?P<value>.+) is not one of ")


def _allowed(param: Any) -> tuple[list[str], str | None]:
    """An option's allowed values (an enum's) and the kind of number it takes, read
    from its annotation (typer's own parameter), when it has them."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    types = typing.get_args(annotation) or (annotation,)  # X | None
    for kind in types:
        if isinstance(kind, type) and issubclass(kind, Enum):
            return [str(member.value) for member in kind], None
    number = {int: "a whole number", float: "a number"}
    return [], next((number[t] for t in types if t in number), None)


def parameter_message(param: Any, message: str, field: str) -> str:
    """Typer's validation message in the user's words: `--format must be one of
    table, json, not 'xml'` rather than the validator's own wording (one wording for
    every option, as `keys create --role` words it)."""
    values, number = _allowed(param)
    if values:
        given = GIVEN.match(message)
        return f"{field} must be one of {', '.join(values)}" + (
            f", not {given['value']}" if given else ""
        )
    if number and message.startswith("Input should be"):
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        if low is not None and high is not None:
            return f"{field} must be {number} from {low} to {high}"
        if low is not None:
            return f"{field} must be {number} of at least {low}"
        if high is not None:
            return f"{field} must be {number} of at most {high}"
        return f"{field} must be {number}"
    return f"Invalid value for {field}: {message}"


def _usage_error(exc: click.ClickException) -> CliError:
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        param = exc.param
        field = (param.opts or [param.name or ""])[0]
        what = "argument" if getattr(param, "param_type_name", "") == "argument" else "option"
        message = f"missing {what} {field.upper() if what == 'argument' else field}"
        if exc.ctx is not None:
            message += f" (see `{exc.ctx.command_path} --help`)"
        return CliError(message, code="usage", field=field or None, exit=exc.exit_code)
    if isinstance(exc, click.BadParameter):
        param = exc.param
        hint = exc.param_hint if isinstance(exc.param_hint, str) else None
        field = (param.opts or [param.name or ""])[0] if param is not None else hint
        message = exc.format_message()
        if param is not None and field:
            message = parameter_message(param, exc.message, field)
        return CliError(message, code="bad_parameter", field=field or None, exit=exc.exit_code)
    message = exc.format_message()
    if exc.ctx is not None:
        message += f" (see `{exc.ctx.command_path} --help`)"
    return CliError(message, code="usage", exit=exc.exit_code)


def _settings_error(exc: Exception) -> CliError | None:
    """A TIERGRAPH_* variable that does not parse (pydantic-settings refused it)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError) or exc.title != "Settings":
        return None
    first = exc.errors()[0]
    variable = "TIERGRAPH_" + "_".join(str(part) for part in first["loc"]).upper()
    return CliError(_setting_message(variable, first), code="bad_setting", field=variable)


SETTING_TAKES = {
    "int_parsing": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
}


def _setting_message(variable: str, error: Any) -> str:
    """pydantic's refusal in the wording of the options' (`parameter_message`)."""
    given = f"not {error['input']!r}"
    kind, message = error["type"], str(error["msg"])
    if kind == "literal_error":
        from tiergraph.settings import Settings

        allowed = typing.get_args(Settings.model_fields[str(error["loc"][0])].annotation)
        return f"{variable} must be one of {', '.join(map(str, allowed))}, {given}"
    if kind in SETTING_TAKES:
        return f"{variable} must be {SETTING_TAKES[kind]}, {given}"
    if kind == "value_error" and message.startswith("Value error, must be"):
        return f"{variable} {message.removeprefix('Value error, ')}, {given}"
    return f"{variable}: {message} (got {error['input']!r})"


def _service_error(exc: Exception) -> CliError | None:
    """Neo4j or Redis not answering: one line naming it and its address."""
    if "neo4j" in sys.modules:  # only ever raised once the driver is loaded
        from neo4j.exceptions import ServiceUnavailable

        if isinstance(exc, ServiceUnavailable):
            from tiergraph.settings import Settings

            return CliError(
                f"Neo4j at {Settings().neo4j_uri} does not answer ({exc}); start it "
                "(scripts/services.sh start) or set TIERGRAPH_NEO4J_URI, or use the embedded "
                "store (TIERGRAPH_STORE=embedded)",
                code="unavailable",
                field="TIERGRAPH_NEO4J_URI",
                exit=UNAVAILABLE,
            )
    if "redis" in sys.modules:
        from redis.exceptions import ConnectionError as RedisUnavailable

        if isinstance(exc, RedisUnavailable):
            from tiergraph.settings import Settings

            return CliError(
                f"Redis at {Settings().redis_url} does not answer ({exc}); start it "
                "(scripts/services.sh start) or set TIERGRAPH_REDIS_URL",
                code="unavailable",
                field="TIERGRAPH_REDIS_URL",
                exit=UNAVAILABLE,
            )
    return None


def _file_error(exc: Exception) -> CliError | None:
    """A path that cannot be used as asked (a file where a folder is wanted, a folder
    that cannot be made, no permission): one line naming the path."""
    if not isinstance(exc, OSError) or exc.filename is None:
        return None
    reason = exc.strerror or type(exc).__name__
    hint = ""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        hint = " (a file is there where a folder is needed)"
    return CliError(f"{exc.filename}: {reason}{hint}", code="bad_path", field=None)


def _known(exc: Exception) -> CliError | None:
    if isinstance(exc, CliError):
        return exc
    if found := _file_error(exc):
        return found
    if isinstance(exc, click.ClickException):
        return _usage_error(exc)
    if "pydantic" in sys.modules and (found := _settings_error(exc)):
        return found
    return _service_error(exc)


class Commands(TyperGroup):
    """The `tiergraph` group: every refusal, from the command line's parsing to a
    service that does not answer, ends as one line on stderr (or, with --format
    json, one JSON error on stdout) and its exit code: never a traceback."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from tiergraph.driver_log import install

        install()
        args = list(sys.argv[1:] if args is None else args)
        as_json = json_requested(args)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.NoArgsIsHelpError as exc:
            err.print(exc.ctx.get_help() if exc.ctx else exc.format_message(), markup=False)
            code = exc.exit_code
        except typer.Abort:
            code = show_error(CliError("aborted: nothing was done", code="aborted"), as_json)
        except Exception as exc:  # noqa: BLE001 - re-raised below unless it is a known refusal
            known = _known(exc)
            if known is None:
                raise
            code = show_error(known, as_json)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)
