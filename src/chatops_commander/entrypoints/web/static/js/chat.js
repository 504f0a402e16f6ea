// The chat page: REST for turns and history, the WebSocket /api/v1/ws for live events.
// Markdown is rendered by marked and sanitized by DOMPurify; everything else is built with DOM APIs
// (textContent), never by concatenating HTML.
import { marked } from "../vendor/marked.esm.js";

const root = document.querySelector("[data-chat]");
const CC = window.CC;
const S = JSON.parse(root.dataset.strings || "{}");
const ACTIONS = JSON.parse(root.dataset.actions || "{}");  // action id → its summary in the page's language
const isAdmin = root.dataset.admin === "true";
const log = root.querySelector("[data-messages]");
const list = root.querySelector("[data-conv-list]");
const emptyNote = root.querySelector("[data-conv-empty]");
const convError = root.querySelector("[data-conv-error]");
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
const errorBubbles = [];     // error events of a turn: its reply says the same, so the reply replaces them
const approvalCards = new Map();
const sent = [];             // ↑ recalls
let recall = -1;
let cooldownUntil = 0;
let optionGroups = 0;       // a rate-limited send: the button waits until then

const fmt = (key, vars) => String(S[key] || key).replace(/\{(\w+)\}/g, (_, k) => String(vars && vars[k] !== undefined ? vars[k] : ""));
const actionName = (id) => ACTIONS[id] || id || "";

// --- status marks: the UI's own icons, not emoji (no colour-emoji font on many servers' desktops) -----
// The text of other doors keeps its emoji; here each mark becomes an icon with a spoken label.
const MARKS = {
  "\u2705": ["circle-check", "mark-ok", "chat.mark_ok"],
  "\u274C": ["circle-x", "mark-failed", "chat.mark_failed"],
  "\u26A0": ["triangle-alert", "mark-warning", "chat.mark_warning"],
  "\u23F3": ["hourglass", "mark-waiting", "chat.mark_waiting"],
  "\u2753": ["circle-alert", "mark-unknown", "chat.mark_unknown"],
  "\u{1F50D}": ["search", "mark-info", null],
  "\u{1F680}": ["rocket", "mark-info", null],
  "\u{1F4E6}": ["list-checks", "mark-info", null],
  "\u23EA": ["history", "mark-info", null],
};
const MARK_RE = /(\u2705|\u274C|\u26A0|\u23F3|\u2753|\u{1F50D}|\u{1F680}|\u{1F4E6}|\u23EA)\uFE0F?|\p{Extended_Pictographic}\uFE0F\s?|\p{Emoji_Presentation}\s?|\uFE0F/gu;

const HAS_MARK = new RegExp(MARK_RE.source, "u");  // not global: .test() keeps no state between nodes

function mark(name, cls, label) {
  const svg = icon(name);
  if (!label) { svg.classList.add("mark", cls); return svg; }
  return el("span", { class: `mark ${cls}`, role: "img", "aria-label": label }, [svg]);
}

function outcomeMark(outcome) {
  if (outcome === "ok" || outcome === "succeeded") return mark("circle-check", "mark-ok", S["chat.mark_ok"]);
  if (outcome === "running" || outcome === "step_started") return mark("loader-circle", "mark-waiting", S["chat.mark_waiting"]);
  return mark("circle-x", "mark-failed", S["chat.mark_failed"]);
}

function withMarks(node) {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT, {
    acceptNode: (t) => (t.parentElement && t.parentElement.closest("pre, code") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const texts = [];
  while (walker.nextNode()) if (HAS_MARK.test(walker.currentNode.data)) texts.push(walker.currentNode);
  for (const t of texts) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of t.data.matchAll(MARK_RE)) {
      frag.append(document.createTextNode(t.data.slice(last, m.index)));
      const known = m[1] && MARKS[m[1]];
      if (known) frag.append(mark(known[0], known[1], known[2] ? S[known[2]] : null));
      last = m.index + m[0].length;
    }
    frag.append(document.createTextNode(t.data.slice(last)));
    t.replaceWith(frag);
  }
  return node;
}

function richText(text, cls) { return withMarks(el("span", { class: cls || "", text })); }

