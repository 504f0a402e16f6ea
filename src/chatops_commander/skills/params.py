"""Strict parameter types shared by the action families (docs/ACTIONS.md, "Parameters, normalized")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictStr

SERVICE_PATTERN = r"^[A-Za-z0-9@._:-]{1,128}$"
DURATION_PATTERN = r"^\d{1,6}[smhd]$"


def _no_option_like(value: str) -> str:
    if value.startswith("-"):
        raise ValueError("must not start with '-'")
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError("must be an absolute path")
    if any(c in value for c in "\x00\n\r"):
        raise ValueError("must not contain NUL or newline characters")
    return value


def _printable(value: str) -> str:
    if any(c in value for c in "\x00\n\r"):
        raise ValueError("must not contain NUL or newline characters")
    return value


ServiceName = Annotated[StrictStr, Field(pattern=SERVICE_PATTERN), AfterValidator(_no_option_like)]
AbsPath = Annotated[StrictStr, Field(min_length=1, max_length=4096), AfterValidator(_absolute_path)]
Duration = Annotated[StrictStr, Field(pattern=DURATION_PATTERN)]
Lines = Annotated[int, Field(ge=1, le=10_000)]
Limit = Annotated[int, Field(ge=1, le=100)]
Pid = Annotated[int, Field(ge=2, le=4_194_304)]
GrepText = Annotated[StrictStr, Field(min_length=1, max_length=256), AfterValidator(_printable)]
Version = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")]
SortKey = Literal["cpu", "mem"]
