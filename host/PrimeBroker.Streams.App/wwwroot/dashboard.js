// PrimeBroker.Streams dashboard: polls GET /api/dashboard/cluster once a second (every instance's state, one merged
// history, so the page is the same whichever instance serves it) and the book-wide panels every few seconds (ledger,
// settlement ladder, exposures, instruments, alerts, dead letters, gaps); re-drives dead letters and resolves gaps
// through the API's write endpoints. Plain DOM and SVG, no build step and no third-party script.
(function () {
  "use strict";

  const POLL_MS = 1000;
  // GET /gaps asks every instance, so it is polled less often than this instance's own figures.
  const GAPS_POLL_MS = 5000;
  // The book-wide panels ask every instance (ledger, ladder, exposures) or read a topic (alerts, dead letters).
  const BOOK_POLL_MS = 5000;
  const SLOW_POLL_MS = 10000;
  const WINDOW_MINUTES = 5;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const CHART = { width: 640, height: 200, left: 52, right: 10, top: 10, bottom: 24 };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function number(value, digits) {
    if (value === null || value === undefined || Number.isNaN(value)) return "–";
    return Number(value).toLocaleString("en-US", { maximumFractionDigits: digits ?? 0 });
  }

  // Axis labels: 1.5K, 50K, 2M, so they fit the margin.
  function compact(value) {
    return Number(value).toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 1 });
  }

  // Partitions of each topic as ranges: "trade-events 0-4, 9".
  function partitionRanges(partitions) {
    const byTopic = new Map();
    for (const p of partitions) {
      if (!byTopic.has(p.topic)) byTopic.set(p.topic, []);
      byTopic.get(p.topic).push(p.partition);
    }
    const parts = [];
    for (const [topic, numbers] of byTopic) {
      numbers.sort((a, b) => a - b);
      const ranges = [];
      for (let i = 0; i < numbers.length; i++) {
        let j = i;
        while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
        ranges.push(j > i ? `${numbers[i]}-${numbers[j]}` : `${numbers[i]}`);
        i = j;
      }
      parts.push(`${topic} ${ranges.join(", ")}`);
    }
    return parts.join("; ");
  }

  // A decimal from the API arrives as a JSON number or string; show it as sent (money is never re-rounded here).
  function decimal(value) {
    return value === null || value === undefined ? "–" : String(value);
  }

  // A "nice" upper bound for the y axis (1, 2, 5 x 10^n) so gridlines land on round values.
  function niceMax(max) {
    if (!(max > 0)) return 1;
    const exp = Math.pow(10, Math.floor(Math.log10(max)));
    for (const m of [1, 2, 5, 10]) if (max <= m * exp) return m * exp;
    return 10 * exp;
  }

  // Draws one line per series over a time window. points: [{t: ms since epoch, v: number|null}]; null breaks the line.
  function drawLineChart(target, series, windowEndMs, windowMs, unit) {
    const { width, height, left, right, top, bottom } = CHART;
    const plotW = width - left - right, plotH = height - top - bottom;
    const values = series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v !== null && Number.isFinite(v));
    const yMax = niceMax(values.length ? Math.max(...values) : 0);
    const x = (t) => left + plotW * (1 - (windowEndMs - t) / windowMs);
    const y = (v) => top + plotH * (1 - v / yMax);

    target.replaceChildren();
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4, gy = y(v);
      target.appendChild(svg("line", { class: "grid", x1: left, x2: width - right, y1: gy, y2: gy }));
      target.appendChild(svg("text", { class: "axis-label", x: left - 6, y: gy + 4, "text-anchor": "end" }, compact(v) + (i === 4 ? unit : "")));
    }
    const minutes = Math.round(windowMs / 60000);
    target.appendChild(svg("text", { class: "axis-label", x: left, y: height - 6 }, `-${minutes} min`));
    target.appendChild(svg("text", { class: "axis-label", x: width - right, y: height - 6, "text-anchor": "end" }, "now"));

    let drawn = 0;
    for (const s of series) {
      // Split at missing values so a gap in the data shows as a gap, not a straight line across it.
      let run = [];
      const flush = () => {
        if (run.length >= 2) {
          target.appendChild(svg("polyline", { class: "series " + s.cls, "data-series": s.cls, points: run.join(" ") }));
          drawn += run.length;
        }
        run = [];
      };
      for (const p of s.points) {
        if (p.v === null || !Number.isFinite(p.v) || p.t < windowEndMs - windowMs) { flush(); continue; }
        run.push(x(p.t).toFixed(1) + "," + y(p.v).toFixed(1));
      }
      flush();
    }
    target.setAttribute("data-points", String(drawn));
  }

  function renderFigures(current) {
    $("now-trades-in").textContent = number(current.tradesInPerSecond, 0);
    $("now-trades-applied").textContent = number(current.tradesAppliedPerSecond, 0);
    $("now-p50").textContent = current.latencyP50Ms == null ? "–" : number(current.latencyP50Ms, 1) + " ms";
    $("now-p99").textContent = current.latencyP99Ms == null ? "–" : number(current.latencyP99Ms, 1) + " ms";
    $("now-dlq").textContent = number(current.deadLetters, 0);
    $("now-lag").textContent = number(current.consumerLag, 0);
    $("now-headroom").textContent = current.embeddedClusterHeadroom == null
      ? "n/a" : number(current.embeddedClusterHeadroom * 100, 1) + " % used";
  }

  function renderDeadLetters(byReason) {
    const box = $("dlq");
    box.replaceChildren();
    if (!byReason.length) { box.appendChild(el("p", { class: "empty" }, "none")); return; }
    const max = Math.max(...byReason.map((r) => r.count));
    for (const r of byReason) {
      const row = el("div", { class: "row", "data-reason": r.reason });
      row.appendChild(el("span", { class: "reason" }, r.reason));
      const track = el("div");
      track.appendChild(el("div", { class: "bar", style: `width:${max ? (100 * r.count) / max : 0}%` }));
      row.appendChild(track);
      row.appendChild(el("span", { class: "count" }, number(r.count)));
      box.appendChild(row);
    }
  }

  function fillTable(id, rows, columns, emptyText) {
    const body = $(id).tBodies[0];
    body.replaceChildren();
    if (!rows.length) {
      const tr = el("tr", { class: "empty" });
      tr.appendChild(el("td", { colspan: String(columns) }, emptyText));
      body.appendChild(tr);
      return;
    }
    for (const cells of rows) {
      const tr = el("tr");
      for (const c of cells) tr.appendChild(typeof c === "object" ? c : el("td", {}, c));
      body.appendChild(tr);
    }
  }

  function renderGaps(view) {
    fillTable("gaps", view.gaps.map((g) => {
      const action = el("td");
      const button = el("button", { type: "button", class: "resolve", "data-account": g.accountId,
        "aria-label": `Resolve the gap of ${g.accountId} at sequence ${g.expectedSequence}` }, "Resolve");
      button.addEventListener("click", () => resolveGap(g.accountId, g.expectedSequence, button));
      action.appendChild(button);
      return [g.accountId, number(g.expectedSequence), number(g.heldCount), new Date(g.openSince).toLocaleTimeString(), g.instance, action];
    }), 6, "none");
    const note = $("gaps-unreachable");
    note.textContent = view.unreachableInstances.length
      ? "Not answering, their gaps are missing: " + view.unreachableInstances.join(", ") : "";
    $("now-gaps").textContent = number(view.gaps.length, 0) + (view.unreachableInstances.length ? "+" : "");
  }

  let gapsTimer = null;
  function pollGapsNow() { clearTimeout(gapsTimer); pollGaps(); }

  async function pollGaps() {
    try {
      const response = await fetch("/gaps", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      renderGaps(await response.json());
    } catch (e) {
      $("gaps-unreachable").textContent = "Gaps unavailable: " + e.message;
      $("now-gaps").textContent = "–";
    } finally {
      clearTimeout(gapsTimer);
      gapsTimer = setTimeout(pollGaps, GAPS_POLL_MS);
    }
  }

  // Green only while the application runs; starting, restoring ("Restoring 3 of 20 tasks") and rebalancing amber,
  // a stopped or failed one red.
  function healthOf(phase) {
    if (!phase) return "error";
    return phase === "Running" ? "live"
      : phase === "Starting" || phase === "Rebalancing" || phase.startsWith("Restoring ") ? "degraded" : "error";
  }

  function renderInstances(instances) {
    fillTable("instances", instances.map((i) => {
      const c = i.current;
      const state = el("td", { class: "state", "data-health": c ? healthOf(c.state) : "error" }, c ? c.state : "not answering: " + (i.problem || "?"));
      return [
        i.server + (i.self ? " (this)" : ""),
        state,
        el("td", { class: "num" }, c ? number(c.consumerLag, 0) : "–"),
        el("td", { class: "num" }, c ? number(c.tradesInPerSecond, 0) : "–"),
        el("td", { class: "num" }, c ? number(c.tradesAppliedPerSecond, 0) : "–"),
        el("td", { class: "num" }, c && c.latencyP99Ms != null ? number(c.latencyP99Ms, 1) : "–"),
        el("td", { class: "num" }, String(i.partitions.length)),
        el("td", { class: "partitions" }, i.partitions.length ? partitionRanges(i.partitions) : "none")];
    }), 8, "none announced");
  }

  function render(state) {
    const end = Date.parse(state.time);
    const windowMs = state.windowSeconds * 1000;
    const points = (f) => state.history.map((h) => ({ t: Date.parse(h.time), v: h[f] ?? null }));
    $("window-label").textContent = `last ${Math.round(state.windowSeconds / 60)} min`;
    renderFigures(state.current);
    drawLineChart($("chart-trades"), [
      { cls: "in", points: points("tradesInPerSecond") },
      { cls: "applied", points: points("tradesAppliedPerSecond") }], end, windowMs, "/s");
    drawLineChart($("chart-latency"), [
      { cls: "p50", points: points("latencyP50Ms") },
      { cls: "p99", points: points("latencyP99Ms") }], end, windowMs, " ms");
    renderDeadLetters(state.deadLettersByReason);
    renderInstances(state.instances);
  }

  function setStatus(stateName, text) {
    const s = $("status");
    s.dataset.state = stateName;
    s.textContent = text;
  }

  async function poll() {
    try {
      const response = await fetch(`/api/dashboard/cluster?minutes=${WINDOW_MINUTES}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const state = await response.json();
      render(state);
      const down = state.instances.filter((i) => !i.current).length;
      const health = down ? "error" : healthOf(state.current.state);
      setStatus(health, `live · ${state.current.state}${down ? ` · ${down} instance(s) not answering` : ""} · ${new Date(state.time).toLocaleTimeString()}`);
    } catch (e) {
      setStatus("error", "no data: " + e.message);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  // GET /positions/{accountId} answers {accountId, positions: [...], servedBy}. Known columns, in this order.
  const POSITION_COLUMNS = [
    ["instrumentId", "Instrument", false], ["quantity", "Quantity", true], ["averageCost", "Avg cost", true],
    ["realizedPnl", "Realized P&L", true], ["marketPrice", "Price", true], ["marketValue", "Market value", true],
    ["unrealizedPnl", "Unrealized P&L", true], ["currency", "Ccy", false]];

  // Money is decimal on the server: keep every number as the exact text the server sent (JSON.parse source text
  // access), so 0.1 stays 0.1 and 28 significant digits are not squeezed into a double.
  function parseExact(text) {
    return JSON.parse(text, (key, value, context) =>
      typeof value === "number" && context && typeof context.source === "string" ? context.source : value);
  }

  function positionsTable(positions) {
    const present = POSITION_COLUMNS.filter(([k]) => positions.some((p) => k in p));
    const table = el("table", { id: "lookup-table" });
    const head = el("tr");
    for (const [, title, numeric] of present) head.appendChild(el("th", { class: numeric ? "num" : "" }, title));
    table.appendChild(el("thead")).appendChild(head);
    const body = table.appendChild(el("tbody"));
    for (const p of positions) {
      const tr = el("tr", { "data-instrument": p.instrumentId ?? "" });
      for (const [k, , numeric] of present) {
        tr.appendChild(el("td", { class: numeric ? "num" : "" }, numeric ? decimal(p[k]) : (p[k] ?? "–")));
      }
      body.appendChild(tr);
    }
    return table;
  }

  async function lookup(accountId) {
    const box = $("lookup-result");
    const message = (text, cls) => box.replaceChildren(el("p", { class: "message " + (cls || "") }, text));
    delete box.dataset.status;
    message("looking up " + accountId + "…");
    try {
      const response = await fetch("/positions/" + encodeURIComponent(accountId), { headers: { Accept: "application/json" } });
      const text = await response.text();
      if (response.status === 404) {
        message(`Unknown account ${accountId}.`, "error");
      } else if (response.status === 503) {
        const retry = response.headers.get("Retry-After");
        message(`Partitions are moving or restoring; try again${retry ? " in " + retry + " s" : ""}.`, "error");
      } else if (!response.ok) {
        let detail = "";
        try { const problem = JSON.parse(text); detail = problem.detail || problem.title || ""; } catch { /* not JSON */ }
        message(`HTTP ${response.status} ${detail}`.trim(), "error");
      } else {
        const body = parseExact(text);
        const positions = Array.isArray(body) ? body : (body.positions || []);
        const servedBy = body.servedBy ? ` · answered by ${body.servedBy}` : "";
        if (!positions.length) message(`No positions for ${accountId}${servedBy}.`);
        else box.replaceChildren(el("p", { class: "message" }, `${accountId}: ${positions.length} position(s)${servedBy}`), positionsTable(positions));
      }
      box.dataset.status = String(response.status);
    } catch (e) {
      message("Lookup failed: " + e.message, "error");
      box.dataset.status = "error";
    }
  }

  // ---- Book-wide panels -------------------------------------------------------------------------------------------

  // Money arrives as a string with eight places (the API's one format): shown exactly, with thousands separators.
  function money(value) {
    if (value === null || value === undefined) return "–";
    const text = String(value);
    const m = /^(-?)(\d+)(\.\d+)?$/.exec(text);
    return m ? m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "") : text;
  }

  function moneyCell(value) {
    const text = String(value ?? "");
    return el("td", { class: "num" + (text.startsWith("-") ? " negative" : "") }, money(value));
  }

  function numCell(value) { return el("td", { class: "num" }, number(value, 0)); }

  function checkCell(balanced) {
    return el("td", { class: "check " + (balanced ? "ok" : "bad"), "data-balanced": String(balanced) }, balanced ? "✔ balanced" : "✘ NOT balanced");
  }

  async function getJson(url) {
    const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    const text = await response.text();
    if (!response.ok) {
      let detail = "";
      try { const problem = JSON.parse(text); detail = problem.detail || problem.title || ""; } catch { /* not JSON */ }
      throw new Error(`HTTP ${response.status} ${detail}`.trim());
    }
    return parseExact(text);
  }

  // Incomplete: an instance did not answer or partitions were moving; the figures are then not the whole book.
  function completeness(view) {
    if (view.complete) return "";
    const missing = view.unreachableInstances.length ? " Not answering: " + view.unreachableInstances.join(", ") + "." : "";
    return "Incomplete: not every partition of the book answered (instances down or partitions moving)." + missing;
  }

  // Runs fn now and then every intervalMs; a call while it runs (a form submit) runs it once more right after, so
  // there is never more than one loop per panel.
  function poller(fn, intervalMs) {
    let timer = null, busy = false, again = false;
    const run = async () => {
      if (busy) { again = true; return; }
      busy = true;
      clearTimeout(timer);
      try { await fn(); } finally {
        busy = false;
        if (again) { again = false; run(); } else { timer = setTimeout(run, intervalMs); }
      }
    };
    return run;
  }

  const refreshLedger = poller(async () => {
    const account = $("ledger-account").value.trim();
    try {
      const view = await getJson("/ledger/balances" + (account ? "?accountId=" + encodeURIComponent(account) : ""));
      fillTable("ledger-currencies", view.currencies.map((c) => [
        c.currency, numCell(c.accounts), moneyCell(c.cash), moneyCell(c.securities), moneyCell(c.realizedPnl),
        moneyCell(c.debits), moneyCell(c.credits), checkCell(c.balanced)]), 8, "no postings");
      fillTable("ledger-accounts", view.accounts.map((b) => [
        b.accountId, b.currency, moneyCell(b.cash), moneyCell(b.securities), moneyCell(b.realizedPnl), numCell(b.entries),
        checkCell(b.balanced)]), 7, account ? `no balances for ${account}` : "none");
      const all = view.currencies.every((c) => c.balanced);
      const figure = $("now-ledger");
      figure.textContent = view.currencies.length ? (all ? "✔ balanced" : "✘ NOT balanced") : "–";
      figure.dataset.balanced = view.currencies.length ? String(all) : "";
      const shown = view.accounts.length < view.accountBalances ? ` Showing ${view.accounts.length} of ${view.accountBalances} balances.` : "";
      $("ledger-note").textContent = (completeness(view) + shown).trim();
      $("ledger-note").dataset.complete = String(view.complete);
    } catch (e) {
      $("ledger-note").textContent = "Ledger unavailable: " + e.message;
      $("ledger-note").dataset.complete = "false";
    }
  }, BOOK_POLL_MS);

  const refreshLadder = poller(async () => {
    try {
      const view = await getJson("/settlements/ladder");
      $("ladder-from").textContent = "value dates from " + view.from + ", all instances";
      fillTable("ladder", view.rows.map((r) => [
        r.valueDate, r.currency, numCell(r.pending), el("td", { class: "num" + (r.failed > 0 ? " negative" : "") }, number(r.failed, 0)),
        numCell(r.settled), moneyCell(r.pay), moneyCell(r.receive), moneyCell(r.net)]), 8, "no open settlements");
      $("ladder-note").textContent = completeness(view);
    } catch (e) {
      $("ladder-note").textContent = "Ladder unavailable: " + e.message;
    }
  }, BOOK_POLL_MS);

  const refreshExposures = poller(async () => {
    try {
      const view = await getJson("/exposures?top=20");
      fillTable("exposure-currencies", view.currencies.map((c) => [
        c.currency, numCell(c.positions), moneyCell(c.long), moneyCell(c.short), moneyCell(c.gross), moneyCell(c.net), numCell(c.unpriced)]),
        7, "no open positions");
      fillTable("top-positions", view.top.map((p) => [
        p.accountId, p.symbol && p.symbol !== p.instrumentId ? `${p.instrumentId} (${p.symbol})` : p.instrumentId,
        moneyCell(p.quantity), moneyCell(p.price), moneyCell(p.marketValue), moneyCell(p.unrealizedPnl), p.currency]), 7, "none");
      $("exposures-note").textContent = completeness(view);
    } catch (e) {
      $("exposures-note").textContent = "Exposures unavailable: " + e.message;
    }
  }, BOOK_POLL_MS);

  const refreshInstruments = poller(async () => {
    try {
      const list = await getJson("/instruments");
      fillTable("instruments", list.map((i) => [
        i.instrumentId, i.symbol, i.currency, i.assetClass, moneyCell(i.price), new Date(i.updatedAt).toLocaleString()]), 6, "none loaded");
    } catch (e) {
      fillTable("instruments", [], 6, "unavailable: " + e.message);
    }
  }, SLOW_POLL_MS);

  const refreshAlerts = poller(async () => {
    try {
      const list = await getJson("/alerts?limit=50");
      fillTable("alerts", list.map((a) => [
        new Date(a.timestamp).toLocaleString(), el("td", { class: "severity", "data-severity": a.severity }, a.severity), a.kind,
        a.accountId ?? "–", el("td", { class: "message-cell" }, a.message)]), 5, "none");
      $("alerts-note").textContent = "";
    } catch (e) {
      $("alerts-note").textContent = "Alerts unavailable: " + e.message;
    }
  }, BOOK_POLL_MS);

  // Writes carry the API key when one is entered (needed when the instance listens beyond loopback).
  function writeHeaders() {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const key = $("api-key").value.trim();
    if (key) headers["X-Api-Key"] = key;
    return headers;
  }

  async function problemText(response) {
    const text = await response.text();
    try { const p = JSON.parse(text); return p.detail || p.title || text; } catch { return text; }
  }

  const refreshDeadLetters = poller(async () => {
    const reason = $("dlq-reason").value.trim();
    try {
      const view = await getJson("/dlq?limit=50" + (reason ? "&reason=" + encodeURIComponent(reason) : ""));
      $("dlq-total").textContent = `${number(view.total, 0)} in the topic, latest first`;
      fillTable("dlq-letters", view.latest.map((d) => {
        const action = el("td");
        const button = el("button", { type: "button", class: "redrive", "data-id": d.id, "aria-label": `Re-drive dead letter ${d.id}` }, "Re-drive");
        button.disabled = !d.accountId;
        button.addEventListener("click", () => redrive(d.id, button));
        action.appendChild(button);
        return [d.id, new Date(d.timestamp).toLocaleString(), d.reason, d.accountId ?? "–", d.tradeId ?? "–",
          el("td", { class: "message-cell" }, d.message), action];
      }), 7, "none");
    } catch (e) {
      fillTable("dlq-letters", [], 7, "unavailable: " + e.message);
    }
  }, SLOW_POLL_MS);

  async function redrive(id, button) {
    const box = $("dlq-result");
    button.disabled = true;
    delete box.dataset.status;
    box.textContent = `re-driving ${id}…`;
    try {
      const response = await fetch("/dlq/redrive", { method: "POST", headers: writeHeaders(), body: JSON.stringify({ ids: [id] }) });
      if (!response.ok) {
        box.textContent = `Re-drive of ${id} refused: HTTP ${response.status} ${await problemText(response)}`;
        box.dataset.status = "refused";
        button.disabled = false;
        return;
      }
      const results = await response.json();
      const r = results.find((x) => x.id === id) || results[0];
      box.textContent = r && r.redriven ? `Re-driven ${id}: ${r.detail}` : `Not re-driven ${id}: ${r ? r.detail : "no answer"}`;
      box.dataset.status = r && r.redriven ? "redriven" : "not-redriven";
      if (!(r && r.redriven)) button.disabled = false;
    } catch (e) {
      box.textContent = `Re-drive of ${id} failed: ${e.message}`;
      box.dataset.status = "error";
      button.disabled = false;
    }
  }

  async function resolveGap(accountId, expectedSequence, button) {
    const box = $("gap-result");
    const params = new URLSearchParams({ expectedSequence: String(expectedSequence) });
    const operator = $("gap-operator").value.trim();
    const reason = $("gap-reason").value.trim();
    if (operator) params.set("requestedBy", operator);
    if (reason) params.set("reason", reason);
    button.disabled = true;
    delete box.dataset.status;
    box.textContent = `resolving the gap of ${accountId}…`;
    try {
      const response = await fetch(`/accounts/${encodeURIComponent(accountId)}/gaps/resolve?${params}`, { method: "POST", headers: writeHeaders() });
      if (response.status === 202) {
        const accepted = await response.json();
        box.textContent = `Resolution of ${accountId} at sequence ${expectedSequence} sent (command ${accepted.commandId}); the outcome is audited in the alerts.`;
        box.dataset.status = "accepted";
        setTimeout(() => { pollGapsNow(); refreshAlerts(); }, 1000);
      } else {
        box.textContent = `Resolution of ${accountId} refused: HTTP ${response.status} ${await problemText(response)}`;
        box.dataset.status = "refused";
        button.disabled = false;
      }
    } catch (e) {
      box.textContent = `Resolution of ${accountId} failed: ${e.message}`;
      box.dataset.status = "error";
      button.disabled = false;
    }
  }

  $("ledger-form").addEventListener("submit", (event) => { event.preventDefault(); refreshLedger(); });
  $("dlq-form").addEventListener("submit", (event) => { event.preventDefault(); refreshDeadLetters(); });
  $("key-form").addEventListener("submit", (event) => event.preventDefault());
  $("gap-form").addEventListener("submit", (event) => event.preventDefault());

  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const accountId = $("lookup-account").value.trim();
    if (accountId) lookup(accountId);
  });

  poll();
  pollGaps();
  refreshLedger();
  refreshLadder();
  refreshExposures();
  refreshInstruments();
  refreshAlerts();
  refreshDeadLetters();
})();
