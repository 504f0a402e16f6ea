// The chat page: REST for turns and history, the WebSocket /api/v1/ws for live events.
// Markdown is rendered by marked and sanitized by DOMPurify; everything else is built with DOM APIs
// (textContent), never by concatenating HTML.
import { marked } from "../vendor/marked.esm.js";

const root = document.querySelector("[data-chat]");
const CC = window.CC;
const S = JSON.parse(root.dataset.strings || "{}");
const isAdmin = root.dataset.admin === "true";
const log = root.querySelector("[data-messages]");
const list = root.querySelector("[data-conv-list]");
const emptyNote = root.querySelector("[data-conv-empty]");
const form = root.querySelector("[data-composer]");
const input = form.querySelector("input[name=q]");
const suggestions = form.querySelector("[data-suggestions]");
const connState = root.querySelector("[data-conn-state]");
const RISK_ICON = { low: "shield-check", medium: "circle-alert", high: "triangle-alert", critical: "octagon-alert" };
const { el, icon } = CC;

// Raw HTML in a message is shown as text (never parsed), then DOMPurify cleans what markdown produced.
const escapeHtml = (t) => String(t).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
marked.use({ gfm: true, breaks: true, renderer: { html(token) { return escapeHtml(typeof token === "string" ? token : token.text); } } });
const purifyConfig = { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "input", "img"], FORBID_ATTR: ["style"] };

let current = null;          // conversation id
const seen = new Set();      // events already shown (REST reply and WebSocket both deliver them)
const progressBoxes = new Map();
const sent = [];             // ↑ recalls
let recall = -1;

function markdown(text) {
  const html = marked.parse(String(text || ""));
  const clean = window.DOMPurify.sanitize(html, purifyConfig);
  const box = el("div", { class: "msg-body md" });
  box.innerHTML = clean;  // sanitized by DOMPurify above
  for (const a of box.querySelectorAll("a")) { a.rel = "noopener noreferrer"; a.target = "_blank"; }
  return box;
}

function bubble(role, children, extraClass) {
  const who = role === "user" ? S["chat.you"] : S["chat.assistant"];
  const node = el("div", { class: `msg msg-${role === "user" ? "user" : "assistant"} ${extraClass || ""}` },
    [el("div", { class: "msg-who" }, [icon(role === "user" ? "user-check" : "terminal"), document.createTextNode(" " + who)]), ...children]);
  log.append(node);
  log.scrollTop = log.scrollHeight;
  return node;
}

function riskBadge(risk) {
  const r = RISK_ICON[risk] ? risk : "medium";
  return el("span", { class: `badge risk risk-${r}` }, [icon(RISK_ICON[r]), el("span", { text: S["risk." + r] || r })]);
}

// --- data: tables and charts ----------------------------------------------------------------
const BYTES = /^(size|used|avail|available|total|free|bytes|.*_bytes)$/;
function human(n) {
  if (typeof n !== "number" || !isFinite(n)) return String(n ?? "");
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0; let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return (i ? v.toFixed(1) : String(v)) + " " + units[i];
}

function cell(key, value) {
  const td = el("td");
  if (key === "percent" && typeof value === "number") {
    const meter = el("meter", { min: "0", max: "100", low: "80", high: "90", optimum: "0", value: String(value) });
    td.append(meter, document.createTextNode(" " + value + "%"));
  } else if (BYTES.test(key) && typeof value === "number") {
    td.textContent = human(value);
    td.className = "mono";
  } else if (value !== null && typeof value === "object") {
    td.textContent = JSON.stringify(value);
    td.className = "mono small";
  } else {
    td.textContent = String(value ?? "");
  }
  return td;
}

function table(rows, caption) {
  const columns = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const t = el("table", { class: "data-table" });
  if (caption) t.append(el("caption", { class: "small muted", text: caption }));
  t.append(el("thead", {}, [el("tr", {}, columns.map((c) => el("th", { scope: "col", text: c })))]));
  t.append(el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => cell(c, row[c]))))));
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || "data" }, [t]);
}

