// tend's status page: polls /ui/state and redraws. Everything is set with
// textContent: names and commands are the app's, never markup.
"use strict";

// Every 2 s; ?poll_ms=N polls every N ms instead (the browser tests, which
// wait for the page to show a change).
const pollEvery = Number(new URLSearchParams(location.search).get("poll_ms")) || 2000;
// Every state a process can be in (status/status.go): an icon, the word
// and the class that colours it, so that the state reads without colour.
const states = {
  "running": ["●", "running", "running"],
  "starting": ["◔", "starting", "starting"],
  "restarting": ["↻", "restarting", "restarting"],
  "stopping": ["◐", "stopping", "stopping"],
  "stopped": ["■", "stopped", "stopped"],
  "exited": ["✖", "exited", "exited"],
  "exited, waiting for a change": ["◌", "exited, waiting for a change", "waiting"],
  "waiting for --after": ["◷", "waiting for --after", "held"],
  "failed": ["✖", "failed", "failed"],
};
let shownOutput = "";
let lastPid = 0;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function cell(row, label, content, cls) {
  const td = el("td", null, cls);
  td.dataset.label = label;
  if (content instanceof Node) td.appendChild(content); else td.textContent = content ?? "";
  row.appendChild(td);
  return td;
}

function duration(ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return Math.round(ms) + "ms";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + "s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + "m" + (s % 60 ? " " + (s % 60) + "s" : "");
  const h = Math.floor(m / 60);
  if (h < 48) return h + "h" + (m % 60 ? " " + (m % 60) + "m" : "");
  return Math.floor(h / 24) + "d " + (h % 24) + "h";
}

function ago(t, now) { return duration(now - new Date(t)) + " ago"; }
function until(t, now) { const d = new Date(t) - now; return d <= 0 ? "due now" : "in " + duration(d); }
function mib(bytes) { return (bytes / 1048576).toFixed(1) + " MiB"; }

function nameButton(label, outputName, keeps) {
  if (!keeps) return el("span", label);
  const b = el("button", label, "name");
  b.type = "button";
  b.addEventListener("click", () => { shownOutput = outputName; showOutput(); });
  return b;
}

function verdict(span, v) {
  span.textContent = v.ok ? "✓ " + v.why : "✖ " + v.why;
  span.className = "verdict " + (v.ok ? "ok" : "bad");
}

// processState is the icon, word and class of p's state: an instance that
// exited but should run has failed; a running one with readiness checks is
// ready or not ready.
function processState(p) {
  if (p.state === "exited" && p.expected) return ["✖", "failed", "failed"];
  if (p.state === "exited" && p.last_exit === 0) return ["○", "exited", "exited-ok"];
  if (p.state === "running" && p.ready === true) return ["●", "ready", "ready"];
  if (p.state === "running" && p.ready === false) return ["◑", "running, not ready", "not-ready"];
  return states[p.state] || ["?", p.state, "unknown"];
}

// healthChecks lists an instance's health checks with their latest result
// (✓ passes, ✖ fails, … not probed yet) and how often they failed.
function healthChecks(p) {
  const box = el("div");
  for (const c of p.healthchecks || []) {
    const name = c.type + (c.name ? " " + c.name : "");
    let text, cls;
    if (!c.probed) { text = "… " + name + ": not probed yet"; cls = "muted"; }
    else if (c.up) { text = "✓ " + name; cls = "ok"; }
    else { text = "✖ " + name + (c.error ? ": " + c.error : ""); cls = "bad"; }
    if (c.failures) text += " (" + c.failures + (c.failures === 1 ? " failure)" : " failures)");
    box.appendChild(el("div", text, "check " + cls));
  }
  return box;
}

function drawProcesses(st, now) {
  const body = document.querySelector("#processes tbody");
  const procs = st.snapshot.processes || [];
  body.replaceChildren();
  document.getElementById("no-processes").hidden = procs.length > 0;
  document.getElementById("processes").hidden = procs.length === 0;
  for (const p of procs) {
    const row = el("tr");
    row.dataset.name = p.name;
    cell(row, "name", nameButton(p.name, p.name, st.keeps_output));
    const [icon, word, cls] = processState(p);
    cell(row, "state", icon + " " + word, "state state-" + cls);
    cell(row, "pid", p.pid ? String(p.pid) : "", "num pid");
    cell(row, "uptime", p.pid ? duration(now - new Date(p.since)) : "", "num");
    cell(row, "restarts", String(p.restarts), "num");
    cell(row, "last exit", p.last_exit === undefined ? "" : String(p.last_exit), "num");
    const mem = st.memory_bytes[p.name];
    cell(row, "memory", mem ? mib(mem) : "", "num");
    cell(row, "health", p.healthchecks ? healthChecks(p) : "", "checks");
    body.appendChild(row);
  }
}

