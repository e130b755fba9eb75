"""The dashboard under a class's load (Locust), short: every report accepted is in the database.

The full run, 60 learners for 60 s against the p99 ≤ 100 ms goal, is in `make bench`
(`workshop.loadtest`); this shorter one computes the same statistics and checks what must hold
whatever the machine's load: no errors, nothing lost.
"""

from __future__ import annotations

import os

import pytest

from workshop import loadtest

pytestmark = pytest.mark.slow


def test_sixty_learners_report_without_an_error_and_no_report_is_lost():
    environment = dict(os.environ)
    figures = loadtest.run(seconds=15, learners=60)
    # The locustfile's settings are passed through the environment and taken back afterwards.
    assert dict(os.environ) == environment
    print(
        f"\n{figures['requests']} requests, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms (goal in make bench: ≤ {loadtest.GOALS['p99_ms']} ms)"
    )
    assert figures["errors"] == 0, (figures["per_endpoint"], figures["failure_reasons"])
    assert figures["reports_accepted"] > 60  # each learner reported at least once, most more
    assert figures["reports_lost"] == 0 and figures["reports_not_sent"] == 0
    # Only a request cut off when Locust stopped may be stored without its 201 arriving.
    assert 0 <= figures["reports_in_database"] - figures["reports_accepted"] <= 61
    assert figures["per_endpoint"]["GET api/cohort"]["requests"] > 0


def test_a_connection_reused_after_a_learners_pause_gets_its_answer(tmp_path):
    """Not a reset: uvicorn's default closed idle connections after 5 s, and a learner in the load
    test who reported again after about 5 s on the same connection had it reset (1 error in 236
    requests in one bench). The dashboard keeps them open longer than its clients reuse them."""
    import http.client
    import time
    from urllib.parse import urlsplit

    from workshop import service

    cohort = tmp_path / "cohort.yaml"
    cohort.write_text("workshop: Idle\ninstructors: [grace]\nlearners: [ada]\n")
    with (
        loadtest.stand_in_hub({}) as hub_api,
        loadtest.dashboard_process(tmp_path, hub_api, cohort) as (base, _),
    ):
        where = urlsplit(base)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
        try:
            connection.request("GET", f"{where.path}health")
            connection.getresponse().read()
            time.sleep(6)  # longer than uvicorn's default, shorter than the dashboard's setting
            connection.request("GET", f"{where.path}health")
            assert connection.getresponse().status == 200
        finally:
            connection.close()
    assert service.KEEP_ALIVE_S > 6


def test_the_goals_are_judged_on_all_three_figures():
    good = {"p99_ms": 100.0, "errors": 0, "reports_lost": 0, "reports_not_sent": 0}
    assert loadtest.meets_goals(good)
    assert not loadtest.meets_goals({**good, "p99_ms": 101.0})
    assert not loadtest.meets_goals({**good, "errors": 1})
    assert not loadtest.meets_goals({**good, "reports_lost": 1})
    assert not loadtest.meets_goals({**good, "reports_not_sent": 1})


def test_the_stand_in_hub_refuses_an_unknown_token():
    import json
    import urllib.error
    import urllib.request

    with loadtest.stand_in_hub({"t": ("ada", ["s"])}) as url:
        request = urllib.request.Request(f"{url}user", headers={"Authorization": "token t"})
        with urllib.request.urlopen(request) as reply:
            assert json.load(reply)["name"] == "ada"
        request = urllib.request.Request(f"{url}user", headers={"Authorization": "token x"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 403
