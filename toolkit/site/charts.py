"""The site's two charts as Vega-Lite specifications, written with Altair.

Each mark carries a `description` (its ARIA label in the drawn SVG), so that a screen reader, and
the browser tests, read what the mark shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from toolkit.site.data import SiteData, href, when

# yes / no / abstain / did not vote: the Okabe-Ito palette (distinguishable with the common kinds
# of colour blindness), and every cell also says its vote in words.
VOTES = ("yes", "no", "abstain", "non_voting")
VOTE_WORDS = {"yes": "yes", "no": "no", "abstain": "abstain", "non_voting": "did not vote"}
VOTE_FILL = ("#0072B2", "#D55E00", "#F0E442", "#DDDDDD")
VOTE_TEXT = ("#FFFFFF", "#FFFFFF", "#000000", "#000000")

KINDS = ("meeting", "statement", "exercise")
KIND_COLOURS = ("#0072B2", "#D55E00", "#009E73")
ALL = "(all)"
RANGES = ("exact span", "somewhere within")


ROWS = "rows"  # the name the charts give their data until with_rows puts the rows in


def with_rows(spec: Any, rows: list[dict[str, Any]]) -> Any:
    """`spec` with its data named ROWS replaced by the rows themselves. Altair checks and converts
    every value handed to it one by one (minutes for a few thousand votes); the rows are plain JSON
    already, so the chart is made without them and they are put in afterwards."""
    if isinstance(spec, dict):
        if spec.get("data") == {"name": ROWS}:
            spec = {**spec, "data": {"values": rows}}
        return {k: v if k == "data" else with_rows(v, rows) for k, v in spec.items()}
    if isinstance(spec, list):
        return [with_rows(v, rows) for v in spec]
    return spec


def _range_legend():
    """The one 'Date range' legend that the fill and the outline of a range share."""
    import altair as alt

    return alt.Legend(
        title="Date range",
        orient="top",
        symbolType="square",
        symbolFillColor="#777777",
        symbolStrokeColor="#000000",
        symbolSize=220,
    )


def _state_order(data: SiteData, states: set[str]) -> list[str]:
    """CSTO members first, then the other states, each group by name."""
    members = data.csto_members()
    return sorted(states, key=lambda s: (s not in members, data.name(s)))


def vote_matrix_rows(data: SiteData) -> list[dict[str, Any]]:
    """One row per recorded vote, with the labels and link the matrix shows."""
    members = data.csto_members()
    resolutions = {r["resolution_id"]: r for r in data.rows.get("un_resolutions", [])}
    rows = []
    for v in data.rows.get("un_votes", []):
        res = resolutions[v["resolution_id"]]
        state = v["country_iso3"]
        label = f"{data.name(state)}{' (CSTO)' if state in members else ''}"
        rows.append(
            {
                "state": state,
                "state_label": label,
                "resolution": v["resolution_id"],
                "resolution_label": f"{v['resolution_id']} ({res['date'].isoformat()})",
                "date": res["date"].isoformat(),
                "vote": v["vote"],
                "vote_words": VOTE_WORDS[v["vote"]],
                "href": f"{href('un_resolutions', v['resolution_id'])}#vote-{state}",
                "aria": f"vote: {v['resolution_id']}, {state}: {v['vote']}",
            }
        )
    rows.sort(key=lambda r: (r["state"] not in members, data.name(r["state"]), r["date"]))
    return rows


def vote_matrix_spec(data: SiteData, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The vote matrix of `rows` (default: vote_matrix_rows of `data`)."""
    import altair as alt

    rows = vote_matrix_rows(data) if rows is None else rows
    states = [data.name(s) for s in _state_order(data, {r["state"] for r in rows})]
    labels = {r["state"]: r["state_label"] for r in rows}
    state_sort = [labels[s] for s in _state_order(data, {r["state"] for r in rows})]
    res_sort = [
        f"{r['resolution_id']} ({r['date'].isoformat()})"
        for r in sorted(
            data.rows.get("un_resolutions", []), key=lambda r: (r["date"], r["resolution_id"])
        )
    ]
    base = alt.Chart(alt.Data(name=ROWS)).encode(
        x=alt.X(
            "resolution_label:N",
            sort=res_sort,
            title="Resolution (date of the vote)",
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=220),
        ),
        y=alt.Y("state_label:N", sort=state_sort, title=None, axis=alt.Axis(labelLimit=260)),
        href="href:N",
        description="aria:N",
        tooltip=[
            alt.Tooltip("state_label:N", title="state"),
            alt.Tooltip("resolution:N", title="resolution"),
            alt.Tooltip("date:N", title="date"),
            alt.Tooltip("vote_words:N", title="vote"),
        ],
    )
    cells = base.mark_rect(stroke="#FFFFFF", strokeWidth=2, cursor="pointer").encode(
        color=alt.Color(
            "vote:N",
            scale=alt.Scale(domain=list(VOTES), range=list(VOTE_FILL)),
            legend=alt.Legend(
                title="Vote",
                orient="bottom",
                symbolType="square",
                symbolStrokeColor="#555555",
                labelExpr="datum.label == 'non_voting' ? 'did not vote' : datum.label",
            ),
        )
    )
    words = base.mark_text(fontSize=13, fontWeight="bold", cursor="pointer").encode(
        text="vote_words:N",
        color=alt.Color(
            "vote:N", scale=alt.Scale(domain=list(VOTES), range=list(VOTE_TEXT)), legend=None
        ),
    )
    chart = (
        alt.layer(cells, words)
        .resolve_scale(color="independent")
        .properties(width=max(160, 150 * len(res_sort)), height=max(60, 28 * len(states)))
    )
    return with_rows(chart.to_dict(), rows)