function chart(rows, caption) {
  if (!window.uPlot || rows.length < 2 || !rows.every((r) => typeof r.percent === "number")) return null;
  const labels = rows.map((r) => String(r.mount ?? r.name ?? r.host ?? ""));
  const box = el("figure", { class: "chart", "aria-label": caption || "chart" });
  const css = getComputedStyle(document.documentElement);
  const cyan = css.getPropertyValue("--cyan").trim() || "#00D9FF";
  const muted = css.getPropertyValue("--muted").trim() || "#8E94A3";
  const width = Math.max(260, Math.min(640, log.clientWidth - 60));
  const opts = {
    width, height: 180, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, rows.length - 0.5] }, y: { range: [0, 100] } },
    axes: [
      { stroke: muted, grid: { show: false }, splits: () => rows.map((_, i) => i), values: (_, ticks) => ticks.map((i) => labels[i] ? labels[i].slice(-14) : "") },
      { stroke: muted, values: (_, ticks) => ticks.map((v) => v + "%") },
    ],
    series: [{}, { label: "%", stroke: cyan, fill: cyan + "66", paths: window.uPlot.paths.bars({ size: [0.6, 60] }) }],
  };
  // eslint-disable-next-line no-new
  new window.uPlot(opts, [rows.map((_, i) => i), rows.map((r) => r.percent)], box);
  box.append(el("figcaption", { class: "small muted sr-only", text: caption || "" }));
  return box;
}

function dataBlocks(results) {
  const blocks = [];
  for (const [host, res] of Object.entries(results || {})) {
    const data = res && res.data;
    if (!data || typeof data !== "object") continue;
    for (const [key, value] of Object.entries(data)) {
      if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
        const caption = `${host} · ${key}`;
        blocks.push(table(value, caption));
        const c = chart(value, caption);
        if (c) blocks.push(c);
      }
    }
    if (res.stdout && typeof res.stdout === "string") blocks.push(el("pre", { class: "mono", text: res.stdout }));
  }
  return blocks;
}

// --- cards ----------------------------------------------------------------------------------
function confirmationCard(ev) {
  const risk = ev.risk || "medium";
  const buttons = el("div", { class: "card-buttons" });
  const yes = el("button", { class: "btn btn-ok", type: "button", "data-confirm": ev.confirmation_id }, [icon("check"), el("span", { text: S["chat.confirm"] })]);
  const no = el("button", { class: "btn", type: "button", "data-cancel": ev.confirmation_id }, [icon("x"), el("span", { text: S["common.cancel"] })]);
  yes.addEventListener("click", async () => {
    yes.disabled = true; no.disabled = true;
    await send(lang() === "fr" ? "confirmer" : "confirm", { confirmation_id: ev.confirmation_id, action_hash: ev.action_hash });
  });
  no.addEventListener("click", async () => {
    yes.disabled = true; no.disabled = true;
    await send(lang() === "fr" ? "annuler" : "cancel");
  });
  buttons.append(yes, no);
  const title = el("div", { class: "card-title" }, [riskBadge(risk), el("span", { text: S["chat.confirm_title"] })]);
  const body = ev.card ? markdown(ev.card) : el("p", { text: ev.impact || ev.action });
  const targets = el("p", { class: "small muted", text: `${S["chat.targets"]}: ${(ev.targets || []).join(", ")}` });
  return bubble("assistant", [title, body, targets, buttons], `card-action risk-${risk}`);
}

function approvalCard(ev) {
  const risk = ev.risk || "high";
  const children = [el("div", { class: "card-title" }, [riskBadge(risk), el("span", { text: S["chat.approval_title"] })]),
    el("p", {}, [el("code", { class: "mono", text: ev.action || "" }), document.createTextNode(" → " + (ev.targets || []).join(", "))]),
    el("p", { class: "small muted", text: `${S["chat.requested_by"]}: ${ev.requester || ""} · ${ev.state || "requested"}` })];
  if (isAdmin && (ev.state || "requested") === "requested" && ev.requester !== root.dataset.me) {
    const reason = el("input", { type: "text", maxlength: "500", "aria-label": S["chat.reason"], placeholder: S["chat.reason"] });
    const approve = el("button", { class: "btn btn-ok", type: "button" }, [icon("check"), el("span", { text: S["chat.approve"] })]);
    const reject = el("button", { class: "btn btn-danger", type: "button" }, [icon("x"), el("span", { text: S["chat.reject"] })]);
    const decide = async (verb) => {
      approve.disabled = true; reject.disabled = true;
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      const r = await CC.api("POST", `/api/v1/approvals/${encodeURIComponent(ev.approval_id)}/${verb}`, body);
      if (!r.ok) { CC.toast(CC.problemText(r)); approve.disabled = false; reject.disabled = false; return; }
      if (r.data && r.data.reply) handleTurn(r.data.reply, true);
      CC.toast("✅ " + (verb === "approve" ? S["chat.approve"] : S["chat.reject"]));
    };
    approve.addEventListener("click", () => decide("approve"));
    reject.addEventListener("click", () => decide("reject"));
    children.push(el("div", { class: "card-buttons" }, [reason, approve, reject]));
  }
  return bubble("assistant", children, `card-action risk-${risk}`);
}

