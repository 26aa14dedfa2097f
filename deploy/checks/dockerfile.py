"""Checks of deploy/Dockerfile, hadolint-style, plus that the workspace provides what it builds."""

import fnmatch
import re
import tomllib

from report import BINARIES, DEPLOY, REPO, check

DOCKERFILE = DEPLOY / "Dockerfile"


def instructions(text):
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    return [(m.group(1).upper(), m.group(2).strip()) for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", joined, re.M)]


def workspace_binaries():
    """Binary names the workspace defines: [[bin]] names, src/bin/*.rs, and src/main.rs packages."""
    names = set()
    members = tomllib.loads((REPO / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["members"]
    for member in members:
        manifest = REPO / member / "Cargo.toml"
        if not manifest.exists():
            continue
        pkg = tomllib.loads(manifest.read_text(encoding="utf-8"))
        names |= {b["name"] for b in pkg.get("bin", []) if "name" in b}
        names |= {p.stem for p in (REPO / member / "src" / "bin").glob("*.rs")}
        if (REPO / member / "src" / "main.rs").exists() and not pkg.get("bin"):
            names.add(pkg["package"]["name"])
    return names


def run():
    text = DOCKERFILE.read_text(encoding="utf-8")
    ins = instructions(text)
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    froms = [re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), a) for i, a in ins if i == "FROM"]
    check("Dockerfile: rust:1-bookworm builder, debian:bookworm-slim runtime, no :latest", [
        None if froms and froms[0].startswith("rust:1-bookworm ") else f"first FROM is {froms[:1]}",
        None if froms and froms[-1].startswith("debian:bookworm-slim") else f"last FROM is {froms[-1:]}",
        *(f"{f} uses :latest or no tag" for f in froms if ":" not in f.split()[0] or f.split()[0].endswith(":latest")),
    ])
    final_stage = ins[max(n for n, (i, _) in enumerate(ins) if i == "FROM"):]
    users = [a for i, a in final_stage if i == "USER"]
    workdirs = [a for i, a in final_stage if i == "WORKDIR"]
    check("Dockerfile: runtime runs as a numeric non-root USER in WORKDIR /app", [
        None if users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]) else f"USER {users[-1:]} (want a non-zero numeric uid)",
        None if workdirs[-1:] == ["/app"] else f"WORKDIR {workdirs[-1:]}",
    ])
    run_text = " ".join(a for i, a in ins if i == "RUN")
    check("Dockerfile: builds and copies the five binaries", [
        f"{b} not built (--bin {b}) or not copied" for b in BINARIES
        if f"--bin {b}" not in run_text or f"target/release/{b}" not in run_text
    ])
    check("Dockerfile: apt-get uses --no-install-recommends and clears its lists (hadolint DL3015, DL3009)", [
        f"RUN {a[:60]}..." for i, a in ins if i == "RUN" and "apt-get install" in a
        and ("--no-install-recommends" not in a or "rm -rf /var/lib/apt/lists" not in a)
    ])
    copies = [a.split() for i, a in ins if i == "COPY" and "--from" not in a]
    sources = [c for parts in copies for c in parts[:-1] if not c.startswith("--")]
    ignored = [l.strip() for l in (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
               if l.strip() and not l.startswith("#")]
    check("Dockerfile: COPY sources exist and Dockerfile.dockerignore keeps them", [
        *(f"COPY source {s} does not exist" for s in sources if s != "." and not (REPO / s).exists()),
        *(f"{s} is excluded by {pat}" for s in sources + ["Cargo.lock", "config/default.toml", "workers/extract/model/x"]
          for pat in ignored if fnmatch.fnmatch(s, pat.lstrip("*/")) or fnmatch.fnmatch(s, pat)),
        None if "config/default.toml /app/config/default.toml" in " ".join(" ".join(c) for c in copies) else "config/default.toml is not copied to /app/config/default.toml",
    ])
    defined = workspace_binaries()
    check("workspace defines every binary the image builds", [f"no binary target named {b}" for b in BINARIES if b not in defined])