def _known_dates(rows: list[dict[str, Any]]) -> list[dt.date]:
    return [r[k] for r in rows for k in ("date_start", "date_end") if r.get(k) is not None]


def timeline_rows(data: SiteData) -> list[dict[str, Any]]:
    """Meetings, statements and exercises with a drawable date, in date order.

    An open bound is drawn to the edge of the chart (marked open); a row with neither bound
    (precision `unknown`) is not drawn: the page lists it instead.
    """
    items: list[tuple[Any, ...]] = []
    for m in data.rows.get("meetings", []):
        actors = [
            p["actor_id"] for p in data.where("meeting_participants", meeting_id=m["meeting_id"])
        ]
        items.append(("meeting", m, m["meeting_id"], m["name"], actors, []))
    for s in data.rows.get("statements", []):
        label = f"{data.name(s['speaker_id'])}: {s['summary']}"
        items.append(
            (
                "statement",
                s,
                s["statement_id"],
                label,
                [s["speaker_id"]],
                (s["topics"] or "").split(";"),
            )
        )
    for e in data.rows.get("military_exercises", []):
        items.append(("exercise", e, e["exercise_id"], e["name"], [e["conducting_actor_id"]], []))
    dates = _known_dates([i[1] for i in items])
    if not dates:
        return []
    lo, hi = min(dates) - dt.timedelta(days=7), max(dates) + dt.timedelta(days=7)
    resource = {"meeting": "meetings", "statement": "statements", "exercise": "military_exercises"}
    rows = []
    for kind, row, key, label, actors, topics in items:
        start, end = row.get("date_start"), row.get("date_end")
        if start is None and end is None:
            continue
        precision = row["date_precision"]
        exact = precision == "day"
        short = label if len(label) <= 70 else label[:69] + "…"
        rows.append(
            {
                "id": key,
                "kind": kind,
                "label": f"{short} [{key}]",
                "precision": precision,
                "when": when(row),
                "drawn": "day"
                if exact
                else ("exact span" if precision == "span" else "somewhere within"),
                "start": (start or lo).isoformat(),
                "end": (end or hi).isoformat(),
                "open_start": start is None,
                "open_end": end is None,
                "sort": (start or end).isoformat(),
                "actors": "|" + "|".join(actors) + "|",
                "topics": "|" + "|".join(topics) + "|",
                "href": href(resource[kind], key),
                "aria": f"{kind} {key}: {when(row)}",
            }
        )
    rows.sort(key=lambda r: (r["sort"], r["end"], r["kind"], r["id"]))
    return rows


