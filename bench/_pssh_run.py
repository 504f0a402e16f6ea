"""Runs inside .bench-venv: parallel-ssh `uptime` on hosts from argv JSON; prints {"wall": s, "ok": n}."""

import json
import sys
import time

from pssh.clients import ParallelSSHClient
from pssh.config import HostConfig

cfg = json.loads(sys.argv[1])
hosts = ["127.0.0.1"] * len(cfg["ports"])
hc = [HostConfig(port=p, user=cfg["user"], private_key=cfg["key"]) for p in cfg["ports"]]
t0 = time.perf_counter()
client = ParallelSSHClient(hosts, host_config=hc, pool_size=cfg["pool"], num_retries=1)
out = client.run_command("uptime")
client.join(out)
ok = sum(1 for o in out if o.exit_code == 0 and "load average" in "".join(o.stdout))
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "ok": ok}))
