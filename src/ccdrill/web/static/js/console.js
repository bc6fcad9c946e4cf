/* ccdrill — live drill pages (command-post console and participant view). No build step, no CDN.
 *
 * - EventSource on the drill's stream; the browser reconnects by itself and sends Last-Event-ID.
 *   Any event → re-fetch the server-rendered panels and swap them in (typed notes and chosen
 *   photos survive the swap). Clock events re-anchor the local clock at once.
 * - The drill clock ticks locally from the anchor the panels carry (drill time, speed, running):
 *   frozen while paused, re-synced on every event, so it cannot drift.
 * - Every action form is posted with fetch and an Idempotency-Key; a lost connection is retried
 *   with the same key, so a double tap or a retry is recorded once.
 * - The twin panel (ECharts) is redrawn from /drills/{id}/twin.json after every event.
 */
(function () {
  "use strict";

  var root = document.getElementById("drill");

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hms(s) { s = Math.max(0, Math.floor(s)); return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60); }
  function mmss(s) { s = Math.max(0, Math.floor(s)); return pad(Math.floor(s / 60)) + ":" + pad(s % 60); }
  function newKey() {
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // Select boxes that submit their form on change (speed, programme picker).
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("select[data-autosubmit]")) return;
    if (el.form.hasAttribute("data-act")) submitAction(el.form, null); else el.form.submit();
  });

  var I = {};
  try { I = JSON.parse((document.getElementById("drill-i18n") || {}).textContent || "{}"); } catch (e) { I = {}; }

  // ---- toast ----
  var toastTimer = null;
  function toast(text, isError) {
    var el = root && root.querySelector("[data-toast]");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!isError);
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, isError ? 6000 : 1800);
  }

  // ---- actions: fetch + Idempotency-Key, retried with the same key ----
  function send(url, fd, key, attempt) {
    return fetch(url, {
      method: "POST", body: fd, credentials: "same-origin",
      headers: { "Accept": "application/json", "Idempotency-Key": key }
    }).then(function (r) {
      if (r.ok) return r.json().catch(function () { return {}; });
      return r.json().catch(function () { return {}; }).then(function (j) {
        throw { status: r.status, message: (j && j.error && j.error.message) || I.failed || "Error" };
      });
    }).catch(function (err) {
      var retry = !err || !err.status || err.status >= 500 || err.status === 429;
      if (retry && attempt < 10) {
        toast(I.retrying || "…", true);
        return sleep(Math.min(500 * Math.pow(1.6, attempt), 8000)).then(function () { return send(url, fd, key, attempt + 1); });
      }
      throw err && err.message ? err : { message: I.failed || "Error" };
    });
  }

  function submitAction(form, button) {
    if (form.dataset.busy) return;  // a second tap while the first is on its way
    var fd = new FormData(form);
    if (button && button.name) fd.set(button.name, button.value);
    var keyInput = form.querySelector("input[name=idempotency_key]");
    var key = (keyInput && keyInput.value) || newKey();
    fd.set("idempotency_key", key);
    form.dataset.busy = "1";
    var buttons = form.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    if (button) button.classList.add("busy");
    send(form.action, fd, key, 0).then(function () {
      if (keyInput) keyInput.value = newKey();  // the next tap is a new action
      Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type=file], input[type=text]"), function (el) { el.value = ""; });
      if (form.hasAttribute("data-reset")) form.reset();
      toast(I.saved || "OK", false);
      refresh();
    }, function (err) {
      toast(err.message, true);
      refresh();
    }).then(function () {
      delete form.dataset.busy;
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; b.classList.remove("busy"); });
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-act]") || !window.fetch || !window.FormData) return;
    e.preventDefault();
    var button = e.submitter || null;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    submitAction(form, button);
  });

  if (!root) return;

  // ---- the drill clock ----
  var anchor = { drill: 0, speed: 1, running: false, at: performance.now(), startMin: 0, span: 1, status: "" };
  function readAnchor() {
    var el = document.getElementById("drill-clock");
    if (!el) return;
    anchor = {
      drill: parseFloat(el.dataset.drillS) || 0, speed: parseFloat(el.dataset.speed) || 1,
      running: el.dataset.running === "1", at: performance.now(), startMin: parseInt(el.dataset.startMin, 10) || 0,
      span: parseFloat(el.dataset.spanS) || 1, status: el.dataset.status || ""
    };
  }
  function drillNow() {
    return anchor.running ? anchor.drill + (performance.now() - anchor.at) / 1000 * anchor.speed : anchor.drill;
  }
  var CLOCK = { drill_started: "running", drill_resumed: "running", drill_paused: "paused", drill_ended: "ended",
                drill_cancelled: "cancelled", speed_changed: null };
  function reanchor(kind, data) {
    if (!data || typeof data.drill_time_s !== "number") return;
    var next = CLOCK[kind];
    anchor.drill = data.drill_time_s;
    anchor.at = performance.now();
    if (next) { anchor.running = next === "running"; anchor.status = next; }
    if (kind === "speed_changed" && data.payload && data.payload.speed) anchor.speed = parseFloat(data.payload.speed);
    tick();
  }

  function layoutPhases() {
    Array.prototype.forEach.call(root.querySelectorAll(".phasebar .ph[data-w]"), function (ph) {
      ph.style.flexGrow = Math.max(parseFloat(ph.dataset.w) || 1, 4);
    });
  }

  function tick() {
    var t = drillNow();
    var clock = document.getElementById("drill-clock");
    if (clock) {
      var c = clock.querySelector("[data-clock]"), tp = clock.querySelector("[data-tplus]");
      if (c) c.textContent = hms(anchor.startMin * 60 + t);
      if (tp) tp.textContent = "T+" + hms(t);
      clock.classList.toggle("paused", anchor.status === "paused");
      clock.classList.toggle("ended", anchor.status === "ended" || anchor.status === "cancelled");
    }
    var now = root.querySelector("[data-now]"), shown = false;
    Array.prototype.forEach.call(root.querySelectorAll("[data-phases] .ph[data-lo]"), function (ph) {
      var lo = parseFloat(ph.dataset.lo), hi = parseFloat(ph.dataset.hi);
      var cur = lo <= t && t < hi;
      ph.classList.toggle("current", cur);
      ph.classList.toggle("past", hi <= t);
      if (cur && now && anchor.status !== "draft" && anchor.status !== "scheduled") {
        now.style.left = (ph.offsetLeft + ph.offsetWidth * (t - lo) / Math.max(hi - lo, 1)) + "px";
        shown = true;
      }
    });
    if (now) now.classList.toggle("on", shown);
    var cur = root.querySelector("[data-phases] .ph.current b");
    if (cur) Array.prototype.forEach.call(root.querySelectorAll("[data-phase-name]"), function (el) {
      if (el.textContent !== cur.textContent) el.textContent = cur.textContent;
    });
    Array.prototype.forEach.call(root.querySelectorAll(".timer[data-target]"), function (el) {
      if (el.dataset.ready === "") return;
      var ready = parseFloat(el.dataset.ready), target = parseFloat(el.dataset.target);
      var end = el.dataset.done !== "" ? parseFloat(el.dataset.done) : t;
      var elapsed = Math.max(0, end - ready), late = elapsed > target;
      var text = mmss(elapsed) + " / " + mmss(target) + (late ? " +" + mmss(elapsed - target) : "");
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("late", late);
      var row = el.closest(".step, .mecard");
      if (row) row.classList.toggle("is-late", late);
    });
  }

  // ---- panels: re-rendered by the server, swapped in place ----
  var refreshing = false, again = false, debounce = null;
  function refresh() {
    clearTimeout(debounce);
    debounce = setTimeout(doRefresh, 60);
  }
  function doRefresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(root.dataset.panels, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { swap(new DOMParser().parseFromString(html, "text/html")); })
      .catch(function () { /* the next event or reconnect refreshes again */ })
      .then(function () {
        refreshing = false;
        loadTwin();
        if (again) { again = false; doRefresh(); }
      });
  }
  function keepers(panel) {
    // Inputs the user is filling in: keep the very nodes (value, chosen file, focus).
    return Array.prototype.filter.call(panel.querySelectorAll("textarea[id], input[type=file][id], input[type=text][id]"), function (el) {
      return el.value || el === document.activeElement;
    });
  }
  function swap(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll("[data-panel]"), function (fresh) {
      var old = root.querySelector('[data-panel="' + fresh.dataset.panel + '"]');
      if (!old) return;
      var focused = document.activeElement;
      // A form whose tap is still on its way stays as it is (its key, its disabled buttons).
      Array.prototype.forEach.call(old.querySelectorAll("form[id][data-busy]"), function (form) {
        var twin = fresh.querySelector("#" + CSS.escape(form.id));
        if (twin) twin.replaceWith(form);
      });
      keepers(old).forEach(function (el) {
        var twin = fresh.querySelector("#" + CSS.escape(el.id));
        if (!twin) return;
        var wasOpen = el.closest("details") && el.closest("details").open;
        twin.replaceWith(el);
        var d = el.closest("details");
        if (d && wasOpen) d.open = true;
      });
      old.replaceWith(document.adoptNode(fresh));
      if (focused && document.body.contains(focused) && focused !== document.activeElement) focused.focus();
    });
    if (root.dataset.live) setLive(root.dataset.live === "1");
    readAnchor();
    layoutPhases();
    tick();
  }

  // ---- the event stream ----
  var KINDS = ["drill_created", "drill_scheduled", "drill_started", "drill_paused", "drill_resumed", "drill_ended",
    "drill_cancelled", "speed_changed", "inject_fired", "inject_skipped", "inject_added", "contingency_released",
    "acknowledge", "report", "step_start", "step_complete", "note", "effect_applied"];
  var es = null, down = false;
  function setLive(on) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-live]"), function (el) {
      el.classList.toggle("on", on); el.classList.toggle("off", !on);
    });
    root.dataset.live = on ? "1" : "0";
  }
  function onEvent(e) {
    var data = null;
    try { data = JSON.parse(e.data); } catch (err) { data = null; }
    if (e.lastEventId) root.dataset.lastSeq = e.lastEventId;
    if (data && e.type in CLOCK) reanchor(e.type, data);
    refresh();
  }
  function connect() {
    if (!window.EventSource || !root.dataset.stream) return;
    es = new EventSource(root.dataset.stream, { withCredentials: true });
    es.onopen = function () {
      setLive(true);
      if (down) { down = false; toast(I.saved ? "✓" : "", false); refresh(); }
    };
    es.onerror = function () {
      setLive(false);
      if (!down) toast(I.reconnecting || "…", true);
      down = true;
      if (es.readyState === 2) {  // closed for good (e.g. a server restart answered 5xx): start again
        setTimeout(connect, 3000);
      }
    };
    es.onmessage = onEvent;
    KINDS.forEach(function (k) { es.addEventListener(k, onEvent); });
  }

  // ---- the twin panel ----
  var chart = null, chartEl = document.getElementById("twin-chart");
  function pct(list) {
    if (!list) return [];
    var max = 0;
    list.forEach(function (v) { if (typeof v === "number" && v > max) max = v; });
    return max <= 1.0001 ? list.map(function (v) { return v == null ? null : Math.round(v * 1000) / 10; }) : list;
  }
  function pairs(ts, ys) { return (ys || []).map(function (y, i) { return [ts[i], y]; }); }
  function fmtX(v) { return hms(anchor.startMin * 60 + v).slice(0, 5); }
  function drawTwin(data) {
    if (!chartEl || !window.echarts) return;
    var empty = root.querySelector("[data-twin-empty]");
    if (!data || !data.t || !data.t.length) { if (empty) empty.hidden = false; return; }
    if (empty) empty.hidden = true;
    if (!chart) {
      chart = window.echarts.init(chartEl, null, { renderer: "canvas" });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    var t = data.t, target = data.target;
    var tgt = typeof target === "number" ? (target <= 1 ? target * 100 : target) : null;
    var dashed = { type: "dashed", width: 1.5 };
    var sl = { name: I.sl, type: "line", yAxisIndex: 0, showSymbol: false, data: pairs(t, pct(data.service_level)), lineStyle: { width: 2.5 }, color: "#0f5bd8" };
    var marks = [];
    if (tgt != null) marks.push({ yAxis: tgt, name: I.target, label: { position: "insideEndTop", formatter: I.target + " " + Math.round(tgt) + "%" } });
    if (anchor.status !== "draft") marks.push({ xAxis: drillNow(), name: I.now, label: { position: "end", formatter: I.now }, lineStyle: { color: "#c0362c", type: "solid" } });
    sl.markLine = { symbol: "none", silent: true, lineStyle: { color: "#13795b", type: "dotted" }, data: marks };
    var series = [
      sl,
      { name: I.sl_base, type: "line", yAxisIndex: 0, showSymbol: false, data: pairs(t, pct(data.baseline_service_level)), lineStyle: dashed, color: "#7ea6ea" },
      { name: I.abandon, type: "line", yAxisIndex: 0, showSymbol: false, data: pairs(t, pct(data.abandon_rate)), lineStyle: { width: 2 }, color: "#c0362c" },
      { name: I.abandon_base, type: "line", yAxisIndex: 0, showSymbol: false, data: pairs(t, pct(data.baseline_abandon_rate)), lineStyle: dashed, color: "#e9a29c" },
      { name: I.queue, type: "line", yAxisIndex: 1, showSymbol: false, data: pairs(t, data.queue), lineStyle: { width: 2 }, color: "#d9822b" },
      { name: I.queue_base, type: "line", yAxisIndex: 1, showSymbol: false, data: pairs(t, data.baseline_queue), lineStyle: dashed, color: "#f0c08f" },
      { name: I.agents, type: "line", step: "end", yAxisIndex: 1, showSymbol: false, data: pairs(t, data.agents), lineStyle: { width: 2 }, color: "#13795b" }
    ];
    chart.setOption({
      animation: false,
      grid: { left: 44, right: 48, top: 84, bottom: 30 },
      legend: { type: "plain", top: 0, left: 0, right: 0, textStyle: { fontSize: 11 }, itemWidth: 16, itemHeight: 8, itemGap: 8 },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v == null ? "–" : (Math.round(v * 10) / 10); },
                 axisPointer: { label: { formatter: function (p) { return fmtX(p.value); } } } },
      xAxis: { type: "value", min: 0, max: Math.max(anchor.span, t[t.length - 1] || 0), interval: anchor.span > 7200 ? 1800 : 900, axisLabel: { formatter: fmtX, fontSize: 11 }, splitLine: { show: false } },
      yAxis: [
        { type: "value", min: 0, max: 100, name: "%", axisLabel: { fontSize: 11 } },
        { type: "value", min: 0, name: I.people, nameTextStyle: { align: "right" }, axisLabel: { fontSize: 11 }, splitLine: { show: false } }
      ],
      series: series
    }, { notMerge: false, replaceMerge: ["series"] });
    var latest = root.querySelector("[data-twin-latest]");
    if (latest && data.latest) {
      var L = data.latest, bits = [];
      if (L.service_level != null) bits.push(I.sl + " " + Math.round(L.service_level <= 1 ? L.service_level * 100 : L.service_level) + "%");
      if (L.queue != null) bits.push(I.queue + " " + Math.round(L.queue));
      if (L.agents != null) bits.push(I.agents + " " + Math.round(L.agents));
      latest.textContent = bits.join(" · ");
    }
    root.dataset.twinPoints = String(t.length);
    root.dataset.twinUpdates = String((parseInt(root.dataset.twinUpdates || "0", 10) || 0) + 1);
  }
  var twinBusy = false;
  function loadTwin() {
    if (!chartEl || !root.dataset.twin || twinBusy) return;
    twinBusy = true;
    fetch(root.dataset.twin, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(drawTwin, function () {})
      .then(function () { twinBusy = false; });
  }

  // A phone that slept or a tab in the background: catch up as soon as it is looked at again.
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) refresh(); });

  readAnchor();
  layoutPhases();
  tick();
  setInterval(tick, 250);
  connect();
  loadTwin();
  window.ccdrillLive = { refresh: refresh, drillNow: drillNow, toast: toast };
})();
