"""Shipped test doubles of the pipeline's ports: an in-memory unit of work, a scripted fleet executor, a clock
one can move, an event sink. With them the whole action pipeline and the seed's scenarios run in-process, in
milliseconds, without a database or sshd (`tests/unit/pipeline`); the fleet end-to-end tests stay the proof
on real hosts. They are real implementations of the ports, not mocks: state changes, transactions commit or
roll back, the audit chain is sealed."""

from chatops_commander.services.fakes.clock import FakeClock
from chatops_commander.services.fakes.events import RecordingHub
from chatops_commander.services.fakes.executor import FakeFleet, FakeHost
from chatops_commander.services.fakes.http import FakeHttp, FakeSite
from chatops_commander.services.fakes.runbooks import InMemoryRunbooks
from chatops_commander.services.fakes.unit_of_work import InMemoryStore, InMemoryUnitOfWork

__all__ = ["FakeClock", "FakeFleet", "FakeHost", "FakeHttp", "FakeSite", "InMemoryRunbooks", "InMemoryStore",
           "InMemoryUnitOfWork", "RecordingHub"]