// The text other doors show as "[Confirm] [Cancel] — I am waiting…": here the real buttons say it.
function forWeb(text) {
  return String(text || "").replace(/^\[(?:Confirm|Confirmer)\] \[(?:Cancel|Annuler)\]\s*[—-]\s*(.)/m, (_, c) => c.toUpperCase());
}

function markdown(text) {
  const html = marked.parse(forWeb(text));
  const clean = window.DOMPurify.sanitize(html, purifyConfig);
  const box = el("div", { class: "msg-body md" });
  box.innerHTML = clean;  // sanitized by DOMPurify above
  for (const a of box.querySelectorAll("a")) { a.rel = "noopener noreferrer"; a.target = "_blank"; }
  return withMarks(box);
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

const parseTime = (iso) => {
  if (!iso) return NaN;
  const s = String(iso);
  return Date.parse(/[zZ]$|[+-]\d\d:?\d\d$/.test(s) ? s : s + "Z");  // a naive time from the database is UTC
};
const localTime = (iso) => new Date(parseTime(iso)).toLocaleString(lang() === "fr" ? "fr-FR" : "en-GB",
  { dateStyle: "medium", timeStyle: "short" });

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
  }
  return blocks;
}

// --- command outputs: one collapsible monospace block per host ----------------------------------
// The text comes from the reply's data (a log's lines) or, a window at a time, from the command's stored
// output (GET …/commands/{id}/output). Only LINES_FIRST lines are put in the page at first and "show more"
// adds LINES_MORE at a time, so a 1 MiB output never freezes the page.
const LINES_FIRST = 200;
const LINES_MORE = 1000;
const HITS_SHOWN = 500;
const WINDOW = 16384;
let commandIndex = { cid: null, promise: null };

function commandsOf(cid, fresh) {
  if (fresh || commandIndex.cid !== cid || !commandIndex.promise) {
    commandIndex = { cid, promise: CC.api("GET", `/api/v1/conversations/${encodeURIComponent(cid)}/commands?limit=500`)
      .then((r) => (r.ok && Array.isArray(r.data) ? r.data : [])) };
  }
  return commandIndex.promise;
}

class OutputSource {
  constructor(text, loader) { this.text = text || ""; this.loader = loader || null; this.done = !loader; this.lower = null; }
  async more() {
    if (this.done) return false;
    const part = await this.loader(this.text.length);
    this.text += part.text;
    this.done = part.next === null || part.next === undefined || !part.text;
    this.lower = null;
    return true;
  }
  async all() { while (!this.done) await this.more(); return this.text; }
  lines() { let n = this.text ? 1 : 0; let i = -1; while ((i = this.text.indexOf("\n", i + 1)) !== -1 && i < this.text.length - 1) n += 1; return n; }
}

