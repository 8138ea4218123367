// The dockstep classroom dashboard. It keeps the room from the server's
// event stream (/api/stream) and draws it; every text a learner sent is put
// in the page as text (textContent), never as markup.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const room = {
  learners: new Map(), // id → row as the server sent it
  steps: [],
  lastSeen: {},        // id → Unix ms
  offset: 0,           // server clock − browser clock, ms
  notes: [],
};
const idleAfter = 45 * 1000;

function $(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function serverNow() { return Date.now() + room.offset; }
function duration(ms) {
  if (!(ms > 0)) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + " min " + String(s % 60).padStart(2, "0") + " s";
  return Math.floor(m / 60) + " h " + String(m % 60).padStart(2, "0") + " min";
}
function onStep(l) {
  if (!l.step || l.status === "finished" || !l.on_step_since) return 0;
  return serverNow() - Date.parse(l.on_step_since);
}
function seen(l) {
  return Math.max(Date.parse(l.last_seen) || 0, room.lastSeen[l.id] || 0);
}
function diagnosisText(l) {
  return (l.diagnosis || []).map(d => d.kind + ": " + d.diagnosis).join("; ");
}

let drawPending = false;
function schedule() {
  if (drawPending) return;
  drawPending = true;
  setTimeout(() => { drawPending = false; draw(); }, 100);
}

function draw() {
  const learners = [...room.learners.values()].sort((a, b) => a.id - b.id);
  $("count").textContent = "(" + learners.length + ")";
  drawLearners(learners);
  drawStuck(learners);
  drawSteps();
  drawNotes();
}

function drawLearners(learners) {
  const body = el("tbody");
  for (const l of learners) {
    const tr = el("tr");
    tr.dataset.name = l.name;
    tr.dataset.status = l.status;
    const connected = serverNow() - seen(l) < idleAfter;
    const mark = el("td", connected ? "mark on" : "mark", connected ? "●" : "○");
    mark.title = connected ? "connected" : "idle since " + new Date(seen(l)).toLocaleTimeString();
    tr.append(mark, el("td", "name", l.name), el("td", "lesson", l.lesson_title || l.lesson || "—"));
    const cells = el("td", "cells");
    (l.cells || []).forEach((state, i) => {
      const c = el("span", "cell " + state, String(i + 1));
      c.title = (l.steps[i] || "") + " (" + state + ")";
      c.dataset.state = state;
      cells.append(c);
    });
    tr.append(cells);
    tr.append(l.status === "finished" ? el("td", "finished", "finished ✓") : el("td", "time", duration(onStep(l))));
    tr.append(el("td", "diag", diagnosisText(l)));
    body.append(tr);
  }
  $("learners").querySelector("tbody").replaceWith(body);
}

function drawStuck(learners) {
  const limit = (Number($("threshold").value) || 5) * 60 * 1000;
  const stuck = learners
    .filter(l => l.step && l.status !== "finished" && (onStep(l) >= limit || l.fails_in_row >= 3))
    .sort((a, b) => onStep(b) - onStep(a));
  const list = el("ol");
  list.id = "stuck";
  for (const l of stuck) {
    const li = el("li");
    li.dataset.name = l.name;
    li.append(el("span", "who", l.name), " — step " + l.step + " “" + (l.step_title || "") + "” of " + (l.lesson_title || l.lesson) +
      ", " + duration(onStep(l)) + (l.fails_in_row ? ", " + l.fails_in_row + " failed checks in a row" : ""));
    const d = diagnosisText(l);
    if (d) li.append(el("br"), el("span", "diag", d));
    list.append(li);
  }
  $("stuck").replaceWith(list);
  $("nobody-stuck").hidden = stuck.length > 0;
}

function drawSteps() {
  const body = el("tbody");
  for (const s of room.steps) {
    const tr = el("tr");
    tr.append(el("td", "", s.lesson_title || s.lesson), el("td", "", s.step + ". " + (s.title || "")),
      el("td", "here", String(s.here)), el("td", "", String(s.passed)),
      el("td", "", s.passed ? duration(s.median_seconds * 1000) : "—"));
    const d = el("td", "diag");
    for (const c of s.diagnoses) {
      d.append(el("div", "", c.learners + (c.learners === 1 ? " learner: " : " learners: ") + c.diagnosis));
    }
    tr.append(d);
    body.append(tr);
  }
  $("steps").querySelector("tbody").replaceWith(body);
}

function drawNotes() {
  const list = el("ul");
  list.id = "notes";
  for (const n of room.notes.slice().reverse()) {
    list.append(el("li", "", new Date(n.at).toLocaleTimeString() + " — " + n.text));
  }
  $("notes").replaceWith(list);
}

function connect() {
  const live = $("live");
  const es = new EventSource("/api/stream?token=" + encodeURIComponent(token));
  es.onopen = () => { live.textContent = "live"; live.className = "live"; };
  es.onerror = () => { live.textContent = "reconnecting…"; live.className = "live off"; };
  es.addEventListener("hello", e => {
    const h = JSON.parse(e.data);
    $("title").textContent = h.title;
    document.title = h.title + " — dockstep classroom";
    if (h.join) $("join").textContent = "dockstep join " + h.join;
  });
  es.addEventListener("learner", e => {
    const l = JSON.parse(e.data);
    room.learners.set(l.id, l);
    schedule();
  });
  es.addEventListener("note", e => {
    const n = JSON.parse(e.data);
    if (!room.notes.some(m => m.id === n.id)) room.notes.push(n);
    schedule();
  });
  es.addEventListener("summary", e => {
    const s = JSON.parse(e.data);
    room.offset = Date.parse(s.now) - Date.now();
    room.steps = s.steps || [];
    room.lastSeen = s.last_seen || {};
    schedule();
  });
}

async function sendNote(ev) {
  ev.preventDefault();
  const input = $("note"), status = $("note-status");
  const text = input.value.trim();
  if (!text) return;
  status.textContent = "sending…";
  try {
    const res = await fetch("/api/notes", {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.statusText);
    input.value = "";
    status.textContent = "sent";
  } catch (err) {
    status.textContent = "not sent: " + err.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("export-csv").href = "/api/export.csv?token=" + encodeURIComponent(token);
  $("export-json").href = "/api/export.json?token=" + encodeURIComponent(token);
  $("note-form").addEventListener("submit", sendNote);
  $("threshold").addEventListener("input", schedule);
  setInterval(draw, 1000); // times on steps and connected marks move on
  connect();
});
