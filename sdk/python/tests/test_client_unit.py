"""The sync client's behaviour request by request, against FakeApi through httpx.MockTransport."""
import json
import threading
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime

import httpx
import pytest

from azora_sdk import AzoraApiError, AzoraClient, CourseSummary, ProfileResponse
from azora_sdk._client import _Core, _parse_retry_after
from azora_sdk._operation import Operation
from fake_api import FakeApi, FakeClock, problem

BASE = "http://azora.test"


def make(api, clock=None, **options):
    client = AzoraClient(BASE, transport=httpx.MockTransport(api), **options)
    sleeps = []
    client._sleep = sleeps.append
    if clock is not None:
        client._core.clock = clock
    return client, sleeps


def too_many(retry_after=None):
    return problem(429, "RATE_LIMIT_EXCEEDED", "Slow down.", headers={"Retry-After": retry_after} if retry_after else None)


# ---- sessions ----------------------------------------------------------------------------------------------------

def test_sign_in_keeps_the_tokens_and_sends_the_access_token():
    api = FakeApi()
    client, _ = make(api)
    tokens = client.sign_in("ada@example.com", "a-lantern-by-the-river-2026")
    assert tokens.access_token == "access-1" and tokens.user.email == "ada@example.com"
    assert client.session is not None and client.session.user_id == tokens.user.id.__str__()
    login = api.requests[0]
    assert "Authorization" not in login.headers
    assert json.loads(login.content) == {"email": "ada@example.com", "password": "a-lantern-by-the-river-2026"}

    profile = client.get_profile()
    assert isinstance(profile, ProfileResponse) and profile.created_at.tzinfo is not None
    assert api.requests[1].headers["Authorization"] == "Bearer access-1"
    # Tokens stay out of reprs, so they stay out of logs.
    assert "access-1" not in repr(tokens) and "refresh-1" not in repr(client.session)


def test_register_signs_in_too():
    api = FakeApi()
    client, _ = make(api)
    accepted = client.register(email=" ada@example.com", password="a-lantern-by-the-river-2026", name="Ada")
    assert accepted.email == "ada@example.com" and accepted.verification_sent
    assert api.paths() == ["/api/auth/register", "/api/auth/login"]
    assert json.loads(api.requests[1].content) == {"email": "ada@example.com", "password": "a-lantern-by-the-river-2026"}
    client.get_profile()
    assert api.requests[-1].headers["Authorization"] == "Bearer access-1"


def test_the_token_is_refreshed_before_it_expires():
    api, clock = FakeApi(expires_in=900), FakeClock()
    client, _ = make(api, clock=clock, refresh_margin=60)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    before = client.session
    assert before is not None
    assert before.expires_at > datetime.now(timezone.utc)

    clock.now += 839  # 61 s left: not yet
    client.get_profile()
    assert api.paths().count("/api/auth/refresh") == 0

    clock.now += 1  # 60 s left: refresh first
    client.get_profile()
    assert api.paths()[-2:] == ["/api/auth/refresh", "/api/auth/profile"]
    assert json.loads(api.requests[-2].content) == {"refreshToken": "refresh-1"}
    assert "Authorization" not in api.requests[-2].headers
    assert api.requests[-1].headers["Authorization"] == "Bearer access-2"
    assert client.session is not None and client.session.refresh_token == "refresh-2"


def test_a_short_lived_token_is_refreshed_at_half_its_life():
    api, clock = FakeApi(expires_in=60), FakeClock()
    client, _ = make(api, clock=clock, refresh_margin=600)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    clock.now += 29
    client.get_profile()
    assert "/api/auth/refresh" not in api.paths()
    clock.now += 1
    client.get_profile()
    assert "/api/auth/refresh" in api.paths()


def test_a_401_is_refreshed_once_and_the_request_sent_again():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.access = "revoked-elsewhere"  # the API no longer takes access-1
    profile = client.get_profile()
    assert profile.email == "ada@example.com"
    assert api.paths()[1:] == ["/api/auth/profile", "/api/auth/refresh", "/api/auth/profile"]
    assert api.requests[-1].headers["Authorization"] == "Bearer access-2"


