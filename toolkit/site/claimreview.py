"""The package's claims and verdicts as schema.org ClaimReview: one review per row of
claim_evidence, as fact-checking tools exchange them.

A ClaimReview gives one rating, and a claim here can have several pieces of evidence with different
verdicts (supported by one record, contradicted by another), so each evidence row is its own review
of the same claim:

- `claimReviewed`: the claim's words; `itemReviewed`: a `Claim` with its `author` (the claimant,
  a Person or an Organization) and `appearance` (the source that makes the claim);
- `reviewRating`: a `Rating` whose `alternateName` is the verdict in words; `reviewBody`: the
  evidence's explanation;
- `citation`: the site's page of the evidence (the resolution's recorded votes, or the source's
  entry), then the source document itself;
- `author`: who reviewed (the dataset's authors, from CITATION.cff); `datePublished`: the day of the
  release (the descriptor's `created`); `url`: the evidence's anchor on the claim's page.

The site embeds each claim's reviews in its page (`claims/<claim>.html`); `csto-alignment export
--format claimreview` writes them all as one JSON-LD file. Addresses are relative to the site's
root unless the site's address is given (`--site-url`). This module needs no site extra (Jinja2,
Altair): the export runs without them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from toolkit.errors import UsageError
from toolkit.package.descriptor import is_link
from toolkit.package.tableschema import Package
from toolkit.site.data import href, slug
from toolkit.store.fileio import write_atomic

Row = dict[str, Any]
CONTEXT = "https://schema.org"
FOLDER = "claims"  # the claims' pages: claims/<slug of claim_id>.html
RESOURCES = ("claims", "claim_evidence", "sources", "actors")


def claim_path(claim_id: str) -> str:
    """The claim's page, relative to the site's root."""
    return f"{FOLDER}/{slug(claim_id)}.html"


def evidence_anchor(evidence_id: str) -> str:
    return f"evidence-{slug(evidence_id)}"


def verdict_words(verdict: str) -> str:
    """`partly_supported` -> `partly supported`: the verdict as a reader says it."""
    return str(verdict).replace("_", " ")


def reviewers(package: Package) -> str:
    """Who reviews: the dataset's authors as CITATION.cff names them, else its contributors."""
    cff = package.root / "CITATION.cff"
    if cff.exists():
        import yaml

        meta = yaml.safe_load(cff.read_text(encoding="utf-8")) or {}
        names = [a.get("name") or a.get("family-names", "") for a in meta.get("authors", [])]
        if any(names):
            return "; ".join(n for n in names if n)
    contributors = package.descriptor.get("contributors") or []
    names = [c.get("title", "") for c in contributors if "creator" in c.get("roles", [])]
    return "; ".join(n for n in names if n) or f"{package.descriptor.get('name', '')} contributors"


