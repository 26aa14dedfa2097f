"""Checks of deploy/k8s: kustomization, Deployments, KEDA ScaledObjects, and how they fit together."""

import re
import tomllib

from report import DEPLOY, STAGES, WORKERS, check, fail, flat_keys, known_config_keys, ok, yaml_docs

K8S = DEPLOY / "k8s"
SCALER_API = "keda.sh/v1alpha1"
# Workers that keep state in the store (dedup and feed leases; event clusters; ledger and deliveries).
STORE_USERS = ("ingest-worker", "summarize-worker", "publish-worker")


def load_all():
    """Objects of every YAML file in k8s/, keyed by (kind, name), with the file each came from."""
    objects = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml_docs(path):
            if doc.get("kind") == "Kustomization":
                continue
            objects[(doc.get("kind"), doc.get("metadata", {}).get("name"))] = (doc, path.name)
    return objects


def kustomization_problems(kust):
    listed = kust.get("resources") or []
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    return ([f"lists missing file {r}" for r in listed if not (K8S / r).exists()]
            + [f"{m} is neither listed nor an *.example.yaml" for m in sorted(manifests - set(listed))
               if not m.endswith(".example.yaml")])


def config_of(objects):
    """The TOML inside the copydesk-config ConfigMap, parsed."""
    cm, _ = objects.get(("ConfigMap", "copydesk-config"), ({}, None))
    return tomllib.loads((cm.get("data") or {}).get("config.toml", ""))


def probe_port(container, probe):
    port = (container.get(probe) or {}).get("httpGet", {}).get("port")
    named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    return named.get(port, port)


