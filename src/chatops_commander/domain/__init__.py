"""The pure core: standard library only (dataclasses, enums, functions). No I/O, no clock calls."""