def timeline_spec(data: SiteData, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The timeline of `rows` (default: every row of timeline_rows)."""
    import altair as alt

    rows = timeline_rows(data) if rows is None else rows
    actor_ids = sorted(
        {a for r in rows for a in r["actors"].strip("|").split("|") if a}, key=data.name
    )
    topics = sorted({t for r in rows for t in r["topics"].strip("|").split("|") if t})
    actor = alt.param(
        name="actor",
        value=ALL,
        bind=alt.binding_select(
            options=[ALL, *actor_ids],
            labels=[ALL, *(data.name(a) for a in actor_ids)],
            name="Actor ",
        ),
    )
    topic = alt.param(
        name="topic",
        value=ALL,
        bind=alt.binding_select(options=[ALL, *topics], name="Topic (statements) "),
    )
    keep = (
        f"(actor == '{ALL}' || indexof(datum.actors, '|' + actor + '|') >= 0) && "
        f"(topic == '{ALL}' || indexof(datum.topics, '|' + topic + '|') >= 0)"
    )
    order = [r["label"] for r in rows]
    kind_colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=list(KINDS), range=list(KIND_COLOURS)),
        legend=alt.Legend(title="What", orient="top"),
    )
    base = (
        alt.Chart(alt.Data(name=ROWS))
        .transform_filter(keep)
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=420)),
            color=kind_colour,
            href="href:N",
            description="aria:N",
            tooltip=[
                alt.Tooltip("kind:N"),
                alt.Tooltip("id:N"),
                alt.Tooltip("when:N", title="date"),
            ],
        )
    )
    x = alt.X("start:T", title="Date", axis=alt.Axis(format="%Y-%m-%d", orient="top"))
    ranges = (
        base.transform_filter("datum.precision != 'day'")
        .mark_bar(height=12, strokeWidth=1.5, strokeOpacity=1, cursor="pointer")
        .encode(
            x=x,
            x2="end:T",
            # One legend (Vega-Lite merges the two encodings of `drawn`): fill and outline.
            fillOpacity=alt.FillOpacity(
                "drawn:N",
                scale=alt.Scale(domain=list(RANGES), range=[0.9, 0.25]),
                legend=_range_legend(),
            ),
            strokeDash=alt.StrokeDash(
                "drawn:N",
                scale=alt.Scale(domain=list(RANGES), range=[[1, 0], [4, 3]]),
                legend=_range_legend(),
            ),
            stroke=alt.Color(
                "kind:N", scale=alt.Scale(domain=list(KINDS), range=list(KIND_COLOURS)), legend=None
            ),
        )
    )
    days = (
        base.transform_filter("datum.precision == 'day'")
        .mark_point(filled=True, size=90, shape="diamond", opacity=1, cursor="pointer")
        .encode(x=x)
    )
    open_end = (
        base.transform_filter("datum.open_end")
        .mark_point(filled=True, size=120, shape="triangle-right", opacity=1, aria=False)
        .encode(x=alt.X("end:T"))
    )
    open_start = (
        base.transform_filter("datum.open_start")
        .mark_point(filled=True, size=120, shape="triangle-left", opacity=1, aria=False)
        .encode(x=alt.X("start:T"))
    )
    chart = (
        alt.layer(ranges, days, open_end, open_start)
        .add_params(actor, topic)
        .properties(width=760, height=max(80, 22 * len(rows)))
    )
    return with_rows(chart.to_dict(), rows)