def deployment_problems(name, dep, objects, cfg):
    p = []
    pod = dep["spec"]["template"]
    spec = pod["spec"]
    containers = spec.get("containers") or []
    if len(containers) != 1:
        return [f"{len(containers)} containers, want 1"]
    c = containers[0]
    health_port = cfg.get("health", {}).get("port")
    deadline = cfg.get("worker", {}).get("shutdown_deadline_secs", 30)
    if (c.get("command") or [None])[0] != name:
        p.append(f"command {c.get('command')} does not run {name}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        got = (c.get(probe) or {}).get("httpGet", {}).get("path")
        if got != path or probe_port(c, probe) != health_port:
            p.append(f"{probe} is {got} on port {probe_port(c, probe)}, want {path} on health.port {health_port}")
    ann = pod.get("metadata", {}).get("annotations") or {}
    want_ann = {"prometheus.io/scrape": "true", "prometheus.io/port": str(health_port), "prometheus.io/path": "/metrics"}
    p += [f"annotation {k}={ann.get(k)!r}, want {v!r}" for k, v in want_ann.items() if ann.get(k) != v]
    res = c.get("resources") or {}
    p += [f"no resources.{kind}.{r}" for kind in ("requests", "limits") for r in ("cpu", "memory")
          if r not in (res.get(kind) or {})]
    psc, csc = spec.get("securityContext") or {}, c.get("securityContext") or {}
    if psc.get("runAsNonRoot") is not True or psc.get("runAsUser", 0) == 0:
        p.append("pod securityContext must set runAsNonRoot: true and a non-zero runAsUser")
    if csc.get("readOnlyRootFilesystem") is not True or csc.get("allowPrivilegeEscalation") is not False:
        p.append("container securityContext must set readOnlyRootFilesystem: true, allowPrivilegeEscalation: false")
    if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
        p.append("container does not drop ALL capabilities")
    if (spec.get("terminationGracePeriodSeconds") or 30) <= deadline:
        p.append(f"terminationGracePeriodSeconds {spec.get('terminationGracePeriodSeconds', '30 (default)')} is not above worker.shutdown_deadline_secs {deadline}")
    env = {e.get("name"): e for e in c.get("env") or []}
    if name in STORE_USERS and not ((env.get("COPYDESK__STORE__URL") or {}).get("valueFrom") or {}).get("secretKeyRef"):
        p.append("no COPYDESK__STORE__URL from a Secret: replicas need the shared PostgreSQL store")
    if "replicas" in dep["spec"]:
        p.append("sets spec.replicas, which fights KEDA on every apply")
    p += reference_problems(c, spec, objects)
    return p


def reference_problems(c, spec, objects):
    """Secrets, ConfigMaps and claims the pod names must exist; --config must be a mounted file."""
    p = []
    secrets = {n: (d.get("stringData") or d.get("data") or {}) for (k, n), (d, _) in objects.items() if k == "Secret"}
    for env in c.get("env") or []:
        ref = (env.get("valueFrom") or {}).get("secretKeyRef")
        if ref and ref.get("key") not in secrets.get(ref.get("name"), {}):
            p.append(f"env {env['name']} reads secret {ref.get('name')}/{ref.get('key')}, which no manifest defines")
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    for v in volumes.values():
        if "configMap" in v and ("ConfigMap", v["configMap"]["name"]) not in objects:
            p.append(f"volume {v['name']} uses missing ConfigMap {v['configMap']['name']}")
        if "persistentVolumeClaim" in v and ("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]) not in objects:
            p.append(f"volume {v['name']} uses missing claim {v['persistentVolumeClaim']['claimName']}")
    args = c.get("args") or []
    config_path = args[args.index("--config") + 1] if "--config" in args[:-1] else None
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
    config_mounted = any(config_path and config_path.startswith(path.rstrip("/") + "/") and "configMap" in volumes.get(vol, {})
                         for path, vol in mounts.items())
    if not config_mounted:
        p.append(f"--config {config_path} is not a file of a mounted ConfigMap")
    return p


def claim_mounts(dep):
    """Mount path -> PersistentVolumeClaim name, for a Deployment's first container."""
    if not dep:
        return {}
    spec = dep["spec"]["template"]["spec"]
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
              for v in spec.get("volumes") or [] if "persistentVolumeClaim" in v}
    return {m["mountPath"]: claims[m["name"]]
            for m in spec["containers"][0].get("volumeMounts") or [] if m["name"] in claims}


def scaledobject_problems(name, so, objects, namespace):
    p = []
    if so.get("apiVersion") != SCALER_API:
        p.append(f"apiVersion {so.get('apiVersion')}, want {SCALER_API}")
    spec = so.get("spec") or {}
    target = (spec.get("scaleTargetRef") or {}).get("name")
    if ("Deployment", target) not in objects:
        p.append(f"scaleTargetRef {target!r} is not a Deployment here")
    if spec.get("minReplicaCount", 0) > spec.get("maxReplicaCount", 100):
        p.append("minReplicaCount is above maxReplicaCount")
    if spec.get("maxReplicaCount", 100) < 2:
        p.append(f"maxReplicaCount {spec.get('maxReplicaCount')} pins the stage; state is shared in the store, so every stage scales")
    triggers = spec.get("triggers") or []
    if len(triggers) != 1 or triggers[0].get("type") != "rabbitmq":
        return p + [f"triggers {[t.get('type') for t in triggers]}, want one rabbitmq trigger"]
    meta, auth = triggers[0].get("metadata") or {}, (triggers[0].get("authenticationRef") or {}).get("name")
    stage = (target or "").removesuffix("-worker")
    if meta.get("mode") != "QueueLength":
        p.append(f"mode {meta.get('mode')!r}, want QueueLength")
    if not re.fullmatch(r"\d+(\.\d+)?", str(meta.get("value"))) or not isinstance(meta.get("value"), str):
        p.append(f"value {meta.get('value')!r} must be a quoted number")
    if meta.get("queueName") != f"{namespace}.{stage}" or stage not in STAGES:
        p.append(f"queueName {meta.get('queueName')!r}, want {namespace}.{stage} (amqp.namespace + stage)")
    if "host" in meta:
        p.append("host is inline; it carries the password and belongs in the TriggerAuthentication")
    if ("TriggerAuthentication", auth) not in objects:
        p.append(f"authenticationRef {auth!r} is not a TriggerAuthentication here")
    return p


def trigger_auth_problems(ta, objects):
    secrets = {n: (d.get("stringData") or d.get("data") or {}) for (k, n), (d, _) in objects.items() if k == "Secret"}
    refs = (ta.get("spec") or {}).get("secretTargetRef") or []
    p = [f"{r.get('parameter')} reads secret {r.get('name')}/{r.get('key')}, which no manifest defines"
         for r in refs if r.get("key") not in secrets.get(r.get("name"), {})]
    if "host" not in {r.get("parameter") for r in refs}:
        p.append("no `host` parameter for the RabbitMQ scaler")
    return p


def run():
    kust = yaml_docs(K8S / "kustomization.yaml")[0]
    check("k8s kustomization.yaml lists existing files, and every manifest (but *.example.yaml)",
          kustomization_problems(kust))
    objects = load_all()
    cfg = config_of(objects)
    namespace = kust.get("namespace")
    unknown = sorted(flat_keys(cfg) - known_config_keys())
    check("k8s ConfigMap config.toml parses and names only known configuration keys",
          [f"unknown key {k}" for k in unknown] + ([] if cfg else ["copydesk-config ConfigMap has no config.toml"]))
    check("k8s every object is in the kustomization namespace", [
        f"{k}/{n} in {d['metadata'].get('namespace')!r}, want {namespace!r}"
        for (k, n), (d, _) in objects.items() if k != "Namespace" and d["metadata"].get("namespace") not in (None, namespace)
    ] + ([] if ("Namespace", namespace) in objects else [f"no Namespace {namespace!r} manifest"]))
    amqp_ns = cfg.get("amqp", {}).get("namespace", "copydesk")
    for name in WORKERS:
        dep = objects.get(("Deployment", name))
        if dep is None:
            fail(f"k8s Deployment {name}", "missing")
            continue
        check(f"k8s Deployment {name}: probes, metrics annotations, resources, non-root read-only, grace period, store URL, references",
              deployment_problems(name, dep[0], objects, cfg))
    scaled = {n: d for (k, n), (d, _) in objects.items() if k == "ScaledObject"}
    targets = [((d.get("spec") or {}).get("scaleTargetRef") or {}).get("name") for d in scaled.values()]
    check("k8s one ScaledObject per worker Deployment",
          [f"{w} has {targets.count(w)} ScaledObjects" for w in WORKERS if targets.count(w) != 1])
    for name, so in sorted(scaled.items()):
        check(f"k8s ScaledObject {name}: targets a Deployment, not pinned, rabbitmq QueueLength on {amqp_ns}.<stage>, auth exists",
              scaledobject_problems(name, so, objects, amqp_ns))
    for (kind, name), (ta, _) in objects.items():
        if kind == "TriggerAuthentication":
            check(f"k8s TriggerAuthentication {name} reads the AMQP URL from a defined Secret",
                  trigger_auth_problems(ta, objects))
    claims = {path: claim for dep in ("ingest-worker", "publish-worker")
              for path, claim in claim_mounts(objects.get(("Deployment", dep), ({}, None))[0]).items()}
    check("k8s ingest.drop_dir and publish.out_dir are PersistentVolumeClaim mounts", [
        None if cfg.get(section, {}).get(key) in claims else f"{section}.{key}={cfg.get(section, {}).get(key)!r} is not a PVC mount ({sorted(claims)})"
        for section, key in (("ingest", "drop_dir"), ("publish", "out_dir"))
    ])
    ok(f"k8s loaded {len(objects)} objects from {len(list(K8S.glob('*.yaml')))} files")
