"""Checks of samples/: the demo stories have the shape the README promises.

The pipeline's own parsers are tested in the worker crates; this only guards the demo set:
headline and paragraphs in the text files, NITF that parses with the fields ingest reads, a
length in range, and the update and kill pairs that make the demo show both.
"""

import re
import xml.etree.ElementTree as ET

from report import REPO, check

SAMPLES = REPO / "samples"
MIN_WORDS, MAX_WORDS = 250, 600


def text_story(path):
    """(headline, paragraphs, problems) of a plain-text sample."""
    raw = path.read_text(encoding="utf-8")
    head, _, rest = raw.partition("\n")
    paras = [p.strip() for p in re.split(r"\n\s*\n", rest) if p.strip()]
    problems = [
        None if head.strip() and rest.startswith("\n") else "the headline line is not followed by a blank line",
        None if len(paras) >= 3 else f"{len(paras)} paragraphs",
    ]
    return head.strip(), paras, problems


def nitf_story(path):
    """(doc-id, version, status, paragraphs, has_link, problems) of a NITF sample."""
    root = ET.parse(path).getroot()
    doc_id = root.find("./head/docdata/doc-id")
    du_key = root.find("./head/docdata/du-key")
    docdata = root.find("./head/docdata")
    paras = ["".join(p.itertext()).strip() for p in root.findall("./body/body.content/p")]
    problems = [
        None if root.tag == "nitf" else f"root is <{root.tag}>",
        None if root.find("./head/title") is not None else "no head/title",
        None if doc_id is not None and doc_id.get("id-string") else "no doc-id@id-string",
        None if root.find("./head/docdata/urgency") is not None else "no urgency",
        None if root.find("./head/docdata/date.issue") is not None else "no date.issue",
        None if root.find("./body/body.head/hedline/hl1") is not None else "no hedline/hl1",
        None if paras else "no body.content paragraphs",
    ]
    version = int(du_key.get("version", "1")) if du_key is not None else 1
    status = docdata.get("management-status", "usable") if docdata is not None else "usable"
    has_link = bool(root.findall(".//body.content//a[@href]"))
    return (doc_id.get("id-string") if doc_id is not None else None), version, status, paras, has_link, problems


def run():
    texts, xmls = sorted(SAMPLES.glob("*.txt")), sorted(SAMPLES.glob("*.xml"))
    check("samples: at least 8 plain-text and 4 NITF stories, and a README", [
        None if len(texts) >= 8 else f"{len(texts)} .txt files",
        None if len(xmls) >= 4 else f"{len(xmls)} .xml files",
        None if (SAMPLES / "README.md").exists() else "no README.md",
    ])
    for path in texts:
        head, paras, problems = text_story(path)
        words = sum(len(p.split()) for p in paras)
        problems.append(None if MIN_WORDS <= words <= MAX_WORDS else f"{words} words")
        problems.append(None if any(re.search(r'"[^"]+,"\s+[^.]*\b(said|told)\b', p) for p in paras) else "no attributed quote")
        check(f"samples {path.name}: headline, paragraphs, {MIN_WORDS}-{MAX_WORDS} words, an attributed quote", problems)
    versions, kills, links = {}, [], 0
    for path in xmls:
        doc_id, version, status, paras, has_link, problems = nitf_story(path)
        words = sum(len(p.split()) for p in paras)
        if status == "canceled":
            kills.append(doc_id)
        elif not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{words} words")
        versions.setdefault(doc_id, []).append(version)
        links += has_link
        check(f"samples {path.name}: NITF with title, doc-id, urgency, date.issue, hl1, body", problems)
    body = " ".join(p.read_text(encoding="utf-8") for p in texts + xmls)
    check("samples: an update (same doc-id, higher version), a kill of a published story, a link, a cited outlet", [
        None if any(len(set(v)) > 1 and doc not in kills for doc, v in versions.items()) else "no doc-id with two versions",
        None if kills and all(1 in versions.get(k, []) for k in kills) else "no canceled item that kills a version 1 in the set",
        None if links else "no <a href> in any NITF body",
        None if "according to reporting by" in body else "no story cites an outlet",
    ])
