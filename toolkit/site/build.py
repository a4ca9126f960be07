"""Build the static site: every page rendered by Jinja2 from the typed rows, charts by Vega-Lite.

The site works from its folder (file://) and on any static host: links are relative, and the
charts' JavaScript is copied in (vendor/README.md says from where), so no page loads anything from
the network.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.package.tableschema import Package
from toolkit.site.data import (
    ANCHORS,
    PAGES,
    Row,
    SiteData,
    anchor,
    href,
    key_slug,
    read_site_data,
    safe_descriptor,
    slug,
    when,
)
from toolkit.site.version import released, version_label

HERE = Path(__file__).parent
MATRIX_COLUMNS = 40  # resolutions per vote-matrix page: 193 states x 40 votes is a page of ~1 MB
TIMELINE_DRAWN = 1000  # items the timeline's chart draws (Vega fails from about 3,000)
TITLE_FIELDS = {
    "meetings": "name",
    "statements": "summary",
    "military_exercises": "name",
    "un_resolutions": "title",
}
KIND = {
    "meetings": "Meeting",
    "statements": "Statement",
    "military_exercises": "Military exercise",
    "un_resolutions": "UN resolution",
}


class SiteDependencyError(Exception):
    """The optional `site` extra (Altair, Jinja2) is not installed."""


@dataclass
class SiteResult:
    out: Path
    pages: list[Path] = field(default_factory=list)


def check_dependencies() -> None:
    """Raise SiteDependencyError unless the 'site' extra (Altair, Jinja2) is installed."""
    try:
        import altair  # noqa: F401
        import jinja2  # noqa: F401
    except ImportError as exc:
        raise SiteDependencyError(
            f"building the site needs the 'site' extra ({exc.name} is missing): "
            "pip install -c constraints.txt -e '.[site]'"
        ) from None


def _environment():
    check_dependencies()
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        # An empty value is shown as nothing, never as Python's `None` (a template that has
        # something to say about it says it: "publication date not recorded").
        finalize=lambda value: "" if value is None else value,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["slug"] = slug
    env.globals.update(href=href, anchor=anchor, when=when)
    return env


def _citation(package: Package) -> dict[str, str]:
    """Title, version and year to cite, from CITATION.cff when the package has one."""
    info = {
        "authors": "csto-alignment contributors",
        "title": package.descriptor.get("title", package.descriptor.get("name", "")),
        "version": package.version,
        "year": str(package.descriptor.get("created", ""))[:4],
    }
    cff = package.root / "CITATION.cff"
    if cff.exists():
        import yaml

        meta = yaml.safe_load(cff.read_text(encoding="utf-8")) or {}
        info["title"] = meta.get("title", info["title"])
        info["year"] = str(meta.get("date-released", info["year"]))[:4]
        authors = [a.get("name") or a.get("family-names", "") for a in meta.get("authors", [])]
        if authors:
            info["authors"] = "; ".join(authors)
    return info


# Characters that could end or change a <script> element (`</script>`, `<!--`, `]]>`), or end a
# line of JavaScript, written as JSON escapes: the JSON means the same, and no label can break out.
_SCRIPT_ESCAPES = (
    ("&", "\\u0026"),
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def _spec_json(spec: Any) -> str:
    """JSON that is safe inside a <script> element: <, > and & escaped (they occur only inside
    strings, where the escapes mean the same)."""
    text = json.dumps(spec, ensure_ascii=False)
    for char, escape in _SCRIPT_ESCAPES:  # str.replace: far faster than str.translate
        text = text.replace(char, escape)
    return text


class _Builder:
    def __init__(self, package: Package, data: SiteData, out: Path) -> None:
        from toolkit.site.data import value_sources

        self.package, self.data, self.out = package, data, out
        self.env = _environment()
        self.pages: list[Path] = []
        self.value_sources = value_sources(data)  # once, not per statement page
        self.common = {
            "package": safe_descriptor(package.descriptor),
            "version": version_label(package),  # "+ unreleased changes" past the release
            "released": released(package),
            "has_claims": data.has("claims") and data.has("claim_evidence"),
            "citation": _citation(package),
        }

    def render(self, path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        html = self.env.get_template(template).render(
            **self.common, root=root, page=path, **context
        )
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages.append(target)

    def fields(self, resource: str, row: Row, root: str) -> list[dict[str, Any]]:
        """Every field of a row with its value, description and (for a reference) its link."""
        res = self.package.resource(resource)
        refs = {fk.fields[0]: fk.resource for fk in res.foreign_keys if len(fk.fields) == 1}
        out = []
        for f in res.fields:
            value = row.get(f.name)
            target = refs.get(f.name)
            link = href(target, value, root) if target and self.data.has(target) else None
            label = None
            if target == "actors" and value is not None:
                label = f"{self.data.name(value)} ({value})"
            out.append(
                {
                    "name": f.name,
                    "value": value,
                    "type": f.type,
                    "description": f.description,
                    "link": link,
                    "label": label,
                }
            )
        return out

    def claims_for(
        self, statements: Sequence[str] = (), resolution: str | None = None
    ) -> list[Row]:
        """Claims about the given statements, or judged by the given resolution's votes, each
        with its evidence."""
        if not self.common["has_claims"]:
            return []
        d = self.data
        ids = [c["claim_id"] for s in statements for c in d.where("claims", statement_id=s)]
        if len(statements) > 1:  # in the claims' own order, as one scan would list them
            order = {c["claim_id"]: i for i, c in enumerate(d.rows["claims"])}
            ids.sort(key=order.__getitem__)
        if resolution is not None:
            ids += [e["claim_id"] for e in d.where("claim_evidence", resolution_id=resolution)]
        return [self.claim(cid) for cid in dict.fromkeys(ids)]

    def claim(self, claim_id: str) -> Row:
        c = dict(self.data.get("claims", claim_id) or {})
        c["evidence"] = self.data.where("claim_evidence", claim_id=claim_id)
        c["source"] = self.data.get("sources", c.get("source_id"))
        c["claimant_name"] = self.data.name(c.get("claimant_id"))
        for e in c["evidence"]:
            e["source"] = self.data.get("sources", e["source_id"])
        return c

    def record_pages(self) -> None:
        for resource, folder in PAGES.items():
            if not self.data.has(resource):
                continue
            (pk,) = self.package.resource(resource).primary_key
            for row in self.data.rows[resource]:
                key = row[pk]
                path = f"{folder}/{key_slug(resource, key)}.html"
                self.render(
                    path,
                    "record.html",
                    resource=resource,
                    kind=KIND[resource],
                    key=key,
                    title=row[TITLE_FIELDS[resource]],
                    row=row,
                    fields=self.fields(resource, row, "../"),
                    source=self.data.get("sources", row.get("source_id")),
                    **self.related(resource, row),
                )
            self.render(
                f"{folder}.html",
                "list.html",
                resource=resource,
                kind=KIND[resource],
                pk=pk,
                title_field=TITLE_FIELDS[resource],
                rows=self.data.rows[resource],
            )

    def related(self, resource: str, row: Row) -> dict[str, Any]:
        d = self.data
        out: dict[str, Any] = {
            "participants": [],
            "made_at": [],
            "triggered": [],
            "responses": [],
            "votes": [],
            "claims": [],
            "value_sources": {},
        }
        if resource == "meetings":
            mid = row["meeting_id"]
            out["participants"] = d.where("meeting_participants", meeting_id=mid)
            out["made_at"] = d.where("statements", meeting_id=mid)
            out["triggered"] = d.where("military_exercises", triggered_by_meeting_id=mid)
            out["claims"] = self.claims_for([s["statement_id"] for s in out["made_at"]])
        elif resource == "statements":
            out["responses"] = d.where("statements", in_response_to=row["statement_id"])
            out["value_sources"] = self.value_sources.get(row["statement_id"], {})
            out["claims"] = self.claims_for([row["statement_id"]])
        elif resource == "un_resolutions":
            votes = d.where("un_votes", resolution_id=row["resolution_id"])
            members = d.csto_members()
            votes.sort(key=lambda v: (v["country_iso3"] not in members, d.name(v["country_iso3"])))
            for v in votes:
                v["source"] = d.get("sources", v["source_id"])
                v["state_name"] = d.name(v["country_iso3"])
            out["votes"] = votes
            out["claims"] = self.claims_for(resolution=row["resolution_id"])
        return out

    def chart_pages(self) -> None:
        self.vote_matrix_pages()
        self.timeline_page()

    def vote_matrix_pages(self) -> None:
        """The vote matrix, MATRIX_COLUMNS resolutions a page in the order of their votes: a page
        stays small and its chart drawable however many votes the package records."""
        from toolkit.site.charts import vote_matrix_rows, vote_matrix_spec

        d = self.data
        resolutions = sorted(
            d.rows.get("un_resolutions", []), key=lambda r: (r["date"], r["resolution_id"])
        )
        chunks = [
            resolutions[i : i + MATRIX_COLUMNS] for i in range(0, len(resolutions), MATRIX_COLUMNS)
        ] or [[]]
        files = ["vote-matrix.html"] + [f"vote-matrix-{n}.html" for n in range(2, len(chunks) + 1)]
        pages = [
            (f, f"{c[0]['date']} to {c[-1]['date']}" if c else "")
            for f, c in zip(files, chunks, strict=True)
        ]
        for n, chunk in enumerate(chunks):
            votes = [
                v for r in chunk for v in d.where("un_votes", resolution_id=r["resolution_id"])
            ]
            part = SiteData(self.package, {**d.rows, "un_resolutions": chunk, "un_votes": votes})
            rows = vote_matrix_rows(part)
            table: dict[str, dict[str, Row]] = {}
            for v in rows:
                table.setdefault(v["state_label"], {})[v["resolution"]] = v
            self.render(
                files[n],
                "vote_matrix.html",
                spec=_spec_json(vote_matrix_spec(part, rows)),
                table=list(table.items()),
                resolutions=chunk,
                matrix_pages=pages,
                matrix_page=n,
            )

    def timeline_page(self) -> None:
        """The timeline: the chart draws the TIMELINE_DRAWN latest items (more do not draw in a
        browser) and says so; the table below it lists every item."""
        from toolkit.site.charts import timeline_rows, timeline_spec

        drawn = timeline_rows(self.data)
        drawn_ids = {r["id"] for r in drawn}
        undated = [
            (kind, resource, r[self.package.resource(resource).primary_key[0]])
            for resource, kind in (
                ("meetings", "meeting"),
                ("statements", "statement"),
                ("military_exercises", "exercise"),
            )
            for r in self.data.rows.get(resource, [])
            if r[self.package.resource(resource).primary_key[0]] not in drawn_ids
        ]
        charted = drawn[-TIMELINE_DRAWN:]
        self.render(
            "timeline.html",
            "timeline.html",
            spec=_spec_json(timeline_spec(self.data, charted)),
            items=drawn,
            undated=undated,
            charted=len(charted),
            left_out=len(drawn) - len(charted),
        )

    def list_pages(self) -> None:
        d = self.data
        self.render("sources.html", "sources.html", rows=d.rows.get("sources", []))
        self.render("actors.html", "actors.html", rows=d.rows.get("actors", []))
        if self.common["has_claims"]:
            claims = [self.claim(c["claim_id"]) for c in d.rows["claims"]]
            self.render("claims.html", "claims.html", claims=claims)
        from toolkit.docgen.codebook import ids_in_use

        self.render(
            "codebook.html",
            "codebook.html",
            resources=list(self.package.resources.values()),
            ids=ids_in_use(self.package, d.rows),
        )
        self.render("licence.html", "licence.html")
        self.render("cite.html", "cite.html")
        counts = {name: len(rows) for name, rows in d.rows.items()}
        self.render("index.html", "index.html", counts=counts)

    def claim_pages(self) -> None:
        """A page per claim with its evidence, each piece of evidence also embedded as a schema.org
        ClaimReview (toolkit.site.claimreview)."""
        if not self.common["has_claims"]:
            return
        from toolkit.site.claimreview import (
            claim_path,
            claim_reviews,
            release_day,
            reviewers,
            script_json,
        )

        reviews = claim_reviews(
            self.data.rows, reviewers(self.package), release_day(self.package), "../"
        )
        for c in self.data.rows["claims"]:
            cid = c["claim_id"]
            self.render(
                claim_path(cid),
                "claim.html",
                claim=self.claim(cid),
                reviews=[script_json(r) for r in reviews[cid]],
            )

    def console_page(self) -> None:
        """The SQL console (toolkit.site.console): the saved queries and your own SQL, run in the
        page by SQLite in WebAssembly over the site's copy of the SQLite export."""
        from toolkit.site.claimreview import script_json
        from toolkit.site.console import console_config, write_console_assets

        sizes = write_console_assets(self.package, self.out)
        config = console_config(self.package, self.data)
        self.render(
            "console.html",
            "console.html",
            queries=config["queries"],
            config=script_json(config),
            sizes=sizes,
            kib=lambda n: f"{n / 1024:,.0f} KiB" if n < 1024 * 1024 else f"{n / 1048576:,.1f} MiB",
        )

    def assets(self) -> None:
        assets = self.out / "assets"
        shutil.copytree(HERE / "static", assets)
        # The .wasm travels as base64 JavaScript (console.py), which a page opened from disk can load.
        shutil.copytree(
            HERE / "vendor", assets / "vendor", ignore=shutil.ignore_patterns("*.md", "*.wasm")
        )


def build_site(package: Package, out: Path) -> SiteResult:
    """Write the site into `out` (replaced whole): built beside it, then moved into place, so a
    failure leaves the previous site as it was. `out` may not be the package's folder, one of its
    folders or above it, nor a folder of other files (store/outdir: OutputFolderError)."""
    from toolkit.store.outdir import build_folder, check_output_folder, package_paths

    out = check_output_folder(Path(out), package.root, package_paths(package))
    data = read_site_data(package)

    def build(staging: Path) -> list[str]:
        builder = _Builder(package, data, staging)
        builder.assets()
        builder.record_pages()
        builder.chart_pages()
        builder.list_pages()
        builder.claim_pages()
        builder.console_page()
        return [str(p.relative_to(staging)) for p in builder.pages]

    pages = build_folder(out, "site", build)
    return SiteResult(out=out, pages=[out / p for p in pages])


__all__ = ["ANCHORS", "SiteDependencyError", "SiteResult", "build_site"]
