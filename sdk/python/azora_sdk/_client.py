"""AzoraClient and AsyncAzoraClient: the generated operations plus credentials, refresh, retries, errors and paging.

Everything that decides (which credential, when to refresh, whether and how long to wait after a 429, how an answer
becomes a result or an AzoraApiError) lives in _Core and is shared; the two clients differ only in how they wait and
send. The hand-written rules key on operation ids (Login, Register, RefreshTokens, VerifyEmail, Logout) and on the API's wire
conventions (problem+json, Retry-After, { data, pagination }), never on schema names.
"""
from __future__ import annotations

import asyncio
import email.utils
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Callable, Dict, Iterator, Mapping, Optional, Tuple, Union
from urllib.parse import quote

import httpx

from ._version import __version__
from ._generated.models import TokenResponse, VerificationSentResponse
from ._generated.operations import OPERATIONS, AsyncOperations, Operations
from ._operation import Operation
from ._serde import _dump, query_value
from .errors import AzoraApiError

# Operations that exchange credentials for a session: sent without credentials, and their answer becomes the session.
_SIGN_IN_OPERATIONS = frozenset({"Login", "RefreshTokens"})
# Operations anonymous by nature: sent without credentials, so a stale session never gets in their way.
_ANONYMOUS_OPERATIONS = _SIGN_IN_OPERATIONS | {"Register", "VerifyEmail"}
_SIGN_OUT_OPERATION = "Logout"
_REFRESH_OPERATION = "RefreshTokens"
_LOGIN_OPERATION = "Login"

_PATH_PARAMETER = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Session:
    """The signed-in session's tokens (a refresh token is good for one exchange; the client rotates them)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    """When the access token expires (UTC), from the sign-in answer's expiresIn."""
    refresh_due: float
    """time.monotonic() value after which the client refreshes before sending."""
    user_id: Optional[str] = None

    def __repr__(self) -> str:
        return f"Session(user_id={self.user_id!r}, expires_at={self.expires_at.isoformat()!r})"


@dataclass(frozen=True)
class _Prepared:
    method: str
    url: str
    params: Tuple[Tuple[str, str], ...]
    headers: Dict[str, str]
    json: Any
    has_body: bool


def _parse_retry_after(value: Optional[str], now: Callable[[], float] = time.time) -> Optional[float]:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now())


