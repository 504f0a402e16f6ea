"""The shell.run classifier: read-only → low, unknown → high, destructive → critical, chains take the max."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.risk import Risk
from chatops_commander.skills.shell_risk import classify

LOW = [
    "uptime",
    "df -h",
    "free -m",
    "ls -la /var/log",
    "cat /etc/os-release",
    "grep -i error /var/log/syslog",
    "systemctl status nginx",
    "journalctl -u nginx -n 50",
    "docker ps",
    "ps aux",
    "tail -n 20 /var/log/x.log",
    "supervisorctl status",
    "ip addr",
    "echo hello 2>/dev/null",
]
HIGH = [
    "systemctl restart nginx",
    "apt-get install htop",
    "echo x > /tmp/file",
    "kill 1234",
    "curl http://x",
    "sed -i s/a/b/ /tmp/f",
    "find /tmp -name x -delete",
    "python3 script.py",
    "chmod 600 /tmp/key",
    "docker rm web",
    "journalctl --vacuum-time=1d",
    "bash",
]
CRITICAL = [
    "rm -rf /",
    "rm -r /tmp/x",
    "rm -fr ~/data",
    "mkfs.ext4 /dev/sdb1",
    "dd if=/dev/zero of=/dev/sda",
    "shutdown -h now",
    "reboot",
    "halt",
    "poweroff",
    "sudo reboot",
    "init 0",
    "systemctl poweroff",
    "psql -c 'DROP TABLE users'",
    "mysql -e 'drop database prod'",
    "truncate -s 0 /var/log/syslog",
    "echo x > /etc/passwd",
    "cat foo >> /etc/hosts",
    "echo 1 > /dev/sda",
    "chmod -R 777 /",
    ":(){ :|:& };:",
    "xargs rm -rf",
    "sh -c 'rm -rf /'",
    "nohup reboot",
    "find / -delete",
    "cp x /tmp/y > /boot/grub/grub.cfg",
    "echo > /usr/bin/ls",
]


@pytest.mark.parametrize("cmd", LOW)
def test_read_only_commands_are_low(cmd: str) -> None:
    assert classify(cmd).risk is Risk.LOW, classify(cmd)


@pytest.mark.parametrize("cmd", HIGH)
def test_other_commands_are_high(cmd: str) -> None:
    assert classify(cmd).risk is Risk.HIGH, classify(cmd)


@pytest.mark.parametrize("cmd", CRITICAL)
def test_destructive_commands_are_critical(cmd: str) -> None:
    assert classify(cmd).risk is Risk.CRITICAL, classify(cmd)


@given(
    a=st.sampled_from(LOW + HIGH + CRITICAL),
    b=st.sampled_from(LOW + HIGH + CRITICAL),
    op=st.sampled_from([";", "&&", "||", "|", "\n"]),
)
def test_a_chain_takes_the_highest_risk_of_its_parts(a: str, b: str, op: str) -> None:
    expected = Risk.highest([classify(a).risk, classify(b).risk])
    assert classify(f"{a} {op} {b}").risk is expected


@given(inner=st.sampled_from(LOW), outer=st.sampled_from(LOW))
def test_command_substitution_is_at_least_high(inner: str, outer: str) -> None:
    assert classify(f"{outer} $({inner})").risk.rank >= Risk.HIGH.rank
    assert classify(f"{outer} `{inner}`").risk.rank >= Risk.HIGH.rank


@given(st.text())
def test_classifier_never_raises_and_never_says_low_for_unparseable_text(text: str) -> None:
    c = classify(text)
    assert isinstance(c.risk, Risk)
    if text.count("'") % 2 and '"' not in text and "\\" not in text:
        assert c.risk is not Risk.LOW
