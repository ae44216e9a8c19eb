"""The error tree of cryptokg. ``api/errors.py`` maps each class to one HTTP status."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EntityNotFound",
    "GraphError",
    "InvalidParameter",
    "InvalidRecord",
    "NoPathFound",
    "NotFound",
    "Problem",
    "QueryTimeout",
    "ServerBusy",
    "StoreBusy",
    "StoreUnavailable",
]


class GraphError(Exception):
    """Base class of every error cryptokg raises on purpose."""

    status = 500
    title = "Graph error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(GraphError):
    """A relationship, source or other record id is unknown."""

    status = 404
    title = "Not found"


class EntityNotFound(NotFound):
    """An entity id or name matches nothing; ``suggestions`` holds close matches."""

    title = "Entity not found"

    def __init__(self, ref: str, suggestions: list[dict[str, str]] | None = None) -> None:
        self.ref = ref
        self.suggestions = suggestions or []
        hint = ""
        if self.suggestions:
            names = ", ".join(f"{s['name']} ({s['id']})" for s in self.suggestions[:5])
            hint = f"; did you mean: {names}?"
        super().__init__(f"no entity {ref!r}{hint}")


class AmbiguousEntity(EntityNotFound):
    """A name or alias that several entities share (or match as well); ``suggestions`` lists them."""

    title = "Ambiguous entity name"

    def __init__(self, ref: str, suggestions: list[dict[str, str]]) -> None:
        super().__init__(ref, suggestions)
        names = ", ".join(f"{s['name']} ({s['id']})" for s in self.suggestions[:5])
        self.detail = f"{ref!r} could be several entities: {names}; choose one by its id"
        self.args = (self.detail,)


class NoPathFound(GraphError):
    """Raised only where a caller asked for an exception; path queries return empty results."""

    status = 404
    title = "No path found"


class InvalidParameter(GraphError):
    """A query parameter is out of range or malformed."""

    status = 422
    title = "Invalid parameter"

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}")


class QueryTimeout(GraphError):
    """A query ran past its time budget."""

    status = 504
    title = "Query timeout"


class StoreUnavailable(GraphError):
    """The store cannot be reached or opened."""

    status = 503
    title = "Store unavailable"


class StoreBusy(GraphError):
    """Another writer (maybe another process) holds the workspace; nothing was written."""

    status = 503
    title = "Store busy"


class ServerBusy(GraphError):
    """The server's queue of queries is full; ``retry_after`` says when to try again (429)."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in input data: where it is and what is wrong."""

    file: str
    line: int | None
    record: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.record:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field {self.field}")
        return f"{': '.join(parts)}: {self.message}"


@dataclass
class _ProblemList:
    items: list[Problem] = field(default_factory=list)


class InvalidRecord(GraphError):
    """Input data failed validation; ``problems`` lists every problem, one per line."""

    status = 422
    title = "Invalid data"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        head = "\n".join(str(p) for p in problems[:200])
        more = f"\n... and {count - 200} more" if count > 200 else ""
        super().__init__(f"{count} problem(s) in input:\n{head}{more}")