class _Core:
    """The decisions both clients share. Not thread-safe by itself: the clients guard refreshes with a lock."""

    def __init__(
        self,
        *,
        api_key: Optional[str],
        max_retries: int,
        max_retry_wait: float,
        refresh_margin: float,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if max_retry_wait < 0:
            raise ValueError("max_retry_wait must be 0 or more")
        if api_key is not None and not api_key.startswith("azk_"):
            raise ValueError("An Azora API key starts with azk_; for an access token use sign_in.")
        self.api_key = api_key
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.refresh_margin = refresh_margin
        self.session: Optional[Session] = None
        self.clock: Callable[[], float] = time.monotonic
        self.wall_clock: Callable[[], float] = time.time

    # ---- requests ----------------------------------------------------------------------------------------------

    def prepare(self, operation: Operation, path: Mapping[str, Any], query: Mapping[str, Any],
                headers: Mapping[str, Any], body: Any) -> _Prepared:
        def fill(match: "re.Match[str]") -> str:
            name = match.group(1)
            value = path.get(name)
            if value is None:
                raise ValueError(f"{operation.id}: the path parameter {name} is required")
            text = str(_dump(value))
            if not text:
                raise ValueError(f"{operation.id}: the path parameter {name} is empty")
            return quote(text, safe="")

        url = _PATH_PARAMETER.sub(fill, operation.path)
        params = []
        for name, value in query.items():
            if value is None:
                continue
            text = query_value(value)
            for item in text if isinstance(text, list) else [text]:
                params.append((name, item))
        sent = {name: str(_dump(value)) for name, value in headers.items() if value is not None}
        if operation.idempotency_header and operation.idempotency_header not in sent:
            # Made once per call, so the client's own retries (after a 429 or a refresh) repeat the same key.
            sent[operation.idempotency_header] = str(uuid.uuid4())
        json_body: Any = None
        has_body = False
        if operation.body == "fields":
            json_body = {name: _dump(value) for name, value in dict(body or {}).items()
                         if value is not None or name in operation.body_required}
            has_body = True
        elif operation.body == "value" and body is not None:
            json_body = _dump(body)
            has_body = True
        return _Prepared(operation.method, url, tuple(params), sent, json_body, has_body)

    @staticmethod
    def sends_credentials(operation: Operation) -> bool:
        return operation.id not in _ANONYMOUS_OPERATIONS

    def credential(self, operation: Operation) -> Optional[str]:
        """The bearer value for this operation: the API key, the session's access token, or none."""
        if not self.sends_credentials(operation):
            return None
        if self.api_key is not None:
            return self.api_key
        session = self.session
        return session.access_token if session else None

    def refresh_is_due(self, operation: Operation) -> bool:
        session = self.session
        return (self.api_key is None and session is not None and self.sends_credentials(operation)
                and self.clock() >= session.refresh_due)

    def may_refresh_after_401(self, operation: Operation, sent: Optional[str]) -> bool:
        """A 401 to a request that carried the session's access token: one refresh, then one more try."""
        return self.api_key is None and sent is not None and self.sends_credentials(operation) and self.session is not None

    def headers_for(self, prepared: _Prepared, credential: Optional[str]) -> Dict[str, str]:
        headers = dict(prepared.headers)
        if credential is not None:
            headers["Authorization"] = f"Bearer {credential}"
        return headers

    def retry_delay(self, response: httpx.Response, retries_done: int) -> Optional[float]:
        """Seconds to wait before sending again after a 429, or None to give up and raise."""
        if response.status_code != 429 or retries_done >= self.max_retries:
            return None
        delay = _parse_retry_after(response.headers.get("Retry-After"), self.wall_clock)
        if delay is None:
            delay = min(2.0 ** retries_done, self.max_retry_wait)
        if delay > self.max_retry_wait:
            return None
        return delay

    # ---- answers -----------------------------------------------------------------------------------------------

    def result(self, operation: Operation, response: httpx.Response) -> Any:
        if operation.id == _SIGN_OUT_OPERATION:
            # The session ends whatever the answer: a 401 means it had ended already.
            self.session = None
        if not response.is_success:
            if operation.id == _REFRESH_OPERATION and response.status_code in (400, 401):
                self.session = None
            raise self.error(response)
        if response.status_code == 204 or not response.content:
            return None
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type:
            return response.text
        data = response.json()
        if operation.id in _SIGN_IN_OPERATIONS:
            self.store(data)
        return operation.parse(data) if operation.parse else data

    def store(self, tokens: Mapping[str, Any]) -> None:
        """Keeps the tokens of a login or refresh answer (read from the wire names, not a schema)."""
        if self.api_key is not None:
            return
        lifetime = float(tokens.get("expiresIn") or 0)
        margin = min(self.refresh_margin, lifetime / 2)
        user = tokens.get("user") or {}
        self.session = Session(
            access_token=str(tokens["accessToken"]),
            refresh_token=str(tokens["refreshToken"]),
            expires_at=datetime.fromtimestamp(self.wall_clock(), timezone.utc) + timedelta(seconds=lifetime),
            refresh_due=self.clock() + lifetime - margin,
            user_id=str(user["id"]) if isinstance(user, Mapping) and user.get("id") else None,
        )

    def error(self, response: httpx.Response) -> AzoraApiError:
        problem: Dict[str, Any] = {}
        if "json" in response.headers.get("Content-Type", ""):
            try:
                parsed = response.json()
                if isinstance(parsed, dict):
                    problem = parsed
            except ValueError:
                pass
        errors = problem.get("errors")
        if not isinstance(errors, dict):
            errors = {}
        return AzoraApiError(
            response.status_code,
            code=_text(problem.get("code")),
            title=_text(problem.get("title")) or response.reason_phrase or None,
            detail=_text(problem.get("detail")),
            errors={str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()},
            trace_id=_text(problem.get("traceId")),
            type=_text(problem.get("type")),
            instance=_text(problem.get("instance")),
            retry_after=_parse_retry_after(response.headers.get("Retry-After"), self.wall_clock),
            method=response.request.method,
            url=str(response.request.url),
            problem=problem,
        )


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _user_agent() -> str:
    return f"azora-sdk-python/{__version__} httpx/{httpx.__version__}"


def _paginated(operation: Union[str, Callable[..., Any]]) -> Tuple[Operation, str]:
    """The operation (by id or bound method) that paginate walks, and its method name."""
    by_name = {op_id_to_method(op.id): op for op in OPERATIONS.values()}
    if isinstance(operation, str):
        spec = OPERATIONS.get(operation) or by_name.get(operation)
    else:
        spec = by_name.get(getattr(operation, "__name__", ""))
    if spec is None:
        raise TypeError(f"paginate takes an operation id or a client method, not {operation!r}")
    if not spec.paginated:
        raise TypeError(f"{spec.id} is not a paginated list")
    return spec, op_id_to_method(spec.id)


def op_id_to_method(operation_id: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", operation_id)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()


def _check_signed_in_allowed(core: _Core) -> None:
    if core.api_key is not None:
        raise ValueError("This client uses an API key; make another AzoraClient without one to sign in.")


class AzoraClient(Operations):
    """The Azora API, synchronously. One instance per signed-in user; safe to share between threads.

    ``AzoraClient(base_url)`` for anonymous calls and ``sign_in``; ``AzoraClient(base_url, api_key="azk_…")`` for a
    partner's API key. Every operation of the API is a method (``list_courses``, ``enroll``, ``create_webhook``, …);
    errors raise AzoraApiError; a 429 is retried after ``Retry-After`` up to ``max_retries`` times while the wait
    is at most ``max_retry_wait`` seconds; an access token is refreshed ``refresh_margin`` seconds before it expires,
    and once after a 401.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: Optional[str] = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        refresh_margin: float = 60.0,
        headers: Optional[Mapping[str, str]] = None,
        transport: Optional[httpx.BaseTransport] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        self._core = _Core(api_key=api_key, max_retries=max_retries, max_retry_wait=max_retry_wait,
                           refresh_margin=refresh_margin)
        self._owns_http = http_client is None
        self._base_url = base_url.rstrip("/")
        self._http = http_client or httpx.Client(
            timeout=timeout, transport=transport,
            headers={"User-Agent": _user_agent(), "Accept": "application/json, application/problem+json",
                     **dict(headers or {})})
        self._lock = threading.Lock()
        self._sleep: Callable[[float], None] = time.sleep

    # ---- sessions ----------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def session(self) -> Optional[Session]:
        """The signed-in session, or None (anonymous, signed out, or an API key)."""
        return self._core.session

    def sign_in(self, email: str, password: str) -> TokenResponse:
        """Signs in (POST /api/auth/login); later calls carry the access token and refresh it as needed."""
        _check_signed_in_allowed(self._core)
        result: TokenResponse = self._invoke(OPERATIONS[_LOGIN_OPERATION], path={}, query={}, headers={},
                                             body={"email": email, "password": password})
        return result

    def register(self, *, email: str, password: str, name: str) -> VerificationSentResponse:
        """Creates a learner account (POST /api/auth/register) and signs it in with the same email and password.

        The API answers register with 202 and no tokens, the same whether or not the email already has an account (a
        mail goes to the address), so the sign-in that follows raises AzoraApiError 401 INVALID_CREDENTIALS for an
        email that already had one. Paying needs a verified email: verify_email(token=...) with the link's token.
        """
        accepted = super().register(email=email, password=password, name=name)
        self.sign_in(accepted.email, password)
        return accepted

    def sign_out(self) -> None:
        """Ends the session on the server (POST /api/auth/logout) and forgets its tokens; nothing when signed out."""
        if self._core.session is None:
            return
        try:
            self._invoke(OPERATIONS[_SIGN_OUT_OPERATION], path={}, query={}, headers={}, body=None)
        except AzoraApiError as error:
            if error.status != 401:  # already ended
                raise

    # ---- calls -------------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None,
                headers: Optional[Mapping[str, Any]] = None) -> Any:
        """Any endpoint, with the client's credentials, refresh, retries and errors; returns the JSON answer."""
        operation = Operation(id=f"{method.upper()} {path}", method=method.upper(), path=path, parse=None,
                              body="value" if json is not None else None)
        return self._invoke(operation, path={}, query=dict(params or {}), headers=dict(headers or {}), body=json)

    def paginate(self, operation: Union[str, Callable[..., Any]], /, **params: Any) -> Iterator[Any]:
        """Every item of a paginated list, page after page: ``paginate(client.list_courses, category="music")`` or
        ``paginate("ListCourses")``. ``limit`` defaults to 100 (the most a page holds); ``page`` to 1."""
        _, name = _paginated(operation)
        return self._pages(getattr(self, name), params)

    @staticmethod
    def _pages(method: Callable[..., Any], params: Dict[str, Any]) -> Iterator[Any]:
        page = int(params.pop("page", None) or 1)
        params.setdefault("limit", 100)
        while True:
            result = method(page=page, **params)
            yield from result.data
            if not result.data or page >= int(result.pagination.pages):
                return
            page += 1

    def _invoke(self, operation: Operation, *, path: Mapping[str, Any], query: Mapping[str, Any],
                headers: Mapping[str, Any], body: Any) -> Any:
        prepared = self._core.prepare(operation, path, query, headers, body)
        return self._core.result(operation, self._send(operation, prepared))

    def _send(self, operation: Operation, prepared: _Prepared) -> httpx.Response:
        refreshed = False
        retries = 0
        while True:
            if self._core.refresh_is_due(operation):
                self._refresh(self._core.session)
            credential = self._core.credential(operation)
            response = self._http.request(
                prepared.method, self._base_url + prepared.url, params=prepared.params, headers=self._core.headers_for(prepared, credential),
                **({"json": prepared.json} if prepared.has_body else {}))
            if response.status_code == 401 and not refreshed and self._core.may_refresh_after_401(operation, credential):
                refreshed = True
                session = self._core.session
                if session is not None and session.access_token == credential:
                    self._refresh(session)
                if self._core.session is not None:
                    continue
            delay = self._core.retry_delay(response, retries)
            if delay is not None:
                retries += 1
                self._sleep(delay)
                continue
            return response

    def _refresh(self, seen: Optional[Session]) -> None:
        """One refresh at a time: a second caller that waited finds the session already renewed and sends with it."""
        with self._lock:
            session = self._core.session
            if session is None or session is not seen:
                return
            self._invoke(OPERATIONS[_REFRESH_OPERATION], path={}, query={}, headers={},
                         body={"refreshToken": session.refresh_token})

    # ---- lifetime ----------------------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> AzoraClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class AsyncAzoraClient(AsyncOperations):
    """The Azora API for asyncio: the same methods as AzoraClient, awaited; ``async for`` over ``paginate``."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: Optional[str] = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        refresh_margin: float = 60.0,
        headers: Optional[Mapping[str, str]] = None,
        transport: Optional[httpx.AsyncBaseTransport] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        self._core = _Core(api_key=api_key, max_retries=max_retries, max_retry_wait=max_retry_wait,
                           refresh_margin=refresh_margin)
        self._owns_http = http_client is None
        self._base_url = base_url.rstrip("/")
        self._http = http_client or httpx.AsyncClient(
            timeout=timeout, transport=transport,
            headers={"User-Agent": _user_agent(), "Accept": "application/json, application/problem+json",
                     **dict(headers or {})})
        self._lock: Optional[asyncio.Lock] = None
        self._sleep: Callable[[float], Any] = asyncio.sleep

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def session(self) -> Optional[Session]:
        return self._core.session

    async def sign_in(self, email: str, password: str) -> TokenResponse:
        """Signs in (POST /api/auth/login); later calls carry the access token and refresh it as needed."""
        _check_signed_in_allowed(self._core)
        result: TokenResponse = await self._invoke(OPERATIONS[_LOGIN_OPERATION], path={}, query={}, headers={},
                                                   body={"email": email, "password": password})
        return result

    async def register(self, *, email: str, password: str, name: str) -> VerificationSentResponse:
        """Creates a learner account (POST /api/auth/register) and signs it in; see AzoraClient.register."""
        accepted = await super().register(email=email, password=password, name=name)
        await self.sign_in(accepted.email, password)
        return accepted

    async def sign_out(self) -> None:
        """Ends the session on the server (POST /api/auth/logout) and forgets its tokens; nothing when signed out."""
        if self._core.session is None:
            return
        try:
            await self._invoke(OPERATIONS[_SIGN_OUT_OPERATION], path={}, query={}, headers={}, body=None)
        except AzoraApiError as error:
            if error.status != 401:
                raise

    async def request(self, method: str, path: str, *, params: Optional[Mapping[str, Any]] = None, json: Any = None,
                      headers: Optional[Mapping[str, Any]] = None) -> Any:
        """Any endpoint, with the client's credentials, refresh, retries and errors; returns the JSON answer."""
        operation = Operation(id=f"{method.upper()} {path}", method=method.upper(), path=path, parse=None,
                              body="value" if json is not None else None)
        return await self._invoke(operation, path={}, query=dict(params or {}), headers=dict(headers or {}), body=json)

    def paginate(self, operation: Union[str, Callable[..., Any]], /, **params: Any) -> AsyncIterator[Any]:
        """Every item of a paginated list: ``async for course in client.paginate(client.list_courses): …``."""
        _, name = _paginated(operation)
        return self._pages(getattr(self, name), params)

    @staticmethod
    async def _pages(method: Callable[..., Any], params: Dict[str, Any]) -> AsyncIterator[Any]:
        page = int(params.pop("page", None) or 1)
        params.setdefault("limit", 100)
        while True:
            result = await method(page=page, **params)
            for item in result.data:
                yield item
            if not result.data or page >= int(result.pagination.pages):
                return
            page += 1

    async def _invoke(self, operation: Operation, *, path: Mapping[str, Any], query: Mapping[str, Any],
                      headers: Mapping[str, Any], body: Any) -> Any:
        prepared = self._core.prepare(operation, path, query, headers, body)
        return self._core.result(operation, await self._send(operation, prepared))

    async def _send(self, operation: Operation, prepared: _Prepared) -> httpx.Response:
        refreshed = False
        retries = 0
        while True:
            if self._core.refresh_is_due(operation):
                await self._refresh(self._core.session)
            credential = self._core.credential(operation)
            response = await self._http.request(
                prepared.method, self._base_url + prepared.url, params=prepared.params, headers=self._core.headers_for(prepared, credential),
                **({"json": prepared.json} if prepared.has_body else {}))
            if response.status_code == 401 and not refreshed and self._core.may_refresh_after_401(operation, credential):
                refreshed = True
                session = self._core.session
                if session is not None and session.access_token == credential:
                    await self._refresh(session)
                if self._core.session is not None:
                    continue
            delay = self._core.retry_delay(response, retries)
            if delay is not None:
                retries += 1
                await self._sleep(delay)
                continue
            return response

    async def _refresh(self, seen: Optional[Session]) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            session = self._core.session
            if session is None or session is not seen:
                return
            await self._invoke(OPERATIONS[_REFRESH_OPERATION], path={}, query={}, headers={},
                               body={"refreshToken": session.refresh_token})

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncAzoraClient:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()
