import httpx2 as httpx


def test_live_server_answers_health_and_security_headers(live_server):
    answer = httpx.get(f"{live_server.url}/healthz")
    assert answer.json() == {"status": "ok"}
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