def release_day(package: Package) -> str | None:
    """The day the package's version was released (the descriptor's `created`), if recorded."""
    created = str(package.descriptor.get("created") or "")
    return created[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", created) else None


def _actor(actor: Row | None, fallback: str) -> dict[str, Any]:
    if actor is None:
        return {"@type": "Organization", "name": fallback}
    kind = "Person" if actor.get("actor_type") == "person" else "Organization"
    return {"@type": kind, "name": actor["name"]}


def _work(source: Row | None) -> dict[str, Any] | None:
    """A source as a schema.org CreativeWork: its title, address, author, publisher and date."""
    if source is None:
        return None
    work: dict[str, Any] = {"@type": "CreativeWork", "name": source["title"]}
    if is_link(source.get("url")):  # http(s) only, as on the pages (descriptor.is_link)
        work["url"] = source["url"]
    if source.get("author"):
        work["author"] = {"@type": "Person", "name": source["author"]}
    if source.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
    if source.get("published"):
        work["datePublished"] = str(source["published"])
    return work


def _evidence_page(e: Row, site: str) -> str:
    """The site's page that shows the evidence: the resolution's recorded votes, or the entry of
    the source it cites."""
    if e.get("resolution_id"):
        return str(href("un_resolutions", e["resolution_id"], site))
    return str(href("sources", e["source_id"], site))


def claim_reviews(
    rows: dict[str, list[Row]], reviewer: str, published: str | None, site: str = ""
) -> dict[str, list[dict[str, Any]]]:
    """claim_id -> its ClaimReviews (one per evidence row, in the order of claim_evidence).

    `rows` holds the typed rows of claims, claim_evidence, sources and actors; `site` is the
    prefix of the site's addresses: "" for addresses relative to its root, "../" from a page one
    folder down, or the site's own address ("https://example.org/csto/")."""
    sources = {s["source_id"]: s for s in rows.get("sources", [])}
    actors = {a["actor_id"]: a for a in rows.get("actors", [])}
    claims = {c["claim_id"]: c for c in rows.get("claims", [])}
    out: dict[str, list[dict[str, Any]]] = {cid: [] for cid in claims}
    for e in rows.get("claim_evidence", []):
        claim = claims.get(e["claim_id"])
        if claim is None:
            continue
        item: dict[str, Any] = {
            "@type": "Claim",
            "text": claim["claim"],
            "author": _actor(actors.get(claim["claimant_id"]), claim["claimant_id"]),
        }
        appearance = _work(sources.get(claim.get("source_id")))
        if appearance:
            item["appearance"] = appearance
        page = (
            f"Recorded votes on {e['resolution_id']}"
            if e.get("resolution_id")
            else f"Source: {sources.get(e['source_id'], {}).get('title', e['source_id'])}"
        )
        citation: list[dict[str, Any]] = [
            {"@type": "WebPage", "name": page, "url": _evidence_page(e, site)}
        ]
        work = _work(sources.get(e["source_id"]))
        if work:
            citation.append(work)
        review: dict[str, Any] = {
            "@context": CONTEXT,
            "@type": "ClaimReview",
            "identifier": e["evidence_id"],
            "url": f"{site}{claim_path(claim['claim_id'])}#{evidence_anchor(e['evidence_id'])}",
            "claimReviewed": claim["claim"],
            "itemReviewed": item,
            "reviewRating": {"@type": "Rating", "alternateName": verdict_words(e["verdict"])},
            "reviewBody": e["explanation"],
            "citation": citation,
            "author": {"@type": "Organization", "name": reviewer},
        }
        if published:
            review["datePublished"] = published
        out[claim["claim_id"]].append(review)
    return out


def script_json(value: Any) -> str:
    """JSON for a <script> element: `<`, `>` and `&` escaped (as \\u003c ...), so that no text in
    the data can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def read_rows(package: Package) -> dict[str, list[Row]]:
    """The typed rows of the resources the reviews need (the votes are never read into Python)."""
    from toolkit.db import typed_db
    from toolkit.db.sql import q

    con = typed_db.connect(package)  # reads the package's data files only (db/sandbox)
    try:
        typed_db.build(con, package)
        out = {}
        for name in RESOURCES:
            if name not in package.resources:
                continue
            cur = con.execute(f"SELECT * FROM {q(name)}")
            cols = [d[0] for d in cur.description]
            out[name] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        return out
    finally:
        con.close()


def export_claimreview(package: Package, out: Path, site: str = "") -> list[Path]:
    """Every ClaimReview as one JSON-LD document ({"@context", "@graph": [...]}) in `out`."""
    if "claims" not in package.resources or "claim_evidence" not in package.resources:
        raise UsageError("the package records no claims (no claims and claim_evidence resources)")
    if site and not site.endswith("/"):
        site += "/"
    rows = read_rows(package)
    reviews = claim_reviews(rows, reviewers(package), release_day(package), site)
    graph = []
    for claim_reviews_ in reviews.values():
        for r in claim_reviews_:
            graph.append({k: v for k, v in r.items() if k != "@context"})
    doc = {"@context": CONTEXT, "@graph": graph}
    target = out / f"{package.descriptor.get('name', 'package')}-claimreview.json"
    write_atomic(target, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return [target]