function storedSource(cid, row) {
  return new OutputSource("", async (offset) => {
    const r = await CC.api("GET", `/api/v1/conversations/${encodeURIComponent(cid)}/commands/${encodeURIComponent(row.id)}/output?offset=${offset}&limit=${WINDOW}`);
    if (!r.ok) throw new Error(CC.problemText(r));
    return { text: r.data.text, next: r.data.next_offset };
  });
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea", { class: "sr-only", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

function highlighted(line, needle) {
  const frag = document.createDocumentFragment();
  const low = line.toLowerCase();
  let at = 0; let i;
  while ((i = low.indexOf(needle, at)) !== -1) {
    frag.append(document.createTextNode(line.slice(at, i)), el("mark", { text: line.slice(i, i + needle.length) }));
    at = i + needle.length;
  }
  frag.append(document.createTextNode(line.slice(at) + "\n"));
  return frag;
}

function outputBlock({ host, action, outcome, note, source, open, size }) {
  const box = el("details", { class: "output", "data-host": host, "data-action": action || "" });
  const count = el("span", { class: "small muted output-size", text: size || "" });
  box.append(el("summary", {}, [icon("chevron-right", "output-chevron"), outcomeMark(outcome),
    el("span", { class: "output-host mono", text: host }), el("span", { class: "small muted", text: actionName(action) }), count]));
  const pre = el("pre", { class: "mono output-text", tabindex: "0", role: "region", "aria-label": fmt("chat.output_of", { host }) });
  const hits = el("pre", { class: "mono output-text output-hits", tabindex: "0", role: "region", "aria-label": fmt("chat.search") + " · " + host, hidden: "" });
  const search = el("input", { type: "search", class: "output-search", "aria-label": fmt("chat.search") + " (" + host + ")", placeholder: fmt("chat.search") });
  const copy = el("button", { class: "btn btn-small", type: "button" }, [icon("copy"), el("span", { text: S["chat.copy"] })]);
  const status = el("span", { class: "small muted output-status", role: "status" });
  const moreBtn = el("button", { class: "btn btn-small output-more", type: "button", hidden: "" }, [icon("chevron-down"), el("span", { text: S["chat.show_more"] })]);
  const shown = el("span", { class: "small muted output-shown" });
  const tools = el("div", { class: "output-tools" }, [el("span", { class: "output-search-box" }, [icon("search"), search]), copy, status]);
  const body = el("div", { class: "output-body" }, [tools, note ? el("p", { class: "small output-note", text: note }) : null, pre, hits, el("div", { class: "output-foot" }, [moreBtn, shown])]);
  box.append(body);

  let pos = 0; let lines = 0; let started = false;
  async function render(n) {
    let added = 0; let chunkStart = pos;
    while (added < n) {
      const nl = source.text.indexOf("\n", pos);
      if (nl === -1) {
        if (pos < source.text.length && source.done) { pos = source.text.length; added += 1; break; }
        if (source.done) break;
        if (pos > chunkStart) { pre.append(document.createTextNode(source.text.slice(chunkStart, pos))); chunkStart = pos; }
        await source.more();
        continue;
      }
      pos = nl + 1; added += 1;
    }
    if (pos > chunkStart) pre.append(document.createTextNode(source.text.slice(chunkStart, pos)));
    lines += added;
    const rest = pos < source.text.length || !source.done;
    moreBtn.hidden = !rest;
    if (source.done) {
      const total = source.lines();
      count.textContent = total === 1 ? S["chat.output_line"] : fmt("chat.output_lines", { n: total });
      shown.textContent = rest ? fmt("chat.shown_of", { shown: lines, total }) : "";
    } else {
      shown.textContent = "";
    }
    if (!source.text && source.done) pre.textContent = S["chat.output_empty"];
  }
  async function start() {
    if (started) return;
    started = true;
    status.textContent = S["chat.output_loading"];
    try { await render(LINES_FIRST); status.textContent = ""; } catch (e) { status.textContent = fmt("chat.output_failed", { why: e.message }); started = false; }
  }
  box.addEventListener("toggle", () => { if (box.open) start(); });
  moreBtn.addEventListener("click", async () => {
    moreBtn.disabled = true;
    try { await render(LINES_MORE); } catch (e) { status.textContent = fmt("chat.output_failed", { why: e.message }); }
    moreBtn.disabled = false;
  });
  copy.addEventListener("click", async () => {
    try {
      const ok = await copyText(await source.all());
      CC.toast(ok ? S["chat.copied"] : S["chat.copy_failed"]);
    } catch (e) { status.textContent = fmt("chat.output_failed", { why: e.message }); }
  });
  let timer = null;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(find, 150); });
  search.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); find(); } });
  async function find() {
    const needle = search.value.trim().toLowerCase();
    if (!needle) { hits.hidden = true; pre.hidden = false; moreBtn.hidden = !(pos < source.text.length || !source.done); status.textContent = ""; return; }
    await source.all();
    if (source.lower === null) source.lower = source.text.toLowerCase();
    const text = source.text; const low = source.lower;
    const frag = document.createDocumentFragment();
    let n = 0; let at = 0; let i;
    while ((i = low.indexOf(needle, at)) !== -1) {
      const a = low.lastIndexOf("\n", i) + 1;
      let b = low.indexOf("\n", i); if (b === -1) b = low.length;
      n += 1;
      if (n <= HITS_SHOWN) frag.append(highlighted(text.slice(a, b), needle));
      at = b + 1;
    }
    hits.replaceChildren(frag);
    hits.hidden = n === 0; pre.hidden = n > 0; moreBtn.hidden = n > 0 || !(pos < source.text.length || !source.done);
    status.textContent = n === 0 ? S["chat.no_match"] : n === 1 ? S["chat.match_one"] : (n > HITS_SHOWN ? fmt("chat.matches_shown", { n, shown: HITS_SHOWN }) : fmt("chat.matches", { n }));
  }
  if (open) { box.open = true; start(); }
  return box;
}

