"""A scripted stand-in for the Azora API, as an httpx.MockTransport handler (sync and async clients alike).

It issues and rotates tokens like the real API (a refresh token is good for one exchange, an access token only
until refreshed), and lets a test queue answers for a path, so retry and refresh logic can be checked request by
request.
"""
from __future__ import annotations

import itertools
import json
from collections import defaultdict, deque
from typing import Any, Callable, Deque, Dict, List, Optional

import httpx

USER = {"id": "01a2180b-d897-71bf-8066-51334a3818ac", "email": "ada@example.com", "name": "Ada", "roles": ["learner"]}
PROFILE = {**USER, "bio": None, "createdAt": "2026-11-26T13:29:18.52+00:00", "emailVerified": True}


def problem(status: int, code: str, detail: str = "", errors: Optional[Dict[str, List[str]]] = None,
            headers: Optional[Dict[str, str]] = None) -> httpx.Response:
    body: Dict[str, Any] = {"type": "about:blank", "title": code.replace("_", " ").title(), "status": status,
                            "detail": detail, "code": code, "traceId": f"trace-{code.lower()}"}
    if errors:
        body["errors"] = errors
    return httpx.Response(status, headers={"Content-Type": "application/problem+json", **(headers or {})},
                          content=json.dumps(body).encode())


class FakeApi:
    def __init__(self, expires_in: int = 900) -> None:
        self.expires_in = expires_in
        self.requests: List[httpx.Request] = []
        self.queued: Dict[str, Deque[Any]] = defaultdict(deque)
        self.counter = itertools.count(1)
        self.access: Optional[str] = None
        self.refresh: Optional[str] = None
        self.on_refresh: Optional[Callable[[], Any]] = None

    # ---- scripting -------------------------------------------------------------------------------------------

    def queue(self, path: str, *answers: Any) -> None:
        """The next requests to path get these answers (httpx.Response, or a callable taking the request)."""
        self.queued[path].extend(answers)

    def paths(self) -> List[str]:
        return [r.url.path for r in self.requests]

    def tokens(self) -> Dict[str, Any]:
        n = next(self.counter)
        self.access, self.refresh = f"access-{n}", f"refresh-{n}"
        return {"accessToken": self.access, "refreshToken": self.refresh, "tokenType": "Bearer",
                "expiresIn": self.expires_in, "user": USER}

    # ---- the handler -----------------------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self.queued[path]:
            answer = self.queued[path].popleft()
            return answer(request) if callable(answer) else answer
        if path == "/api/auth/register":
            return httpx.Response(202, json={"email": json.loads(request.content)["email"].strip(), "verificationSent": True})
        if path == "/api/auth/login":
            return httpx.Response(200, json=self.tokens())
        if path == "/api/auth/refresh":
            if self.on_refresh:
                self.on_refresh()
            sent = json.loads(request.content or b"{}").get("refreshToken")
            if sent is None or sent != self.refresh:
                return problem(401, "INVALID_REFRESH_TOKEN", "The refresh token is unknown or was already used.")
            return httpx.Response(200, json=self.tokens())
        if path == "/api/auth/logout":
            if not self.authorized(request):
                return problem(401, "UNAUTHORIZED")
            self.access = self.refresh = None
            return httpx.Response(204)
        if path == "/api/auth/profile":
            if not self.authorized(request):
                return problem(401, "UNAUTHORIZED", "Sign in first.")
            return httpx.Response(200, json=PROFILE)
        if path == "/api/education/courses":
            return self.course_page(request)
        return problem(404, "NOT_FOUND")

    def authorized(self, request: httpx.Request) -> bool:
        return self.access is not None and request.headers.get("Authorization") == f"Bearer {self.access}"

    def course_page(self, request: httpx.Request, total: int = 7) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        limit = int(request.url.params.get("limit", "20"))
        start = (page - 1) * limit
        data = [course(i) for i in range(start + 1, min(total, start + limit) + 1)]
        pages = (total + limit - 1) // limit
        return httpx.Response(200, json={"data": data, "pagination": {"page": page, "limit": limit, "total": total, "pages": pages}})


def course(n: int) -> Dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}", "slug": f"course-{n}", "title": f"Course {n}", "description": "…",
        "category": {"id": "6d1f0000-0000-0000-0000-000000000000", "slug": "music", "name": "Music"},
        "level": "beginner", "price": {"amount": 0, "currency": "USD"}, "isFree": True,
        "instructor": {"id": "4c2e0000-0000-0000-0000-000000000000", "name": "Grace"},
        "enrollmentCount": 0, "lessonCount": 3, "durationSeconds": 600, "published": True, "archivedAt": None,
        "createdAt": "2026-01-08T00:00:00+00:00", "updatedAt": "2026-01-08T00:00:00.1234567+00:00",
    }


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
