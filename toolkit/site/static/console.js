// The SQL console: sql.js (SQLite in WebAssembly) over the site's copy of the SQLite export.
// The database and the .wasm come as base64 in JavaScript files (a page opened from disk may not
// fetch files), so nothing is requested from anywhere. #console's data-state says where it is:
// "loading", "ready", "running", "done" (a result is shown) or "error" (the message is shown).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("console-config").textContent);
  var box = document.getElementById("console");
  var form = document.getElementById("query-form");
  var sqlBox = document.getElementById("sql");
  var paramsBox = document.getElementById("params");
  var runButton = document.getElementById("run");
  var statusLine = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var summary = document.getElementById("summary");
  var evidenceNote = document.getElementById("evidence");
  var downloadButton = document.getElementById("download");
  var table = document.getElementById("result");
  var SHOWN = 1000; // rows drawn in the table; the CSV holds them all
  var db = null;
  var last = null; // {name, columns, rows}: the last result, also window.consoleResult
  var current = null; // the saved query whose text is in the box, until the text is edited
  var byName = {};
  config.queries.forEach(function (q) { byName[q.name] = q; });

  function bytes(b64) {
    var text = atob(b64);
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  function setState(state, message) {
    box.dataset.state = state;
    statusLine.textContent = message || "";
  }

  function showError(message) {
    errorBox.hidden = false;
    errorBox.textContent = message;
    setState("error", "");
  }

  // --- parameters: a field for each $name in the SQL (outside quotes and comments) ------------
  function paramNames(sql) {
    var code = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, " ");
    var names = [];
    var re = /\$([A-Za-z_][A-Za-z0-9_]*)/g;
    var m;
    while ((m = re.exec(code)) !== null) {
      if (names.indexOf(m[1]) < 0) names.push(m[1]);
    }
    return names;
  }

  function drawParams(defaults) {
    var old = {};
    paramsBox.querySelectorAll("input").forEach(function (i) { old[i.name] = i.value; });
    paramsBox.textContent = "";
    paramNames(sqlBox.value).forEach(function (name) {
      var label = document.createElement("label");
      label.className = "param";
      label.appendChild(document.createTextNode("$" + name + " "));
      var input = document.createElement("input");
      input.name = name;
      input.id = "param-" + name;
      var given = defaults && name in defaults ? defaults[name] : old[name];
      input.value = given === undefined ? "" : given;
      label.appendChild(input);
      if (current && name in current.params) {
        var hint = document.createElement("span");
        hint.className = "meaning";
        hint.textContent = " default: " + current.params[name];
        label.appendChild(hint);
      }
      paramsBox.appendChild(label);
    });
  }

  function choose(name) {
    var q = byName[name];
    current = q;
    sqlBox.value = q.sql;
    drawParams(q.params);
    document.querySelectorAll("button.saved").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.query === name ? "true" : "false");
    });
  }

  // --- running ---------------------------------------------------------------------------------
  function run() {
    if (!db) return;
    errorBox.hidden = true;
    errorBox.textContent = "";
    var sql = sqlBox.value;
    var bound = {};
    paramsBox.querySelectorAll("input").forEach(function (i) { bound["$" + i.name] = i.value; });
    setState("running", "Running…");
    var started = performance.now();
    var stmt = null;
    try {
      stmt = db.prepare(sql);
      if (Object.keys(bound).length) stmt.bind(bound);
      var columns = stmt.getColumnNames();
      var rows = [];
      while (stmt.step()) rows.push(stmt.get());
      stmt.free();
      stmt = null;
      if (!columns.length) throw new Error("the statement returns no table: the console runs queries (SELECT ...)");
      last = { name: current ? current.name : null, columns: columns, rows: rows };
      window.consoleResult = last;
      draw(columns, rows);
      evidence(columns, rows);
      var ms = Math.round(performance.now() - started);
      setState("done", rows.length + " row" + (rows.length === 1 ? "" : "s") + " in " + ms + " ms");
    } catch (err) {
      if (stmt) stmt.free();
      last = null;
      window.consoleResult = null;
      table.textContent = "";
      summary.textContent = "";
      evidenceNote.textContent = "";
      downloadButton.disabled = true;
      showError("SQLite says: " + (err && err.message ? err.message : String(err)));
    }
  }

  function cellText(v) {
    if (v === null || v === undefined) return "";
    if (v instanceof Uint8Array) return "(" + v.length + " bytes)";
    return String(v);
  }

  function link(column, value) {
    var resource = config.links[column];
    if (!resource || value === null || value === undefined) return null;
    var addresses = config.addresses[resource] || {};
    return addresses[String(value)] || null;
  }

  function draw(columns, rows) {
    table.textContent = "";
    var head = table.createTHead().insertRow();
    columns.forEach(function (c) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.slice(0, SHOWN).forEach(function (r) {
      var tr = body.insertRow();
      r.forEach(function (v, i) {
        var td = tr.insertCell();
        var text = cellText(v);
        var href = link(columns[i], v);
        if (href) {
          var a = document.createElement("a");
          a.href = href;
          a.textContent = text;
          td.appendChild(a);
        } else {
          td.textContent = text;
        }
        if (v === null) td.className = "null";
      });
    });
    summary.textContent = rows.length > SHOWN
      ? "Showing the first " + SHOWN + " of " + rows.length + " rows; the CSV holds them all."
      : rows.length + " row" + (rows.length === 1 ? "" : "s") + ".";
    downloadButton.disabled = false;
  }

  // --- evidence: the distinct sources and excerpts the rows named by a result rest on ----------
  function evidence(columns, rows) {
    var sources = new Set();
    var excerpts = new Set();
    var tables = [];
    config.evidence.forEach(function (ev) {
      var at = ev.keys.map(function (k) { return columns.indexOf(k); });
      if (at.some(function (i) { return i < 0; })) return;
      var keys = new Map();
      rows.forEach(function (r) {
        var key = at.map(function (i) { return r[i]; });
        if (key.some(function (v) { return v === null; })) return;
        keys.set(JSON.stringify(key), key);
      });
      if (!keys.size) return;
      tables.push(ev.table);
      var cols = [];
      ev.sources.forEach(function (pair) { cols.push(pair[0]); if (pair[1]) cols.push(pair[1]); });
      var quote = function (n) { return '"' + n.replace(/"/g, '""') + '"'; };
      var all = Array.from(keys.values());
      for (var start = 0; start < all.length; start += 200) {
        var chunk = all.slice(start, start + 200);
        var tuple = "(" + ev.keys.map(function () { return "?"; }).join(", ") + ")";
        var sql = "SELECT " + cols.map(quote).join(", ") + " FROM " + quote(ev.table) +
          " WHERE (" + ev.keys.map(quote).join(", ") + ") IN (VALUES " +
          chunk.map(function () { return tuple; }).join(", ") + ")";
        var stmt = db.prepare(sql);
        stmt.bind([].concat.apply([], chunk));
        while (stmt.step()) {
          var got = stmt.getAsObject();
          ev.sources.forEach(function (pair) {
            var source = got[pair[0]];
            if (source === null || source === undefined) return;
            sources.add(source);
            if (pair[1] && got[pair[1]]) excerpts.add(source + "\u0000" + got[pair[1]]);
          });
        }
        stmt.free();
      }
    });
    var sourceColumns = columns
      .map(function (c, i) { return config.links[c] === "sources" ? i : -1; })
      .filter(function (i) { return i >= 0; });
    sourceColumns.forEach(function (i) {
      rows.forEach(function (r) { if (r[i] !== null) sources.add(r[i]); });
    });
    if (!tables.length && !sourceColumns.length) {
      evidenceNote.textContent = "Evidence: the result names no row that cites a source (no key " +
        "column such as statement_id, resolution_id with country_iso3, claim_id or evidence_id), " +
        "so the sources it rests on are not counted here.";
      evidenceNote.dataset.sources = "";
      evidenceNote.dataset.excerpts = "";
      return;
    }
    var from = tables.length ? " cited by the rows of " + tables.join(", ") + " that it names" : "";
    evidenceNote.textContent = "Evidence: this result rests on " + sources.size + " distinct source" +
      (sources.size === 1 ? "" : "s") + " and " + excerpts.size + " distinct excerpt" +
      (excerpts.size === 1 ? "" : "s") + from + "; the key columns link to the pages that show them.";
    evidenceNote.dataset.sources = String(sources.size);
    evidenceNote.dataset.excerpts = String(excerpts.size);
  }

  // --- CSV, as `csto-alignment query --format csv` writes it -----------------------------------
  function csvCell(v) {
    var text = cellText(v);
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  downloadButton.addEventListener("click", function () {
    if (!last) return;
    var lines = [last.columns.map(csvCell).join(",")];
    last.rows.forEach(function (r) { lines.push(r.map(csvCell).join(",")); });
    var blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (last.name || "query") + ".csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  });

  // --- wiring ----------------------------------------------------------------------------------
  document.querySelectorAll("button.saved").forEach(function (b) {
    b.addEventListener("click", function () { choose(b.dataset.query); run(); });
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  sqlBox.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  sqlBox.addEventListener("input", function () {
    if (current && sqlBox.value !== current.sql) current = null;
    drawParams(null);
  });
  drawParams(null);

  window.consoleRun = function (name, params) {
    // For tests and links: run a saved query (with the given parameter values) as a click would.
    choose(name);
    Object.keys(params || {}).forEach(function (p) {
      var input = document.getElementById("param-" + p);
      if (input) input.value = params[p];
    });
    run();
    return window.consoleResult;
  };

  try {
    if (typeof initSqlJs !== "function") throw new Error("sql.js did not load (assets/vendor/sql-wasm.js)");
    initSqlJs({ wasmBinary: bytes(window.SQL_WASM_BASE64) })
      .then(function (SQL) {
        db = new SQL.Database(bytes(window.CSTO_DB_BASE64));
        db.run("PRAGMA query_only = ON"); // the page's copy stays as published
        runButton.disabled = false;
        setState("ready", "Ready: choose a saved query or write your own.");
        var wanted = decodeURIComponent((location.hash || "").replace(/^#/, ""));
        if (byName[wanted] && byName[wanted].portable) { choose(wanted); run(); }
      })
      .catch(function (err) { showError("SQLite could not start: " + (err && err.message ? err.message : err)); });
  } catch (err) {
    showError("SQLite could not start: " + err.message);
  }
})();
