"""Typed FastAPI dependencies, one place (`ContainerDep`, `UowDep`, …)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chatops_commander.bootstrap import Container
from chatops_commander.services.ports import UnitOfWorkFactory


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> UnitOfWorkFactory:
    return container.uow


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[UnitOfWorkFactory, Depends(get_uow)]
