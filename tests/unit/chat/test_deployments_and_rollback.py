"""Which version "roll back" means, and runbook skip conditions and rollback sections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.adapters.runbooks import RunbookFolder
from chatops_commander.domain.chat.deployments import (
    Deployment,
    DeploymentKind,
    DeploymentState,
    current_version,
    rollback_target,
)
from chatops_commander.domain.chat.runbooks import RecentFile, parse_runbook
from chatops_commander.domain.chat.wording import describe, impact
from chatops_commander.domain.errors import ValidationFailed

T0 = datetime(2026, 11, 1, tzinfo=UTC)
D, R = DeploymentKind.DEPLOY, DeploymentKind.ROLLBACK
OK, KO, RUN = DeploymentState.SUCCEEDED, DeploymentState.FAILED, DeploymentState.RUNNING


def history(*runs: tuple[str, DeploymentKind, DeploymentState]) -> list[Deployment]:
    """Oldest first in the arguments; newest first in the result, as the repository returns it."""
    out = [Deployment(application="shop", version=v, kind=k, hosts=("web-01",), requested_by="op",
                      started_at=T0 + timedelta(hours=i), state=s, id=str(i)) for i, (v, k, s) in enumerate(runs)]
    return out[::-1]


def test_rollback_goes_to_the_release_before_the_current_one() -> None:
    assert rollback_target(history(("v1", D, OK), ("v2", D, OK), ("v3", D, OK))) == "v2"


def test_after_a_failed_deploy_rollback_returns_to_the_last_good_version() -> None:
    runs = history(("v1", D, OK), ("v2", D, OK), ("v3", D, KO))
    assert current_version(runs) == "v2"
    assert rollback_target(runs) == "v2"


def test_rolling_back_twice_walks_further_back_instead_of_toggling() -> None:
    runs = history(("v1", D, OK), ("v2", D, OK), ("v3", D, OK), ("v2", R, OK))
    assert current_version(runs) == "v2"
    assert rollback_target(runs) == "v1"


def test_redeploying_the_same_version_does_not_count_as_a_release() -> None:
    assert rollback_target(history(("v1", D, OK), ("v2", D, OK), ("v2", D, OK))) == "v1"


def test_a_running_deployment_is_ignored() -> None:
    assert rollback_target(history(("v1", D, OK), ("v2", D, OK), ("v3", D, RUN))) == "v1"


@pytest.mark.parametrize("runs", [
    (),
    (("v1", D, OK),),  # nothing before the first release
    (("v1", D, KO),),  # nothing ever succeeded
    (("v1", D, OK), ("v0", R, OK)),  # current version was never deployed through us
])
def test_history_that_cannot_tell_gives_no_target(runs: tuple[tuple[str, DeploymentKind, DeploymentState], ...]
                                                   ) -> None:
    assert rollback_target(history(*runs)) is None


@given(st.lists(st.tuples(st.sampled_from(["v1", "v2", "v3", "v4"]), st.sampled_from([D, R]),
                          st.sampled_from([OK, KO, RUN])), max_size=12))
def test_the_target_is_always_a_version_that_succeeded_and_differs_from_the_current(
    runs: list[tuple[str, DeploymentKind, DeploymentState]],
) -> None:
    h = history(*runs)
    target = rollback_target(h)
    if target is not None:
        assert target in {d.version for d in h if d.state is OK}
        finished = [d for d in h if d.state is not RUN]
        assert target != finished[0].version


def test_finishing_a_deployment_records_its_state_and_failed_step() -> None:
    d = Deployment.start(application="shop", version="v1", kind=D, hosts=["web-01"], requested_by="op", now=T0)
    assert d.state is RUN and d.id
    assert d.finished(now=T0).state is OK
    failed = d.finished(now=T0, failed_step=3)
    assert failed.state is KO and failed.failed_step == 3 and failed.finished_at == T0


BASE = {"application": "shop", "steps": [{"name": "Backup", "kind": "backup", "run_on": "first",
                                          "skip_if_recent": {"path": "backups", "pattern": "shop-*.sql",
                                                             "max_age_hours": 6},
                                          "commands": [["sh", "backup.sh", "{version}"]]},
                                         {"name": "Roll", "kind": "rolling", "skip_if": [["test", "-f", "x"]],
                                          "commands": [["deploy", "{version}"]]}],
        "rollback": [{"name": {"en": "Switch back", "fr": "Retour"}, "kind": "rolling",
                      "commands": [["switch", "{version}", "{host}"]]}]}


def test_runbook_skip_conditions_and_rollback_section_are_parsed() -> None:
    book = parse_runbook(BASE)
    backup, roll = book.steps
    assert backup.skip_if_recent == RecentFile("backups", "shop-*.sql", 6.0) and backup.conditional
    assert backup.skip_if_recent.argv() == ("find", "backups", "-maxdepth", "1", "-type", "f", "-name", "shop-*.sql",
                                            "-mmin", "-360", "-print", "-quit")
    assert roll.skip_argv("v2", "web-01") == (("test", "-f", "x"),) and roll.conditional
    [switch] = book.steps_for(rollback=True)
    assert switch.name("fr") == "Retour" and switch.argv("v1", "web-02") == (("switch", "v1", "web-02"),)
    assert book.steps_for(rollback=False) == book.steps
    assert parse_runbook({**BASE, "rollback": None}).steps_for(rollback=True) == book.steps


@pytest.mark.parametrize(("patch", "field"), [
    ({"skip_if_recent": {"path": "-delete"}}, "steps[0].skip_if_recent"),
    ({"skip_if_recent": {"path": "b", "pattern": "../x"}}, "steps[0].skip_if_recent.pattern"),
    ({"skip_if_recent": {"path": "b", "max_age_hours": 0}}, "steps[0].skip_if_recent.max_age_hours"),
    ({"skip_if_recent": "backups"}, "steps[0].skip_if_recent"),
    ({"skip_if": "test -f x"}, "steps[0].skip_if"),
])
def test_bad_skip_conditions_name_the_field(patch: dict[str, object], field: str) -> None:
    steps = [{**BASE["steps"][0], **patch}]  # type: ignore[index, dict-item]
    with pytest.raises(ValidationFailed) as caught:
        parse_runbook({**BASE, "steps": steps})
    assert field in [f for f, _ in caught.value.problems]


def test_an_empty_rollback_section_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_runbook({**BASE, "rollback": []})
    assert [f for f, _ in caught.value.problems] == ["rollback"]


def test_rollback_is_described_in_both_languages() -> None:
    assert describe("app.rollback", ["web-01"], None, {"version": "v2.4.0"}, "en") == "Roll back to v2.4.0 on web-01"
    assert describe("app.rollback", ["web-01"], None, {"version": "v2.4.0"}, "fr") == "Revenir à v2.4.0 sur web-01"
    assert "rollback steps" in impact("app.rollback", ["web-01"], None, "en")
    assert "retour arrière" in impact("app.rollback", ["web-01"], None, "fr")


def test_the_documented_example_runbook_is_valid() -> None:
    folder = Path(__file__).parents[3] / "docs" / "examples"
    book = RunbookFolder(folder).for_environment("staging")
    assert book is not None and book.application == "shop" and book.hosts_for("staging", []) == ("web-03",)
    assert [s.kind.value for s in book.steps] == ["precheck", "backup", "pull", "rolling", "smoke"]
    assert book.steps[1].skip_if_recent is not None and book.rollback_steps