// The blocks of one reply: a log's lines at once, other outputs from the stored commands of the turn.
async function attachOutputs(node, ev, meta, fresh) {
  const results = meta.results || {};
  const hosts = Object.keys(results);
  if (!hosts.length || !ev.conversation_id) return;
  const wrap = el("div", { class: "outputs" });
  node.append(wrap);
  const raw = meta.action === "shell.run";
  let rows = [];
  const needStored = hosts.some((h) => !Array.isArray(results[h]?.data?.lines));
  if (needStored && meta.action) {
    const until = parseTime(ev.created_at) || Date.now();
    rows = (await commandsOf(ev.conversation_id, fresh)).filter((r) => r.action === meta.action && parseTime(r.executed_at) <= until + 2000);
  }
  for (const host of hosts.sort()) {
    const res = results[host] || {};
    const lines = res.data && Array.isArray(res.data.lines) ? res.data.lines : null;
    const note = res.outcome !== "ok" && res.message ? res.message : "";
    if (lines) {
      wrap.append(outputBlock({ host, action: meta.action, outcome: res.outcome, note, source: new OutputSource(lines.join("\n")), open: true }));
      continue;
    }
    const row = rows.find((r) => r.server === host);
    if (!row || !row.output_chars) continue;
    const hasTable = res.data && Object.values(res.data).some((v) => Array.isArray(v) && v.length);
    wrap.append(outputBlock({ host, action: meta.action, outcome: res.outcome, note, source: storedSource(ev.conversation_id, row),
      open: raw || (!hasTable && res.outcome !== "ok"), size: human(row.output_chars) }));
  }
  if (!wrap.children.length) wrap.remove();
}

// --- cards ----------------------------------------------------------------------------------
function facts(rows) {
  const dl = el("dl", { class: "facts" });
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) continue;
    dl.append(el("div", {}, [el("dt", { text: label }), el("dd", {}, [value instanceof Node ? value : document.createTextNode(String(value))])]));
  }
  return dl;
}

function actionFact(id) {
  return el("span", {}, [document.createTextNode(actionName(id) + " "), el("code", { class: "mono small", text: id || "" })]);
}

// --- an approval's time limit, counted down: the visible text every second, the spoken one at most once a
// minute (a polite live region), "expired" at 0 — without a reload, on the approver's and the requester's side.
const countdowns = new Set();
let countdownTimer = null;

function durationText(seconds, withSeconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), sec = seconds % 60;
  if (!withSeconds) return h ? (m ? `${h} h ${m} min` : `${h} h`) : `${m} min`;
  return (h ? [`${h} h`, `${m} min`, `${sec} s`] : (m ? [`${m} min`, `${sec} s`] : [`${sec} s`])).join(" ");
}

// [shown, spoken]: "expires in 4 min 12 s" every second; "expires in 4 min" for screen readers, whole minutes only
function countdownTexts(left) {
  const total = Math.ceil(left / 1000);
  if (total <= 0) return [S["chat.expired_now"], S["chat.expired_now"]];
  const spoken = total >= 60 ? fmt("chat.expires_left", { left: durationText(total - (total % 60), false) }) : S["chat.expires_soon"];
  return [fmt("chat.expires_left", { left: durationText(total, true) }), spoken];
}

function tickCountdowns() {
  const now = Date.now();
  for (const c of countdowns) {
    if (!c.box.isConnected) { countdowns.delete(c); continue; }
    const [shown, spoken] = countdownTexts(c.at - now);
    if (c.shown.textContent !== shown) c.shown.textContent = shown;
    if (c.spoken.textContent !== spoken) c.spoken.textContent = spoken;  // changes once a minute, then at 0
    if (Math.ceil((c.at - now) / 1000) <= 0) { countdowns.delete(c); if (c.onExpire) c.onExpire(); }
  }
  if (!countdowns.size && countdownTimer !== null) { clearInterval(countdownTimer); countdownTimer = null; }
}