def test_a_second_401_after_the_refresh_is_raised_without_another_refresh():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.queue("/api/auth/profile", problem(401, "UNAUTHORIZED"), problem(401, "UNAUTHORIZED"))
    with pytest.raises(AzoraApiError) as caught:
        client.get_profile()
    assert caught.value.status == 401 and caught.value.code == "UNAUTHORIZED"
    assert api.paths().count("/api/auth/refresh") == 1
    assert api.paths().count("/api/auth/profile") == 2


def test_a_refused_refresh_raises_its_error_and_ends_the_session():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.access, api.refresh = "gone", "gone"  # the session was closed on the server
    with pytest.raises(AzoraApiError) as caught:
        client.get_profile()
    assert caught.value.code == "INVALID_REFRESH_TOKEN"
    assert client.session is None
    # Anonymous from now on: no token, no refresh attempt.
    with pytest.raises(AzoraApiError) as again:
        client.get_profile()
    assert again.value.code == "UNAUTHORIZED"
    assert "Authorization" not in api.requests[-1].headers
    assert api.paths().count("/api/auth/refresh") == 1


def test_an_anonymous_401_is_not_refreshed():
    api = FakeApi()
    client, _ = make(api)
    with pytest.raises(AzoraApiError) as caught:
        client.get_profile()
    assert caught.value.status == 401
    assert api.paths() == ["/api/auth/profile"]


