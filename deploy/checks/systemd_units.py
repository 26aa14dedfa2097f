"""Checks of deploy/systemd that need no systemd: directives present, paths consistent.

`systemd-analyze verify` and `security` (run by validate.sh) check the syntax and the exposure
score; this checks what they cannot know: that the units match the Copydesk layout.
"""

import re
from pathlib import PurePosixPath

from report import DEPLOY, STAGES, check, flat_keys, known_config_keys, toml_file

SYSTEMD = DEPLOY / "systemd"
UNITS = {
    "ingest": "copydesk-ingest.service",
    "extract": "copydesk-extract@.service",
    "summarize": "copydesk-summarize@.service",
    "publish": "copydesk-publish.service",
}
# Directive -> required value (None: present with any non-empty value, "" : present and empty).
REQUIRED = {
    "Type": "simple", "Restart": "on-failure", "RestartSec": None, "User": "copydesk",
    "WorkingDirectory": "/var/lib/copydesk", "EnvironmentFile": "-/etc/copydesk/copydesk.env",
    "KillSignal": "SIGTERM", "TimeoutStopSec": None, "NoNewPrivileges": "yes",
    "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "yes", "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes",
    "SystemCallFilter": "@system-service", "CapabilityBoundingSet": "",
}


def directives(path):
    """Directive -> list of values, over all sections (comments and blank lines skipped)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def unit_problems(stage, d, cfg, rw_wanted):
    p = []
    for key, want in REQUIRED.items():
        values = d.get(key)
        if values is None:
            p.append(f"no {key}=")
        elif want is not None and want not in values:
            p.append(f"{key}={values}, want {want!r}")
    exec_start = f"/usr/local/bin/{stage}-worker --config /etc/copydesk/config.toml"
    if d.get("ExecStart") != [exec_start]:
        p.append(f"ExecStart={d.get('ExecStart')}, want {exec_start!r}")
    stop = int(re.sub(r"s$", "", (d.get("TimeoutStopSec") or ["0"])[0]) or 0)
    deadline = cfg.get("worker", {}).get("shutdown_deadline_secs", 30)
    if stop <= deadline:
        p.append(f"TimeoutStopSec={stop} is not above worker.shutdown_deadline_secs {deadline}")
    rw = " ".join(d.get("ReadWritePaths") or []).split()
    p += [f"ReadWritePaths lacks {path}" for path in rw_wanted if path not in rw]
    if "copydesk.target" not in " ".join(d.get("PartOf", []) + d.get("WantedBy", [])):
        p.append("not PartOf=/WantedBy=copydesk.target")
    return p


def run():
    cfg_path = SYSTEMD / "config.toml"
    cfg = toml_file(cfg_path)
    unknown = sorted(flat_keys(cfg) - known_config_keys())
    check("systemd config.toml parses and names only known configuration keys", [f"unknown key {k}" for k in unknown])
    drop_dir, out_dir = cfg.get("ingest", {}).get("drop_dir"), cfg.get("publish", {}).get("out_dir")
    state_dir = str(PurePosixPath(cfg.get("store", {}).get("path", "/var/lib/copydesk/state/copydesk.db")).parent)
    # ingest, publish and summarize (the event desk) use the store; SQLite writes beside its file.
    rw_wanted = {"ingest": [drop_dir, state_dir], "publish": [out_dir, state_dir], "summarize": [state_dir]}
    for stage in STAGES:
        path = SYSTEMD / UNITS[stage]
        if not path.exists():
            check(f"systemd {UNITS[stage]}", ["missing"])
            continue
        d = directives(path)
        check(f"systemd {UNITS[stage]}: ExecStart, restart, stop timeout, hardening, ReadWritePaths, target",
              unit_problems(stage, d, cfg, rw_wanted.get(stage, [])))
        if "@" in UNITS[stage]:
            env = " ".join(d.get("Environment") or [])
            check(f"systemd {UNITS[stage]}: each instance gets its own health port",
                  [None if re.search(r"COPYDESK__HEALTH__PORT=(%i|0)\b", env) else f"Environment={env!r} does not derive COPYDESK__HEALTH__PORT from %i (or 0)"])
    target = SYSTEMD / "copydesk.target"
    check("systemd copydesk.target exists and is wanted by multi-user.target",
          [None if target.exists() and "multi-user.target" in (directives(target).get("WantedBy") or []) else "missing or not WantedBy=multi-user.target"])
    tmpfiles = (SYSTEMD / "copydesk.tmpfiles.conf").read_text(encoding="utf-8")
    created = {line.split()[1] for line in tmpfiles.splitlines() if line.startswith("d ")}
    check("systemd tmpfiles creates every ReadWritePaths folder and the WorkingDirectory",
          [f"{path} is not created" for path in (drop_dir, out_dir, state_dir, "/var/lib/copydesk") if path not in created])
    env_example = (SYSTEMD / "copydesk.env.example").read_text(encoding="utf-8")
    check("systemd copydesk.env.example sets the AMQP URL and not the per-instance health port", [
        None if re.search(r"^COPYDESK__AMQP__URL=amqp", env_example, re.M) else "no COPYDESK__AMQP__URL",
        "sets COPYDESK__HEALTH__PORT" if re.search(r"^COPYDESK__HEALTH__PORT=", env_example, re.M) else None,
    ])
