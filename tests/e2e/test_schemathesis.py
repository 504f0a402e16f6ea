"""Property-based run of the whole OpenAPI schema: bounded, and no answer may be a 5xx."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from chatops_commander import bootstrap
from chatops_commander.adapters.db import migrate
from chatops_commander.entrypoints.api.app import create_app
from tests.conftest import make_settings

EXAMPLES_PER_OPERATION = 200


def test_no_operation_answers_with_a_server_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"
    migrate.upgrade(url)
    app = create_app(make_settings(tmp_path, url))
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            if response.status_code >= 400 and response.status_code != 405:
                assert response.headers["content-type"][0].startswith("application/problem+json")

        run()
        checked.append(operation.label)
    assert len(checked) >= 5, checked
    assert isinstance(bootstrap.Container, type)