// A <span> that counts down to `iso`; `onExpire` runs once, when it reaches 0 while shown.
function countdown(iso, onExpire) {
  const at = parseTime(iso);
  if (!isFinite(at)) return "";
  const [shown, spoken] = countdownTexts(at - Date.now());
  const c = { at, onExpire,
    shown: el("span", { "aria-hidden": "true", "data-countdown-shown": "", text: shown }),
    spoken: el("span", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true", "data-countdown-spoken": "", text: spoken }) };
  c.box = el("span", { class: "countdown", title: localTime(iso), "data-countdown": iso }, [c.shown, c.spoken]);
  if (at > Date.now()) {
    countdowns.add(c);
    if (countdownTimer === null) countdownTimer = setInterval(tickCountdowns, 250);
  }
  return c.box;
}

function confirmationCard(ev) {
  const risk = ev.risk || "medium";
  const buttons = el("div", { class: "card-buttons" });
  const yes = el("button", { class: "btn btn-ok", type: "button", "data-confirm": ev.confirmation_id }, [icon("check"), el("span", { text: S["chat.confirm"] })]);
  const no = el("button", { class: "btn", type: "button", "data-cancel": ev.confirmation_id }, [icon("x"), el("span", { text: S["common.cancel"] })]);
  yes.addEventListener("click", async () => {
    yes.disabled = true; no.disabled = true;
    if (!(await send(lang() === "fr" ? "confirmer" : "confirm", { confirmation_id: ev.confirmation_id, action_hash: ev.action_hash }))) {
      yes.disabled = false; no.disabled = false;
    }
  });
  no.addEventListener("click", async () => {
    yes.disabled = true; no.disabled = true;
    if (!(await send(lang() === "fr" ? "annuler" : "cancel"))) { yes.disabled = false; no.disabled = false; }
  });
  buttons.append(yes, no);
  const title = el("div", { class: "card-title" }, [riskBadge(risk), el("span", { text: S["chat.confirm_title"] })]);
  const body = ev.card ? markdown(ev.card) : el("p", { text: ev.impact || ev.action });
  const details = facts([[S["chat.action"], actionFact(ev.action)], [S["chat.targets"], (ev.targets || []).join(", ")],
    [S["chat.expires"], ev.expires_at ? fmt("chat.valid_until", { when: localTime(ev.expires_at) }) : ""]]);
  return bubble("assistant", [title, body, details, buttons], `card-action risk-${risk}`);
}

const approvalInfo = new Map();  // approval id → the API's view (its runbook steps)
async function approvalDetails(id) {
  if (!approvalInfo.has(id)) {
    approvalInfo.set(id, CC.api("GET", "/api/v1/approvals").then((r) => {
      const list = r.ok && Array.isArray(r.data) ? r.data : [];
      for (const a of list) if (a.id !== id) approvalInfo.set(a.id, Promise.resolve(a));
      return list.find((a) => a.id === id) || null;
    }));
  }
  return approvalInfo.get(id);
}

function approvalCard(ev) {
  const risk = ev.risk || "high";
  const state = ev.state || "requested";
  const params = ev.parameters || {};
  const expired = state === "requested" && ev.expires_at && parseTime(ev.expires_at) < Date.now();
  const stateKey = expired ? "chat.state_expired" : `chat.state_${state}`;
  let node = null;
  const timer = state === "requested" ? countdown(ev.expires_at, () => expireApproval(node)) : "";
  const stepsBox = el("ol", { class: "steps-list small" });
  const children = [el("div", { class: "card-title" }, [riskBadge(risk), el("span", { text: S["chat.approval_title"] })]),
    facts([
      [S["chat.action"], actionFact(ev.action)],
      [S["chat.version"], params.version || ""],
      [S["chat.environment"], params.environment || ""],
      [S["chat.hosts"], (ev.targets || []).join(", ")],
      [S["chat.requested_by"], ev.requester || ""],
      [S["chat.risk"], riskBadge(risk)],
      [S["chat.deadline"], timer],
      [S["chat.steps"], stepsBox],
    ]),
    el("p", { class: `small approval-state state-${expired ? "expired" : state}` }, [
      state === "approved" ? mark("circle-check", "mark-ok", null) : (state === "rejected" || expired ? mark("circle-x", "mark-failed", null) : mark("hourglass", "mark-waiting", null)),
      el("span", { text: " " + (S[stateKey] || state) })])];
  const stepsRow = () => stepsBox.closest("div");
  approvalDetails(ev.approval_id).then((a) => {
    const steps = (a && a.steps) || [];
    if (!steps.length) { const row = stepsRow(); if (row) row.remove(); return; }
    stepsBox.replaceChildren(...steps.map((st) => el("li", { text: lang() === "fr" ? st.name_fr : st.name_en })));
  });
  if (isAdmin && state === "requested" && !expired && ev.requester !== root.dataset.me) {
    const reason = el("input", { type: "text", maxlength: "500", "aria-label": S["chat.reason"], placeholder: S["chat.reason"] });
    const approve = el("button", { class: "btn btn-ok", type: "button" }, [icon("check"), el("span", { text: S["chat.approve"] })]);
    const reject = el("button", { class: "btn btn-danger", type: "button" }, [icon("x"), el("span", { text: S["chat.reject"] })]);
    const decide = async (verb) => {
      approve.disabled = true; reject.disabled = true;
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      const r = await CC.api("POST", `/api/v1/approvals/${encodeURIComponent(ev.approval_id)}/${verb}`, body);
      if (!r.ok) { CC.toast(CC.problemText(r)); approve.disabled = false; reject.disabled = false; return; }
      if (r.data && r.data.approval) {
        const a = r.data.approval;
        approvalInfo.set(a.id, Promise.resolve(a));
        show({ type: "approval_required", conversation_id: null, approval_id: a.id, action: a.action, targets: a.targets,
          parameters: a.parameters, risk: a.risk, requester: a.requester, state: a.state, expires_at: a.expires_at });
      }
      if (r.data && r.data.reply && r.data.reply.conversation_id === current) handleTurn(r.data.reply, true);
      CC.toast(S["chat.decided"]);
    };
    approve.addEventListener("click", () => decide("approve"));
    reject.addEventListener("click", () => decide("reject"));
    children.push(el("div", { class: "card-buttons" }, [reason, approve, reject]));
  }
  const old = approvalCards.get(ev.approval_id);
  node = bubble("assistant", children, `card-action card-approval risk-${risk}`);
  node.dataset.approval = ev.approval_id;
  if (old && old.isConnected) { old.replaceWith(node); }  // the same request, its new state: one card, updated
  approvalCards.set(ev.approval_id, node);
  return node;
}

// Its time limit passed while shown: nobody can decide any more (the server refuses it too).
function expireApproval(node) {
  if (!node || !node.isConnected) return;
  const line = node.querySelector(".approval-state");
  if (line) {
    line.className = "small approval-state state-expired";
    line.replaceChildren(mark("circle-x", "mark-failed", null), el("span", { text: " " + S["chat.state_expired"] }));
  }
  for (const buttons of node.querySelectorAll(".card-buttons")) buttons.remove();
}

function progress(ev) {
  const key = `${ev.conversation_id}:${ev.action}`;
  let box = progressBoxes.get(key);
  if (!box || !box.isConnected) {
    const ul = el("ul", { class: "progress-list" });
    box = bubble("assistant", [el("div", { class: "small muted", text: actionName(ev.action) }), ul], "msg-progress");
    box.list = ul;
    box.texts = [];
    box.conversation = ev.conversation_id;
    progressBoxes.set(key, box);
  }
  const status = ev.status || "";
  const cls = status === "ok" || status === "step_done" ? "progress-ok" : (status === "running" || status === "step_started" ? "progress-running" : "progress-failed");
  const label = ev.step ? `${ev.step}/${ev.steps} ` : "";
  const text = `${label}${ev.text || (ev.host + ": " + status)}`;
  box.texts.push(ev.text || "");
  box.list.append(el("li", { class: cls, "data-host": ev.host || "" }, [
    cls === "progress-ok" ? mark("circle-check", "mark-ok", S["chat.mark_ok"]) : (cls === "progress-running" ? icon("loader-circle", "spin") : mark("circle-x", "mark-failed", S["chat.mark_failed"])),
    richText(text.replace(MARK_RE, "").trim())]));
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

// A reply says once what the live progress said: the progress lines move into it and leave its text.
function absorbProgress(ev) {
  const moved = [];
  for (const [key, box] of progressBoxes) {
    if (box.conversation !== ev.conversation_id) continue;
    progressBoxes.delete(key);
    if (!box.isConnected) continue;
    moved.push(box);
  }
  const said = new Set(moved.flatMap((b) => b.texts.map((t) => t.trim())).filter(Boolean));
  let content = String(ev.content || "");
  if (said.size) {
    content = content.split("\n").filter((line) => !said.has(line.trim())
      && !/^\u23F3 .*(running…|en cours…)$/.test(line.trim())).join("\n").replace(/^\s*\n/, "");
  }
  for (const b of moved) b.remove();
  return { content, lists: moved.map((b) => b.list) };
}

function optionButtons(meta) {
  const lng = meta.lang || lang();
  const title = el("p", { class: "small muted options-title", id: `opts-${++optionGroups}`, text: S["chat.options"] });
  const group = el("div", { class: "card-buttons options", role: "group", "aria-labelledby": title.id });
  meta.options.forEach((o, i) => {
    const label = o["label_" + lng] || o.label_en || o.label || actionName(o.action);
    const b = el("button", { class: "btn btn-small", type: "button", "data-option": String(i + 1) }, [el("span", { text: `${i + 1}. ${label}` })]);
    b.addEventListener("click", () => send(String(i + 1)));
    group.append(b);
  });
  return el("div", { class: "options-box" }, [title, group]);
}

function withoutOptionLines(content, options) {
  const labels = new Set();
  options.forEach((o, i) => { for (const l of [o.label_en, o.label_fr, o.label]) if (l) labels.add(`${i + 1}. ${l}`.trim()); });
  const heads = /^(Next steps|Suite possible|What I can do|Actions possibles)\s*:\s*$|^(Reply with a number|Répondez par un numéro)\.$/;
  return content.split("\n").filter((line) => !labels.has(line.trim()) && !heads.test(line.trim())).join("\n").trim();
}

function show(ev, live) {
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
    if (meta.approval && meta.approval.state === "requested" && seen.has(`a:${meta.approval.id}:requested`)) {
      const card = approvalCards.get(meta.approval.id);
      if (card && card.isConnected) { card.append(markdown(ev.content)); log.scrollTop = log.scrollHeight; return; }
    }
    let content = String(ev.content || "");
    let lists = [];
    if (ev.role === "assistant") {
      ({ content, lists } = absorbProgress(ev));
      if (meta.error || meta.refused) {
        for (const b of errorBubbles.splice(0)) if (b.isConnected) b.remove();
      }
    }
    const hasOptions = Array.isArray(meta.options) && meta.options.length;
    if (hasOptions) content = withoutOptionLines(content, meta.options);
    const children = [...lists, markdown(content)];
    if (meta.results) children.push(...dataBlocks(meta.results));
    if (hasOptions) children.push(optionButtons(meta));
    const node = bubble(ev.role, children, ev.role === "assistant" && (meta.error || meta.refused) ? "msg-error" : "");
    if (meta.approval && meta.approval.state === "requested" && !approvalCards.has(meta.approval.id)) {
      // A reopened conversation: the request's card again, in its current state, where the request was made.
      approvalDetails(meta.approval.id).then((a) => {
        if (!a || !node.isConnected || approvalCards.has(a.id)) return;
        const card = approvalCard({ type: "approval_required", conversation_id: ev.conversation_id, approval_id: a.id,
          action: a.action, targets: a.targets, parameters: a.parameters, risk: a.risk, requester: a.requester,
          state: a.state, expires_at: a.expires_at });
        card.append(...[...node.children].slice(1));
        node.replaceWith(card);
      });
    }
    if (meta.results) {
      const before = node.querySelector(".options-box");
      attachOutputs(node, ev, meta, live).then(() => {
        const outs = node.querySelector(".outputs");
        if (outs && before) node.append(before);  // the next steps stay last
        if (live) log.scrollTop = log.scrollHeight;
      });
    }
  } else if (ev.type === "confirmation_required") {
    confirmationCard(ev);
  } else if (ev.type === "approval_required") {
    approvalCard(ev);
  } else if (ev.type === "progress") {
    progress(ev);
  } else if (ev.type === "error") {
    const node = bubble("assistant", [el("p", { text: ev.message || ev.code })], "msg-error");
    if (ev.conversation_id) errorBubbles.push(node);
  }
  // `result` carries the same data as the assistant's message metadata; the message shows it.
}

function handleTurn(turn, fromApproval) {
  for (const ev of turn.events || []) show(ev, true);
  if (turn.message) show(turn.message, true);
  if (!fromApproval) loadConversations();
}

function lang() { return CC.lang; }

// --- conversations ---------------------------------------------------------------------------
function markUnread(id) {
  const b = list.querySelector(`button[data-id="${CSS.escape(id)}"]`);
  if (b && !b.querySelector(".unread")) b.prepend(el("span", { class: "unread", "aria-hidden": "true", text: "● " }));
}

let listRetry = null;
async function loadConversations() {
  const r = await CC.api("GET", "/api/v1/conversations?limit=50");
  if (!r.ok) {
    // Say it could not be read and when it will be read again; the list keeps what it showed (never "empty").
    const wait = r.retryAfter || 10;
    convError.replaceChildren(mark("triangle-alert", "mark-warning", S["chat.mark_warning"]),
      document.createTextNode(" " + fmt("chat.list_failed", { why: CC.problemText(r), n: wait })));
    convError.hidden = false;
    clearTimeout(listRetry);
    listRetry = setTimeout(loadConversations, wait * 1000);
    return false;
  }
  clearTimeout(listRetry);
  convError.hidden = true;
  const items = Array.isArray(r.data) ? r.data : (r.data.items || []);
  list.replaceChildren(...items.map((c) => {
    const b = el("button", { type: "button", "data-id": c.id, title: c.title || c.id, text: c.title || c.id.slice(0, 8) });
    if (c.id === current) b.setAttribute("aria-current", "true");
    b.addEventListener("click", () => open(c.id));
    return el("li", {}, [b]);
  }));
  emptyNote.hidden = items.length > 0;
  return true;
}

async function open(id) {
  current = id;
  sessionStorage.setItem("cc_conversation", id);
  seen.clear();
  progressBoxes.clear();
  commandIndex = { cid: null, promise: null };
  for (const node of [...log.children].slice(1)) if (!node.hasAttribute("data-unavailable")) node.remove();
  for (const b of list.querySelectorAll("button")) b.toggleAttribute("aria-current", b.dataset.id === id);
  const r = await CC.api("GET", `/api/v1/conversations/${encodeURIComponent(id)}/messages?limit=200`);
  if (r.ok) {
    for (const m of r.data) show({ type: "message", conversation_id: id, message_id: m.id, role: m.role, content: m.content, metadata: m.metadata, created_at: m.created_at });
  }
}

function refused(r) {
  // A refused send (rate limit, server error): say what happened and when to retry; the draft stays.
  const wait = r.status === 429 ? (r.retryAfter || 5) : 0;
  bubble("assistant", [el("p", { text: CC.problemText(r) }),
    el("p", { class: "small", text: wait ? fmt("chat.retry_in", { n: wait }) : S["chat.send_failed"] })], "msg-error");
  if (wait) {
    cooldownUntil = Date.now() + wait * 1000;
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    setTimeout(() => { if (Date.now() >= cooldownUntil) button.disabled = false; }, wait * 1000 + 50);
  }
}

let creating = null;  // one conversation created at a time: a request sent meanwhile waits for it
async function ensureConversation() {
  if (current) return current;
  if (!creating) {
    creating = (async () => {
      const r = await CC.api("POST", "/api/v1/conversations", {});
      if (!r.ok) { refused(r); return null; }
      current = r.data.id;
      sessionStorage.setItem("cc_conversation", current);
      await loadConversations();
      return current;
    })().finally(() => { creating = null; });
  }
  return creating;
}

async function send(text, extra) {
  const id = await ensureConversation();
  if (!id) return false;
  const r = await CC.api("POST", `/api/v1/conversations/${encodeURIComponent(id)}/messages`, Object.assign({ text }, extra || {}));
  if (!r.ok) { refused(r); return false; }
  handleTurn(r.data, false);
  return true;
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
    if (ev && ev.type && ev.type !== "pong") show(ev, true);
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
      parameters: a.parameters, risk: a.risk, requester: a.requester, state: a.state, expires_at: a.expires_at });
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
  if (Date.now() < cooldownUntil) return;
  sent.push(text);
  recall = -1;
  input.value = "";
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  let ok = false;
  try { ok = await send(text); } finally {
    if (!ok && !input.value) input.value = text;  // the draft is kept to send again
    button.disabled = Date.now() < cooldownUntil;
    input.focus();
  }
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
