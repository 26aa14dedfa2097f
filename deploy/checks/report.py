"""Shared helpers for the deploy checks: the PASS/FAIL/SKIP report and file loaders.

Every check prints one line, `PASS <what>`, `FAIL <what>: <why>` or `SKIP <what>: <why>`;
validate.sh counts them and exits non-zero on any FAIL.
"""

import pathlib
import tomllib

import yaml

DEPLOY = pathlib.Path(__file__).resolve().parent.parent
REPO = DEPLOY.parent
STAGES = ("ingest", "extract", "summarize", "publish")
WORKERS = tuple(f"{s}-worker" for s in STAGES)
BINARIES = WORKERS + ("copydesk",)


def ok(what):
    print(f"PASS {what}")


def fail(what, why):
    print(f"FAIL {what}: {why}")


def skip(what, why):
    print(f"SKIP {what}: {why}")


def check(what, problems):
    """PASS when `problems` is empty, else one FAIL naming every problem."""
    problems = [p for p in problems if p]
    if problems:
        fail(what, "; ".join(problems))
    else:
        ok(what)
    return not problems


def rel(path):
    return str(pathlib.Path(path).resolve().relative_to(REPO))


def yaml_docs(path):
    """Every non-empty document of a YAML file."""
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def toml_file(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def flat_keys(table, prefix=""):
    """Dotted keys of a TOML table: {"amqp": {"url": ..}} -> {"amqp.url"}."""
    keys = set()
    for k, v in table.items():
        if isinstance(v, dict):
            keys |= flat_keys(v, f"{prefix}{k}.")
        else:
            keys.add(f"{prefix}{k}")
    return keys


def known_config_keys():
    """Keys the binaries understand: those in config/default.toml, plus documented optional ones.

    A key outside this set in a deploy config is almost always a typo, which the binaries would
    silently ignore (every section has defaults).
    """
    default = REPO / "config" / "default.toml"
    keys = flat_keys(toml_file(default)) if default.exists() else set()
    # Optional keys that default.toml leaves unset or commented out.
    keys |= {"health.port", "ingest.dedup_path", "ingest.feed_state_dir", "ingest.quiet_after_secs",
             "ingest.detect_language", "amqp.url", "store.path", "store.url", "store.max_connections",
             "store.lease_secs", "store.lock_wait_secs", "store.connect_timeout_secs"}
    return keys


def env_key(name):
    """COPYDESK__AMQP__URL -> amqp.url (None for variables outside the scheme)."""
    if not name.startswith("COPYDESK__"):
        return None
    return ".".join(part.lower() for part in name[len("COPYDESK__"):].split("__"))


def main_guard(fn):
    """Run a section; a crash in a check is itself a failure, not a silent pass."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report any crash as a FAIL line
        fail(f"{fn.__module__} checks", f"crashed: {type(e).__name__}: {e}")
