"""Checks of deploy/compose.yaml: services, scaling, health checks, environment, volumes."""

import re

from report import DEPLOY, WORKERS, BINARIES, check, env_key, known_config_keys, yaml_docs

COMPOSE = DEPLOY / "compose.yaml"
SHUTDOWN_DEADLINE_SECS = 30
EXPECTED_ENV = {
    "COPYDESK__AMQP__URL": "amqp://guest:guest@rabbitmq:5672/%2f",
    "COPYDESK__AMQP__NAMESPACE": "copydesk",
    "COPYDESK__HEALTH__BIND": "0.0.0.0",
    "COPYDESK__HEALTH__PORT": "9180",
    "COPYDESK__TELEMETRY__JSON": "true",
}
# Workers whose state lives in the store.
STORE_USERS = ("ingest-worker", "summarize-worker", "publish-worker")
STAGE_ENV = {
    "ingest-worker": ("COPYDESK__INGEST__DROP_DIR", "/data/inbox"),
    "publish-worker": ("COPYDESK__PUBLISH__OUT_DIR", "/data/out"),
}


def seconds(duration):
    """Compose durations ("45s", "1m30s") in seconds."""
    total = 0
    for amount, unit in re.findall(r"(\d+)(h|m|s)", str(duration)):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def command_of(svc):
    cmd = svc.get("command") or []
    return cmd.split() if isinstance(cmd, str) else list(cmd)


def program_of(svc):
    """The executable a service runs: the entrypoint's first word, else the command's."""
    entry = svc.get("entrypoint") or []
    entry = entry.split() if isinstance(entry, str) else list(entry)
    return (entry or command_of(svc) or [None])[0]


def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in env.items()}


def interpolate(text):
    """`${VAR:-default}` -> the default, as compose would with VAR unset."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}", r"\1", text)


def volume_targets(svc, declared):
    """Container paths of the service's volumes, and named volumes that are not declared."""
    targets, undeclared = {}, []
    for v in svc.get("volumes") or []:
        if isinstance(v, str):
            source, target = (interpolate(v).split(":") + [""])[:2]
        else:
            source, target = interpolate(str(v.get("source", ""))), v.get("target")
        targets[target] = source
        if source and not source.startswith((".", "/", "~")) and source not in declared:
            undeclared.append(source)
    return targets, undeclared


def worker_problems(name, svc, services):
    p = []
    if "container_name" in svc:
        p.append("has container_name (blocks --scale)")
    if svc.get("ports"):
        p.append(f"publishes host ports {svc['ports']} (blocks --scale)")
    if svc.get("restart") != "unless-stopped":
        p.append(f"restart is {svc.get('restart')!r}, want 'unless-stopped'")
    deps = svc.get("depends_on") or {}
    if not isinstance(deps, dict) or (deps.get("rabbitmq") or {}).get("condition") != "service_healthy":
        p.append("does not depend on rabbitmq with condition service_healthy")
    if isinstance(deps, dict) and "topology" in services and (deps.get("topology") or {}).get("condition") != "service_completed_successfully":
        p.append("does not wait for the topology step (service_completed_successfully)")
    if command_of(svc)[:1] != [name]:
        p.append(f"command {command_of(svc)} does not run {name}")
    env = env_of(svc)
    wanted = dict(EXPECTED_ENV)
    if name in STAGE_ENV:
        wanted.update([STAGE_ENV[name]])
    for key, want in wanted.items():
        if env.get(key) != want:
            p.append(f"{key}={env.get(key)!r}, want {want!r}")
    test = " ".join(map(str, (svc.get("healthcheck") or {}).get("test") or []))
    if f"http://127.0.0.1:{env.get('COPYDESK__HEALTH__PORT')}/healthz" not in test:
        p.append(f"healthcheck {test!r} does not probe http://127.0.0.1:<health port>/healthz")
    if seconds(svc.get("stop_grace_period", "10s")) <= SHUTDOWN_DEADLINE_SECS:
        p.append(f"stop_grace_period {svc.get('stop_grace_period', '10s (default)')} is not above the {SHUTDOWN_DEADLINE_SECS} s shutdown deadline")
    return p


