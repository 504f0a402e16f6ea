"""Start N loopback SSH hosts for benchmarks (one Unix user `cc-bench`, 16 ports per sshd).

python -m bench.fleet 200      # starts, prints the inventory, waits for Ctrl-C
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.fleet.fleet import Fleet, HostSpec


def bench_fleet(n: int, root: Path | None = None) -> Fleet:
    specs = tuple(HostSpec(f"h{i:03d}") for i in range(n))
    return Fleet(root or Path(tempfile.mkdtemp(prefix="chatops-bench-")), specs, shared_user="cc-bench").start()


if __name__ == "__main__":
    f = bench_fleet(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    try:
        for s in f.servers():
            print(s.name, s.ip_address, s.port, s.ssh_user)
        print(f"known_hosts={f.known_hosts} key={f.client_key}", flush=True)
        input("running; press Enter to stop\n")
    finally:
        f.stop()
