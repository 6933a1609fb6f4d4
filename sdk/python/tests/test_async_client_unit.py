"""AsyncAzoraClient shares the sync client's decisions; these check the awaiting paths that differ."""
import asyncio
import json
import uuid

import httpx
import pytest

from azora_sdk import AsyncAzoraClient, AzoraApiError
from fake_api import FakeApi, FakeClock, problem

BASE = "http://azora.test"


def make(api, clock=None, **options):
    client = AsyncAzoraClient(BASE, transport=httpx.MockTransport(api), **options)
    sleeps = []

    async def sleep(seconds):
        sleeps.append(seconds)

    client._sleep = sleep
    if clock is not None:
        client._core.clock = clock
    return client, sleeps


def run(coroutine):
    return asyncio.run(coroutine)


def test_sign_in_refresh_before_expiry_and_sign_out():
    async def scenario():
        api, clock = FakeApi(), FakeClock()
        async with make(api, clock=clock)[0] as client:
            await client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
            assert (await client.get_profile()).email == "ada@example.com"
            clock.now += 841
            await client.get_profile()
            assert api.paths()[-2:] == ["/api/auth/refresh", "/api/auth/profile"]
            assert api.requests[-1].headers["Authorization"] == "Bearer access-2"
            await client.sign_out()
            assert client.session is None and api.paths()[-1] == "/api/auth/logout"
    run(scenario())


def test_a_401_is_refreshed_once():
    async def scenario():
        api = FakeApi()
        client, _ = make(api)
        await client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
        api.access = "revoked"
        await client.get_profile()
        assert api.paths()[1:] == ["/api/auth/profile", "/api/auth/refresh", "/api/auth/profile"]
        api.queue("/api/auth/profile", problem(401, "UNAUTHORIZED"), problem(401, "UNAUTHORIZED"))
        with pytest.raises(AzoraApiError) as caught:
            await client.get_profile()
        assert caught.value.code == "UNAUTHORIZED"
        assert api.paths().count("/api/auth/refresh") == 2
        await client.aclose()
    run(scenario())


def test_a_refused_refresh_raises_and_ends_the_session():
    async def scenario():
        api = FakeApi()
        client, _ = make(api)
        await client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
        api.access = api.refresh = "gone"
        with pytest.raises(AzoraApiError) as caught:
            await client.get_profile()
        assert caught.value.code == "INVALID_REFRESH_TOKEN" and client.session is None
    run(scenario())


def test_parallel_refreshes_make_one_exchange():
    async def scenario():
        api, clock = FakeApi(), FakeClock()
        client, _ = make(api, clock=clock)
        await client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
        clock.now += 10_000
        second_waiting = asyncio.Event()

        class SignallingLock:
            def __init__(self):
                self.inner = asyncio.Lock()

            async def __aenter__(self):
                if self.inner.locked():
                    second_waiting.set()
                await self.inner.acquire()

            async def __aexit__(self, *exc):
                self.inner.release()

        client._lock = SignallingLock()
        refreshing = api.__call__

        async def handler(request):
            if request.url.path == "/api/auth/refresh":
                await second_waiting.wait()
            return refreshing(request)

        client._http._transport = httpx.MockTransport(handler)
        results = await asyncio.gather(client.get_profile(), client.get_profile())
        assert len(results) == 2
        assert api.paths().count("/api/auth/refresh") == 1
        assert all(r.headers["Authorization"] == "Bearer access-2" for r in api.requests if r.url.path == "/api/auth/profile")
    run(scenario())


def test_429_is_retried_after_retry_after_with_the_same_idempotency_key():
    async def scenario():
        api = FakeApi()
        client, sleeps = make(api)
        await client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
        ok = httpx.Response(201, json={"paymentId": str(uuid.uuid4()), "paymentIntentId": "pi_1", "clientSecret": "s",
                                       "amount": 1, "currency": "USD", "status": "pending"})
        api.queue("/api/pay/payment-intent", problem(429, "RATE_LIMIT_EXCEEDED", headers={"Retry-After": "2"}), ok)
        await client.create_payment_intent(course_id=uuid.uuid4())
        sent = [r for r in api.requests if r.url.path == "/api/pay/payment-intent"]
        assert sleeps == [2.0]
        assert sent[0].headers["Idempotency-Key"] == sent[1].headers["Idempotency-Key"]

        api.queue("/api/education/courses", *[problem(429, "RATE_LIMIT_EXCEEDED", headers={"Retry-After": "1"})] * 4)
        with pytest.raises(AzoraApiError) as caught:
            await client.list_courses()
        assert caught.value.status == 429 and sleeps == [2.0, 1.0, 1.0, 1.0]
    run(scenario())


def test_async_for_over_every_page():
    async def scenario():
        api = FakeApi()
        client, _ = make(api)
        titles = [c.title async for c in client.paginate(client.list_courses, limit=2)]
        assert titles == [f"Course {n}" for n in range(1, 8)]
        assert [r.url.params["page"] for r in api.requests] == ["1", "2", "3", "4"]
        with pytest.raises(TypeError):
            client.paginate(client.get_profile)
    run(scenario())


def test_problems_raise_azora_api_error():
    async def scenario():
        api = FakeApi()
        client, _ = make(api)
        api.queue("/api/education/courses", problem(400, "VALIDATION_ERROR", errors={"limit": ["1 to 100"]}))
        with pytest.raises(AzoraApiError) as caught:
            await client.list_courses(limit=0)
        assert caught.value.errors == {"limit": ["1 to 100"]}
        assert json.loads(json.dumps(caught.value.problem))["code"] == "VALIDATION_ERROR"
    run(scenario())