def run():
    docs = yaml_docs(COMPOSE)
    if not check("compose.yaml is one YAML document", [None if len(docs) == 1 else f"{len(docs)} documents"]):
        return
    compose = docs[0]
    services = compose.get("services") or {}
    declared = set((compose.get("volumes") or {}).keys())
    expected = ("rabbitmq", "postgres", "topology") + WORKERS
    check("compose.yaml has services " + ", ".join(expected),
          [f"missing {s}" for s in expected if s not in services])

    rabbit = services.get("rabbitmq") or {}
    test = " ".join(map(str, (rabbit.get("healthcheck") or {}).get("test") or []))
    check("compose rabbitmq is 3.13-management with a rabbitmq-diagnostics ping health check", [
        None if str(rabbit.get("image", "")).startswith("rabbitmq:3.13-management") else f"image {rabbit.get('image')!r}",
        None if "rabbitmq-diagnostics" in test and "ping" in test else f"healthcheck {test!r}",
    ])

    topo = services.get("topology") or {}
    check("compose topology step runs `copydesk topology declare` once after rabbitmq is healthy", [
        None if command_of(topo) == ["copydesk", "topology", "declare"] else f"command {command_of(topo)}",
        None if str(topo.get("restart", "no")) == "no" else f"restart {topo.get('restart')!r} (a one-shot must not restart)",
        None if ((topo.get("depends_on") or {}).get("rabbitmq") or {}).get("condition") == "service_healthy" else "does not wait for rabbitmq healthy",
    ])

    for name in WORKERS:
        if name in services:
            check(f"compose {name}: scalable (no container_name, no host ports), restart, depends_on, env, /healthz check, grace period",
                  worker_problems(name, services[name], services))

    for name, (key, path) in STAGE_ENV.items():
        targets, undeclared = volume_targets(services.get(name) or {}, declared)
        check(f"compose {name} mounts a volume at {path}", [
            None if path in targets else f"no volume at {path} (has {sorted(targets)})",
            *(f"named volume {v!r} is not declared under volumes:" for v in undeclared),
        ])

    known = known_config_keys()
    unknown = sorted({f"{svc}: {k}" for svc, s in services.items() for k in env_of(s)
                      if env_key(k) is not None and env_key(k) not in known})
    check("compose COPYDESK__* variables name configuration keys the binaries know", unknown)

    pg = services.get("postgres") or {}
    pg_test = " ".join(map(str, (pg.get("healthcheck") or {}).get("test") or []))
    check("compose postgres (the shared store) has a pg_isready health check, and ingest, summarize and publish use it", [
        None if str(pg.get("image", "")).startswith("postgres:") else f"postgres image {pg.get('image')!r}",
        None if "pg_isready" in pg_test else f"postgres healthcheck {pg_test!r}",
        *(f"{n}: COPYDESK__STORE__URL={env_of(services.get(n) or {}).get('COPYDESK__STORE__URL')!r} is not postgres://...@postgres:5432/..."
          for n in STORE_USERS if "@postgres:5432/" not in env_of(services.get(n) or {}).get("COPYDESK__STORE__URL", "")),
        *(f"{n} does not wait for postgres healthy" for n in STORE_USERS
          if (((services.get(n) or {}).get("depends_on") or {}).get("postgres") or {}).get("condition") != "service_healthy"),
    ])

    external = ("rabbitmq", "postgres")
    images = {s.get("image") for n, s in services.items() if n not in external}
    bad_cmd = [f"{n} runs {program_of(s)!r}" for n, s in services.items()
               if n not in external and program_of(s) not in BINARIES]
    check("compose services other than rabbitmq and postgres share one image and run one of the five binaries",
          [None if len(images) == 1 else f"images {sorted(map(str, images))}", *bad_cmd])