function drawCron(st, now) {
  const body = document.querySelector("#cron tbody");
  const jobs = st.snapshot.cron || [];
  body.replaceChildren();
  document.getElementById("no-cron").hidden = jobs.length > 0;
  document.getElementById("cron").hidden = jobs.length === 0;
  for (const j of jobs) {
    const row = el("tr");
    row.dataset.job = j.id;
    const name = el("div");
    name.appendChild(nameButton(j.id, "cron." + j.id, st.keeps_output));
    name.appendChild(el("div", j.command, "muted"));
    cell(row, "job", name);
    const words = st.schedule_words[j.id];
    const sched = el("div", words || j.schedule);
    if (words) sched.appendChild(el("div", j.schedule, "muted"));
    if (j.suspended) sched.appendChild(el("div", "⏸ suspended", "warn"));
    cell(row, "schedule", sched);
    cell(row, "next run", j.next ? until(j.next, now) : "—", "next");
    if (j.last) {
      const ok = j.last.outcome === "ok";
      const last = el("div", (ok ? "✓ " : "✖ ") + j.last.outcome + (ok ? "" : " (exit " + j.last.exit_code + ")"), ok ? "ok" : "bad");
      last.appendChild(el("div", ago(j.last.started, now) + ", took " + duration(j.last.duration_ns / 1e6), "muted"));
      if (!ok && j.last.error_line) last.appendChild(el("div", j.last.error_line, "muted"));
      cell(row, "last run", last);
    } else {
      cell(row, "last run", "never");
    }
    if (j.skipped) {
      const why = j.skipped.reason === "database-unavailable" ? "lock database unavailable" : j.skipped.reason;
      const skipped = el("div", "↷ skipped " + ago(j.skipped.at, now) + ": " + why, j.skipped.reason === "database-unavailable" ? "bad" : "muted");
      if (j.skipped.detail) skipped.title = j.skipped.detail;
      row.lastChild.appendChild(skipped);
    }
    const bar = el("span", null, "bar");
    for (const r of st.recent_runs[j.id] || []) {
      const cls = r.outcome === "ok" ? "" : r.outcome === "skipped" ? "skip" : "bad";
      const i = el("i", null, cls);
      i.title = r.outcome + (r.reason ? " (" + r.reason + ")" : "") + ", " + new Date(r.started).toLocaleString() + ", " + duration(r.duration_ns / 1e6);
      bar.appendChild(i);
    }
    cell(row, "recent runs", bar);
    const running = el("div");
    for (const r of j.running || []) {
      let text = "▶ running " + duration(r.elapsed_ns / 1e6);
      if (r.remaining_ns !== undefined) text += ", ~" + duration(r.remaining_ns / 1e6) + " left";
      running.appendChild(el("div", text, "state-running"));
    }
    cell(row, "now", running);
    body.appendChild(row);
  }
}

async function showOutput() {
  const box = document.getElementById("output-box");
  if (!shownOutput) { box.hidden = true; return; }
  box.hidden = false;
  document.getElementById("output-name").textContent = shownOutput;
  try {
    const res = await fetch("/ui/output?name=" + encodeURIComponent(shownOutput), { cache: "no-store" });
    const text = await res.text();
    document.getElementById("output").textContent = text || "(nothing printed yet)";
  } catch (e) {
    document.getElementById("output").textContent = "(tend is not answering)";
  }
}

async function poll() {
  try {
    const res = await fetch("/ui/state", { cache: "no-store" });
    if (!res.ok) throw new Error(await res.text());
    const st = await res.json();
    const now = new Date(st.now);
    const snap = st.snapshot;
    const restarted = lastPid && lastPid !== snap.pid ? " · restarted" : "";
    lastPid = snap.pid;
    document.getElementById("tend").textContent = "tend " + st.version + " · pid " + snap.pid +
      " · up " + duration(now - new Date(snap.started)) + (st.root ? " · " + st.root : "") +
      (snap.draining ? " · stopping" : "") + restarted;
    document.getElementById("conn").hidden = true;
    verdict(document.getElementById("health"), st.health);
    verdict(document.getElementById("cron-health"), st.cron_health);
    drawProcesses(st, now);
    drawCron(st, now);
    document.body.dataset.updated = String(Date.now());
    if (shownOutput) showOutput();
  } catch (e) {
    document.getElementById("conn").hidden = false;
  }
  setTimeout(poll, pollEvery);
}

document.getElementById("output-close").addEventListener("click", () => { shownOutput = ""; showOutput(); });
poll();
