"""GET /health."""


def test_health_says_ok(client):
    """/health answers 200 {"status": "ok"}."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