def test_parallel_refreshes_of_one_session_make_one_exchange():
    """Two parallel refreshes with one token look stolen and close the session, so the client makes one."""
    api, clock = FakeApi(), FakeClock()
    client, _ = make(api, clock=clock)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    clock.now += 10_000

    second_waiting = threading.Event()

    class SignallingLock:
        def __init__(self):
            self.inner = threading.Lock()

        def __enter__(self):
            if not self.inner.acquire(blocking=False):
                second_waiting.set()
                self.inner.acquire()
            return self

        def __exit__(self, *exc):
            self.inner.release()

    client._lock = SignallingLock()
    # The first refresh answers only once the second caller is queued for the lock.
    api.on_refresh = lambda: second_waiting.wait(10)
    results = []
    threads = [threading.Thread(target=lambda: results.append(client.get_profile())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == 2
    assert second_waiting.is_set()
    assert api.paths().count("/api/auth/refresh") == 1
    assert all(r.headers["Authorization"] == "Bearer access-2" for r in api.requests if r.url.path == "/api/auth/profile")


def test_sign_out_ends_the_session_on_the_server_and_here():
    api = FakeApi()
    client, _ = make(api)
    client.sign_out()  # signed out already: no request
    assert api.requests == []
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    client.sign_out()
    assert api.paths()[-1] == "/api/auth/logout"
    assert api.requests[-1].headers["Authorization"] == "Bearer access-1"
    assert client.session is None and api.access is None


def test_sign_out_of_a_session_the_server_ended_already_is_quiet():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.access, api.refresh = None, None
    client.sign_out()
    assert client.session is None


def test_sign_out_raises_other_failures_but_forgets_the_tokens():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.queue("/api/auth/logout", problem(500, "INTERNAL_ERROR"))
    with pytest.raises(AzoraApiError) as caught:
        client.sign_out()
    assert caught.value.code == "INTERNAL_ERROR"
    assert client.session is None


# ---- API keys ----------------------------------------------------------------------------------------------------

def test_an_api_key_is_sent_as_a_bearer_and_never_refreshed():
    api = FakeApi()
    client, _ = make(api, api_key="azk_" + "k" * 43)
    client.list_courses()
    assert api.requests[0].headers["Authorization"] == "Bearer azk_" + "k" * 43
    with pytest.raises(AzoraApiError) as caught:
        client.get_profile()
    assert caught.value.status == 401
    assert "/api/auth/refresh" not in api.paths()
    with pytest.raises(ValueError):
        client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")


def test_a_value_that_is_not_an_api_key_is_refused_at_once():
    with pytest.raises(ValueError):
        AzoraClient(BASE, api_key="eyJhbGciOi.jwt.token")


# ---- 429 ---------------------------------------------------------------------------------------------------------

def test_a_429_waits_retry_after_and_sends_again():
    api = FakeApi()
    client, sleeps = make(api)
    api.queue("/api/education/courses", too_many("2"), too_many("1"))
    page = client.list_courses()
    assert page.pagination.total == 7
    assert sleeps == [2.0, 1.0]
    assert api.paths().count("/api/education/courses") == 3


def test_retries_are_bounded_by_max_retries_then_the_429_is_raised():
    api = FakeApi()
    client, sleeps = make(api, max_retries=2)
    api.queue("/api/education/courses", too_many("1"), too_many("1"), too_many("3"))
    with pytest.raises(AzoraApiError) as caught:
        client.list_courses()
    assert caught.value.status == 429 and caught.value.code == "RATE_LIMIT_EXCEEDED"
    assert caught.value.retry_after == 3.0
    assert sleeps == [1.0, 1.0]
    assert api.paths().count("/api/education/courses") == 3


def test_a_wait_longer_than_max_retry_wait_is_raised_at_once():
    api = FakeApi()
    client, sleeps = make(api, max_retry_wait=30)
    api.queue("/api/education/courses", too_many("3600"))
    with pytest.raises(AzoraApiError) as caught:
        client.list_courses()
    assert caught.value.retry_after == 3600.0
    assert sleeps == []


def test_no_retries_when_max_retries_is_zero():
    api = FakeApi()
    client, sleeps = make(api, max_retries=0)
    api.queue("/api/education/courses", too_many("1"))
    with pytest.raises(AzoraApiError):
        client.list_courses()
    assert sleeps == []


def test_a_429_without_retry_after_backs_off_exponentially_within_the_bound():
    api = FakeApi()
    client, sleeps = make(api, max_retries=3, max_retry_wait=3)
    api.queue("/api/education/courses", too_many(), too_many(), too_many())
    client.list_courses()
    assert sleeps == [1.0, 2.0, 3.0]


def test_retry_after_may_be_an_http_date():
    now = 1_796_050_000.0
    date = format_datetime(datetime.fromtimestamp(now + 7, timezone.utc), usegmt=True)
    assert _parse_retry_after(date, lambda: now) == 7.0
    assert _parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", lambda: now) == 0.0
    assert _parse_retry_after("soon", lambda: now) is None
    assert _parse_retry_after(None) is None
    assert _parse_retry_after(" 5 ") == 5.0


def test_only_429_is_retried():
    api = FakeApi()
    client, sleeps = make(api)
    api.queue("/api/education/courses", problem(503, "SERVICE_UNAVAILABLE", headers={"Retry-After": "1"}))
    with pytest.raises(AzoraApiError) as caught:
        client.list_courses()
    assert caught.value.status == 503 and caught.value.retry_after == 1.0
    assert sleeps == []


# ---- idempotency -------------------------------------------------------------------------------------------------

def intent(request):
    body = json.loads(request.content)
    return httpx.Response(201, json={"paymentId": "01a2180b-d897-71bf-8066-51334a3818ac", "paymentIntentId": "pi_1",
                                     "clientSecret": "pi_1_secret", "amount": 4900, "currency": "USD", "status": "pending",
                                     "echo": body})


def test_a_payment_intent_gets_a_fresh_uuid4_key_reused_on_retries():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.queue("/api/pay/payment-intent", too_many("1"), intent, intent)
    course_id = uuid.uuid4()
    result = client.create_payment_intent(course_id=course_id)
    assert result.client_secret == "pi_1_secret"
    sent = [r for r in api.requests if r.url.path == "/api/pay/payment-intent"]
    assert len(sent) == 2
    key = sent[0].headers["Idempotency-Key"]
    assert uuid.UUID(key).version == 4
    assert sent[1].headers["Idempotency-Key"] == key
    assert json.loads(sent[1].content)["courseId"] == str(course_id)

    client.create_payment_intent(course_id=course_id)
    third = [r for r in api.requests if r.url.path == "/api/pay/payment-intent"][-1]
    assert third.headers["Idempotency-Key"] != key


def test_a_given_idempotency_key_is_sent_as_it_is():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.queue("/api/pay/payment-intent", intent)
    client.create_payment_intent(course_id="0e6a0000-0000-0000-0000-000000000000", idempotency_key="order-42")
    assert api.requests[-1].headers["Idempotency-Key"] == "order-42"


def test_the_key_survives_a_refresh_retry_too():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.queue("/api/pay/payment-intent", problem(401, "UNAUTHORIZED"), intent)
    client.create_payment_intent(course_id="0e6a0000-0000-0000-0000-000000000000")
    sent = [r for r in api.requests if r.url.path == "/api/pay/payment-intent"]
    assert len(sent) == 2 and sent[0].headers["Idempotency-Key"] == sent[1].headers["Idempotency-Key"]
    assert sent[1].headers["Authorization"] == "Bearer access-2"


# ---- errors ------------------------------------------------------------------------------------------------------

def test_a_problem_becomes_an_azora_api_error_with_every_member():
    api = FakeApi()
    client, _ = make(api)
    api.queue("/api/education/courses", problem(400, "VALIDATION_ERROR", "One or more fields are invalid; see errors.",
                                                {"limit": ["Use a whole number from 1 to 100."]}))
    with pytest.raises(AzoraApiError) as caught:
        client.list_courses(limit=0)
    error = caught.value
    assert (error.status, error.code, error.trace_id) == (400, "VALIDATION_ERROR", "trace-validation_error")
    assert error.title == "Validation Error"
    assert error.detail == "One or more fields are invalid; see errors."
    assert error.errors == {"limit": ["Use a whole number from 1 to 100."]}
    assert error.problem["type"] == "about:blank"
    assert error.method == "GET" and error.url.endswith("/api/education/courses?limit=0")
    assert "VALIDATION_ERROR" in str(error) and "limit" in str(error) and "trace-validation_error" in str(error)


def test_an_answer_that_is_not_a_problem_still_raises_azora_api_error():
    api = FakeApi()
    client, _ = make(api)
    api.queue("/api/education/courses", httpx.Response(502, headers={"Content-Type": "text/html"}, content=b"<h1>Bad gateway</h1>"))
    with pytest.raises(AzoraApiError) as caught:
        client.list_courses()
    assert caught.value.status == 502 and caught.value.code is None
    assert caught.value.title == "Bad Gateway" and caught.value.errors == {}


def test_a_problem_with_odd_members_does_not_break_the_error():
    api = FakeApi()
    client, _ = make(api)
    api.queue("/api/education/courses", httpx.Response(
        400, headers={"Content-Type": "application/problem+json"}, content=b'{"status":400,"errors":{"q":"too long"},"code":7}'))
    with pytest.raises(AzoraApiError) as caught:
        client.list_courses()
    assert caught.value.errors == {"q": ["too long"]} and caught.value.code == "7"
    api.queue("/api/education/courses", httpx.Response(400, headers={"Content-Type": "application/problem+json"}, content=b"{oops"))
    with pytest.raises(AzoraApiError) as broken:
        client.list_courses()
    assert broken.value.status == 400 and broken.value.problem == {}


def test_transport_failures_stay_httpx_errors():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    client, _ = make(refuse)
    with pytest.raises(httpx.ConnectError):
        client.list_courses()


# ---- requests ----------------------------------------------------------------------------------------------------

def test_query_values_are_written_as_the_api_reads_them():
    api = FakeApi()
    client, _ = make(api)
    client.list_courses(free=True, q="jazz harmony", category=None, instructor_id=uuid.UUID(int=5))
    params = api.requests[0].url.params
    assert params["free"] == "true" and params["q"] == "jazz harmony"
    assert params["instructorId"] == "00000000-0000-0000-0000-000000000005"
    assert "category" not in params


def test_path_values_are_escaped():
    api = FakeApi()
    client, _ = make(api)
    with pytest.raises(AzoraApiError):
        client.get_course("a b/c?d")
    assert api.requests[0].url.raw_path == b"/api/education/courses/a%20b%2Fc%3Fd"
    with pytest.raises(ValueError):
        client.get_course("")


def test_optional_body_members_left_as_none_are_not_sent():
    api = FakeApi()
    client, _ = make(api)
    api.queue("/api/auth/profile", lambda request: httpx.Response(200, json=dict(json.loads(request.content), **{
        "id": "01a2180b-d897-71bf-8066-51334a3818ac", "email": "a@b.c", "roles": [], "createdAt": "2026-01-01T00:00:00Z",
        "name": "n", "bio": None, "emailVerified": False})))
    client.update_profile(bio="Analyst")
    assert json.loads(api.requests[0].content)["bio"] == "Analyst"


def test_members_required_but_nullable_are_sent_as_null_and_others_left_out():
    core = _Core(api_key=None, max_retries=0, max_retry_wait=0, refresh_margin=0)
    op = Operation(id="X", method="POST", path="/x", parse=None, body="fields", body_required=("a",))
    prepared = core.prepare(op, {}, {}, {}, {"a": None, "b": None, "c": datetime(2026, 1, 2, tzinfo=timezone.utc)})
    assert prepared.json == {"a": None, "c": "2026-01-02T00:00:00+00:00"}
    assert prepared.has_body


def test_a_request_without_a_body_sends_none():
    api = FakeApi()
    client, _ = make(api)
    client.sign_in("ada@example.com", "pw-pw-pw-pw-pw")
    api.queue("/api/webhooks/01a2/ping", httpx.Response(202, json={}))
    client.request("POST", "/api/webhooks/01a2/ping")
    assert api.requests[-1].content == b""
    assert "Content-Type" not in api.requests[-1].headers


def test_any_endpoint_through_request():
    api = FakeApi()
    client, _ = make(api)
    assert client.request("GET", "/api/education/courses", params={"limit": 2})["pagination"]["limit"] == 2
    with pytest.raises(AzoraApiError):
        client.request("GET", "/nowhere")


def test_the_base_url_may_carry_a_path_prefix_and_a_trailing_slash():
    api = FakeApi()
    client = AzoraClient(BASE + "/gateway/", transport=httpx.MockTransport(lambda r: (api.requests.append(r), httpx.Response(204))[1]))
    client.request("GET", "/api/education/categories")
    assert str(api.requests[0].url) == BASE + "/gateway/api/education/categories"


def test_unknown_members_and_long_fractions_are_read():
    data = {**__import__("fake_api").course(1), "someNewMember": 1}
    parsed = CourseSummary.from_dict(data)
    assert parsed.updated_at.microsecond == 123456
    assert parsed.to_dict()["id"] == "00000000-0000-0000-0000-000000000001"
    with pytest.raises(ValueError):
        CourseSummary.from_dict({k: v for k, v in data.items() if k != "title"})


# ---- paging ------------------------------------------------------------------------------------------------------

def test_paginate_walks_every_page():
    api = FakeApi()
    client, _ = make(api)
    titles = [c.title for c in client.paginate(client.list_courses, limit=3, free=True)]
    assert titles == [f"Course {n}" for n in range(1, 8)]
    pages = [r.url.params for r in api.requests]
    assert [p["page"] for p in pages] == ["1", "2", "3"]
    assert all(p["limit"] == "3" and p["free"] == "true" for p in pages)


def test_paginate_takes_an_operation_id_and_a_start_page_and_defaults_to_full_pages():
    api = FakeApi()
    client, _ = make(api)
    assert len(list(client.paginate("ListCourses", page=1))) == 7
    assert api.requests[0].url.params["limit"] == "100"
    assert [c.title for c in client.paginate("ListCourses", page=2, limit=5)] == ["Course 6", "Course 7"]


def test_paginate_stops_on_an_empty_page():
    api = FakeApi()
    client, _ = make(api)
    api.queue("/api/education/courses", httpx.Response(200, json={"data": [], "pagination": {"page": 1, "limit": 100, "total": 0, "pages": 0}}))
    assert list(client.paginate(client.list_courses)) == []
    assert len(api.requests) == 1


def test_paginate_refuses_what_is_not_a_paginated_list():
    client, _ = make(FakeApi())
    for operation in (client.list_categories, "GetCourse", "Nope", 42):
        with pytest.raises(TypeError):
            client.paginate(operation)
