from __future__ import annotations

from pathlib import Path

import pytest

from chatops_commander.adapters.inventory import InventoryError, load_inventory, read_hosts

INI = """\
# production inventory
[web]
web-01 ansible_host=10.0.0.11 services='["nginx", "app"]'
web-[02:03] ansible_host=10.0.0.12

[db]
db-master ansible_host=10.0.0.21 ansible_port=2222 ansible_user=postgres services=postgresql

[production:children]
web
db

[web:vars]
ansible_user=deploy
ansible_ssh_private_key_file=~/.ssh/web.pem
ansible_become=yes
"""

YAML = """\
all:
  children:
    web:
      hosts:
        web-01:
          ansible_host: 10.0.0.11
          services: [nginx]
        web-02:
          ansible_host: 10.0.0.12
      vars:
        ansible_user: deploy
    db:
      hosts:
        db-master:
          ansible_host: 10.0.0.21
          ansible_port: 2222
          services: [postgresql]
          tags: [critical]
          ansible_become: true
    production:
      children:
        web:
        db:
"""

SSH = """\
Host web-01
    HostName 10.0.0.11
    User deploy
    Port 2201
    IdentityFile ~/.ssh/id_ed25519

Host *.internal
    User admin

Host bastion jump
    HostName 10.0.0.1
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


class TestAnsibleIni:
    def test_groups_become_tags_and_vars_are_inherited(self, tmp_path: Path) -> None:
        hosts = {h.name: h for h in read_hosts(write(tmp_path, "hosts", INI))}
        assert set(hosts) == {"web-01", "web-02", "web-03", "db-master"}
        web1 = hosts["web-01"].to_server()
        assert web1.tags == ("production", "web")
        assert web1.services == ("nginx", "app")
        assert (web1.ssh_user, web1.ssh_key_path, web1.ip_address) == ("deploy", "~/.ssh/web.pem", "10.0.0.11")
        assert web1.become and not hosts["db-master"].to_server().become  # ansible_become from [web:vars]
        db = hosts["db-master"].to_server()
        assert (db.port, db.ssh_user, db.services) == (2222, "postgres", ("postgresql",))

    def test_a_bad_port_is_reported_with_file_and_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "hosts", "[web]\nweb-01 ansible_host=10.0.0.1\nweb-02 ansible_port=99999\n")
        with pytest.raises(InventoryError) as info:
            read_hosts(path)
        assert info.value.problems == [f"{path}:3: host 'web-02': ansible_port 99999 is not in 1-65535"]

    def test_a_malformed_line_is_reported(self, tmp_path: Path) -> None:
        path = write(tmp_path, "hosts", "[web\nweb-01\n")
        with pytest.raises(InventoryError, match=r":1: malformed section header"):
            read_hosts(path)


class TestAnsibleYaml:
    def test_reads_hosts_groups_and_vars(self, tmp_path: Path) -> None:
        inventory = load_inventory(write(tmp_path, "inventory.yml", YAML))
        assert sorted(inventory.names) == ["db-master", "web-01", "web-02"]
        assert sorted(inventory.groups["production"]) == ["db-master", "web-01", "web-02"]
        db = inventory.by_name("db-master")
        assert db is not None and db.tags == ("critical", "db", "production") and db.become
        web = inventory.by_name("web-02")
        assert web is not None and web.ssh_user == "deploy" and not web.become

    def test_syntax_error_names_the_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "bad.yml", "all:\n  hosts:\n    web-01: {ansible_host: [\n")
        with pytest.raises(InventoryError, match=r"bad.yml:\d+: YAML syntax error"):
            read_hosts(path)

    def test_unexpected_key_names_the_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "bad.yml", "all:\n  hostz:\n    web-01:\n")
        with pytest.raises(InventoryError, match=r"bad.yml:2: unexpected key 'hostz'"):
            read_hosts(path)


class TestSshConfig:
    def test_reads_concrete_hosts_and_skips_patterns(self, tmp_path: Path) -> None:
        hosts = {h.name: h.to_server() for h in read_hosts(write(tmp_path, "config", SSH))}
        assert set(hosts) == {"web-01", "bastion", "jump"}
        assert (hosts["web-01"].port, hosts["web-01"].ssh_user) == (2201, "deploy")
        assert hosts["jump"].ip_address == "10.0.0.1"
