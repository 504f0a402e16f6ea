from tests.fleet.fixture import fleet, fleet_executor

__all__ = ["fleet", "fleet_executor"]
