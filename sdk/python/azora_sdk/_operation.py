"""What the generator knows about one operation, and the clients need to call it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple


@dataclass(frozen=True)
class Operation:
    id: str
    """The document's operationId (stable; the hand-written layer keys on it)."""
    method: str
    path: str
    """The path template, e.g. /api/education/courses/{courseId}."""
    parse: Optional[Callable[[Any], Any]]
    """Turns the JSON answer into the typed result; None returns the JSON as it is (or None without a body)."""
    success: Tuple[int, ...] = ()
    errors: Tuple[int, ...] = ()
    body: Optional[str] = None
    """None (no body), "fields" (the JSON object's members are keyword arguments) or "value" (one body argument)."""
    body_required: Tuple[str, ...] = ()
    """Members sent even when None (required but nullable in the document); other None members are left out."""
    idempotency_header: Optional[str] = None
    """The header that carries an idempotency key; the client fills it with a uuid4 when the caller gives none."""
    paginated: bool = False
    """Takes page and limit and answers { data, pagination }."""