function progress(ev) {
  const key = `${ev.conversation_id}:${ev.action}`;
  let box = progressBoxes.get(key);
  if (!box || !box.isConnected) {
    const ul = el("ul", { class: "progress-list" });
    box = bubble("assistant", [el("div", { class: "small muted", text: ev.action || "" }), ul], "msg-progress");
    box.list = ul;
    progressBoxes.set(key, box);
  }
  const status = ev.status || "";
  const cls = status === "ok" || status === "step_done" ? "progress-ok" : (status === "running" || status === "step_started" ? "progress-running" : "progress-failed");
  const name = status === "ok" || status === "step_done" ? "circle-check" : (cls === "progress-running" ? "loader-circle" : "circle-x");
  const label = ev.step ? `${ev.step}/${ev.steps} ` : "";
  box.list.append(el("li", { class: cls, "data-host": ev.host || "" }, [icon(name, cls === "progress-running" ? "spin" : ""),
    el("span", { text: `${label}${ev.text || (ev.host + ": " + status)}` })]));
  log.scrollTop = log.scrollHeight;
}

// --- events ----------------------------------------------------------------------------------
function eventKey(ev) {
  switch (ev.type) {
    case "message": return "m:" + ev.message_id;
    case "confirmation_required": return "c:" + ev.confirmation_id;
    case "approval_required": return "a:" + ev.approval_id + ":" + ev.state;
    case "progress": return `p:${ev.conversation_id}:${ev.action}:${ev.host}:${ev.status}:${ev.step}:${ev.text}`;
    case "result": return `r:${ev.conversation_id}:${ev.action}:${ev.summary}:${JSON.stringify(ev.hosts)}`;
    default: return `e:${ev.code}:${ev.message}:${Date.now()}`;
  }
}

function show(ev) {
  if (ev.conversation_id && current && ev.conversation_id !== current && ev.type !== "approval_required") {
    markUnread(ev.conversation_id);
    return;
  }
  const key = eventKey(ev);
  if (seen.has(key)) return;
  seen.add(key);
  if (ev.type === "message") {
    const meta = ev.metadata || {};
    // The card already shows this message's text, with its buttons.
    if (meta.confirmation && seen.has("c:" + meta.confirmation.id)) return;
    const children = [markdown(ev.content)];
    if (meta.results) children.push(...dataBlocks(meta.results));
    if (Array.isArray(meta.options) && meta.options.length) {
      const opts = el("div", { class: "card-buttons" });
      meta.options.forEach((o, i) => {
        const b = el("button", { class: "btn btn-small", type: "button" }, [el("span", { text: `${i + 1}. ${o.label || o.text || o.title || o.action || ""}` })]);
        b.addEventListener("click", () => send(String(i + 1)));
        opts.append(b);
      });
      children.push(opts);
    }
    bubble(ev.role, children, ev.role === "assistant" && meta.error ? "msg-error" : "");
  } else if (ev.type === "confirmation_required") {
    confirmationCard(ev);
  } else if (ev.type === "approval_required") {
    approvalCard(ev);
  } else if (ev.type === "progress") {
    progress(ev);
  } else if (ev.type === "error") {
    bubble("assistant", [el("p", { text: ev.message || ev.code })], "msg-error");
  }
  // `result` carries the same data as the assistant's message metadata; the message shows it.
}

function handleTurn(turn, fromApproval) {
  for (const ev of turn.events || []) show(ev);
  if (turn.message) show(turn.message);
  if (!fromApproval) loadConversations();
}

function lang() { return CC.lang; }

// --- conversations ---------------------------------------------------------------------------
function markUnread(id) {
  const b = list.querySelector(`button[data-id="${CSS.escape(id)}"]`);
  if (b && !b.querySelector(".unread")) b.prepend(el("span", { class: "unread", "aria-hidden": "true", text: "● " }));
}

async function loadConversations() {
  const r = await CC.api("GET", "/api/v1/conversations?limit=50");
  if (!r.ok) return;
  const items = Array.isArray(r.data) ? r.data : (r.data.items || []);
  list.replaceChildren(...items.map((c) => {
    const b = el("button", { type: "button", "data-id": c.id, title: c.title || c.id, text: c.title || c.id.slice(0, 8) });
    if (c.id === current) b.setAttribute("aria-current", "true");
    b.addEventListener("click", () => open(c.id));
    return el("li", {}, [b]);
  }));
  emptyNote.hidden = items.length > 0;
}

async function open(id) {
  current = id;
  sessionStorage.setItem("cc_conversation", id);
  seen.clear();
  progressBoxes.clear();
  for (const node of [...log.children].slice(1)) if (!node.hasAttribute("data-unavailable")) node.remove();
  for (const b of list.querySelectorAll("button")) b.toggleAttribute("aria-current", b.dataset.id === id);
  const r = await CC.api("GET", `/api/v1/conversations/${encodeURIComponent(id)}/messages?limit=200`);
  if (r.ok) {
    for (const m of r.data) show({ type: "message", conversation_id: id, message_id: m.id, role: m.role, content: m.content, metadata: m.metadata });
  }
}

async function ensureConversation() {
  if (current) return current;
  const r = await CC.api("POST", "/api/v1/conversations", {});
  if (!r.ok) { CC.toast(CC.problemText(r)); return null; }
  current = r.data.id;
  sessionStorage.setItem("cc_conversation", current);
  await loadConversations();
  return current;
}

async function send(text, extra) {
  const id = await ensureConversation();
  if (!id) return;
  const r = await CC.api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/messages`, Object.assign({ text }, extra || {}));
  if (!r.ok) { bubble("assistant", [el("p", { text: CC.problemText(r) })], "msg-error"); return; }
  handleTurn(r.data, false);
}

// --- WebSocket: live progress and events from turns started elsewhere (approvals, other tabs) --
let socket = null;
let retry = 500;
function connect() {
  if (root.dataset.ws !== "true") return;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${proto}//${location.host}/api/v1/ws`);
  socket.addEventListener("open", () => { retry = 500; connState.hidden = true; });
  socket.addEventListener("message", (msg) => {
    let ev;
    try { ev = JSON.parse(msg.data); } catch { return; }
    if (ev && ev.type && ev.type !== "pong") show(ev);
  });
  socket.addEventListener("close", () => {
    connState.hidden = false;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  });
}

async function loadApprovals() {
  if (!isAdmin) return;
  const r = await CC.api("GET", "/api/v1/approvals?state=requested");
  if (!r.ok || !Array.isArray(r.data)) return;
  for (const a of r.data) {
    show({ type: "approval_required", conversation_id: null, approval_id: a.id, action: a.action, targets: a.targets,
      parameters: a.parameters, risk: a.risk, requester: a.requester, state: a.state });
  }
}

// --- composer: Enter sends, ↑ recalls, suggestions from the catalog ---------------------------
function options() { return [...suggestions.querySelectorAll("[role=option]")]; }
function highlight(index) {
  const all = options();
  all.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
  input.setAttribute("aria-activedescendant", index >= 0 && all[index] ? all[index].id : "");
}
function closeSuggestions() { suggestions.replaceChildren(); input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }

document.body.addEventListener("htmx:afterSwap", (e) => {
  if (e.detail.target === suggestions) input.setAttribute("aria-expanded", String(options().length > 0));
});

suggestions.addEventListener("mousedown", (e) => {
  const o = e.target.closest("[role=option]");
  if (!o) return;
  e.preventDefault();
  input.value = o.dataset.phrase + " ";
  closeSuggestions();
  input.focus();
});

input.addEventListener("keydown", (e) => {
  const all = options();
  const at = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
  if (all.length && (e.key === "ArrowDown" || (e.key === "ArrowUp" && at >= 0))) {
    e.preventDefault();
    highlight(e.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1);
    return;
  }
  if (e.key === "Tab" && at >= 0) { e.preventDefault(); input.value = all[at].dataset.phrase + " "; closeSuggestions(); return; }
  if (e.key === "Escape") { closeSuggestions(); return; }
  if (e.key === "Enter" && at >= 0) { e.preventDefault(); input.value = all[at].dataset.phrase + " "; closeSuggestions(); return; }
  if (e.key === "ArrowUp" && sent.length && (input.value === "" || recall >= 0)) {
    e.preventDefault();
    recall = recall < 0 ? sent.length - 1 : Math.max(recall - 1, 0);
    input.value = sent[recall];
    return;
  }
  if (e.key === "ArrowDown" && recall >= 0) {
    e.preventDefault();
    recall += 1;
    if (recall >= sent.length) { recall = -1; input.value = ""; } else input.value = sent[recall];
  }
});

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  closeSuggestions();
  sent.push(text);
  recall = -1;
  input.value = "";
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try { await send(text); } finally { button.disabled = false; input.focus(); }
});

root.querySelector("[data-new-conversation]").addEventListener("click", async () => {
  current = null;
  sessionStorage.removeItem("cc_conversation");
  for (const node of [...log.children].slice(1)) if (!node.hasAttribute("data-unavailable")) node.remove();
  await ensureConversation();
  input.focus();
});

if (root.dataset.available === "true") {
  connect();
  await loadConversations();
  const last = sessionStorage.getItem("cc_conversation");
  if (last && list.querySelector(`button[data-id="${CSS.escape(last)}"]`)) await open(last);
  await loadApprovals();
  setInterval(loadApprovals, 20000);
  input.focus();
}
root.dataset.ready = "true";
