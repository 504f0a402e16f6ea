// ChatOps Commander — page behaviour without inline scripts (CSP: script-src 'self').
// CSRF double submit: the readable `cc_csrf` cookie is echoed in `X-CSRF-Token` on every state change.
(function () {
  "use strict";
  const lang = document.body.dataset.lang || "en";

  function cookie(name) {
    const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function headers(extra) {
    return Object.assign({ "X-CSRF-Token": cookie("cc_csrf"), "Accept-Language": lang, Accept: "application/json" }, extra || {});
  }

  let refreshing = null;
  async function refresh() {
    if (!cookie("cc_csrf")) return false;
    if (!refreshing) {
      refreshing = fetch("/api/v1/auth/refresh", { method: "POST", headers: headers(), credentials: "same-origin" })
        .then((r) => r.ok).catch(() => false).finally(() => { setTimeout(() => { refreshing = null; }, 0); });
    }
    return refreshing;
  }

  // JSON API call; refreshes the session once on 401. Returns {ok, status, data}.
  async function api(method, url, body) {
    const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }), credentials: "same-origin" };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response = await fetch(url, init);
    if (response.status === 401 && !url.startsWith("/api/v1/auth/login") && (await refresh())) {
      init.headers = headers(body === undefined ? {} : { "Content-Type": "application/json" });
      response = await fetch(url, init);
    }
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    }
    let data = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) data = await response.json();
    return { ok: response.ok, status: response.status, data, retryAfter: Number(response.headers.get("retry-after")) || 0 };
  }

  function problemText(result) {
    const d = result.data || {};
    let text = d.detail || d.title || String(result.status);
    if (Array.isArray(d.errors) && d.errors.length && !String(text).includes(d.errors[0].message)) {
      text += " — " + d.errors.map((e) => e.field + ": " + e.message).join("; ");
    }
    return text;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v; else if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function icon(name, cls) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "icon " + (cls || ""));
    svg.setAttribute("aria-hidden", "true");
    const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
    use.setAttribute("href", "/static/icons.svg#i-" + name);
    svg.append(use);
    return svg;
  }

  let toastTimer = null;
  function toast(text) {
    const box = document.querySelector("[data-toast]");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  function flash(form, ok, text, secret) {
    const box = form.querySelector("[data-flash]");
    const node = el("div", { class: "alert " + (ok ? "alert-ok" : "alert-error"), role: ok ? "status" : "alert" },
      [icon(ok ? "circle-check" : "circle-x"), el("span", { text })]);
    if (secret !== undefined) {
      const values = Array.isArray(secret) ? secret : [secret];
      for (const v of values) node.append(el("code", { class: "secret mono", text: String(v) }));
    }
    if (box) { box.replaceChildren(node); } else { toast(text); }
  }

  // <form data-api="/api/v1/x/{field}" data-method="POST"> → JSON body from its fields.
  function formBody(form) {
    const body = {};
    let url = form.dataset.api;
    for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
      const type = input.dataset.type || "";
      const name = input.name;
      if (input.hasAttribute("data-path") || url.includes("{" + name + "}")) {
        url = url.replace("{" + name + "}", encodeURIComponent(input.value));
        continue;
      }
      if (type === "bool") { body[name] = input.checked; continue; }
      if (type === "multi") { if (!body[name]) body[name] = []; if (input.checked) body[name].push(input.value); continue; }
      if (input.type === "radio" && !input.checked) continue;
      const value = input.value.trim();
      if (value === "") continue;
      if (type === "int") body[name] = parseInt(value, 10);
      else if (type === "list") body[name] = value.split(",").map((v) => v.trim()).filter(Boolean);
      else body[name] = value;
    }
    return { url, body };
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-api]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    try {
      const { url, body } = formBody(form);
      const result = await api(form.dataset.method || "POST", url, body);
      if (!result.ok) { flash(form, false, problemText(result)); return; }
      const shown = form.dataset.show && result.data ? result.data[form.dataset.show] : undefined;
      flash(form, true, form.dataset.ok || "✅", shown);
      if (form.dataset.event) document.body.dispatchEvent(new CustomEvent(form.dataset.event, { bubbles: true }));
      if (form.hasAttribute("data-reload")) window.location.reload();
      else if (form.dataset.method === "POST" && !form.dataset.show) form.reset();
    } catch (err) {
      flash(form, false, String(err));
    } finally {
      if (button) button.disabled = false;
    }
  });

  document.addEventListener("change", async (event) => {
    const form = event.target.closest("form[data-submit-on-change]");
    if (form) form.requestSubmit();
    const prefs = event.target.closest("form[data-prefs]");
    if (prefs && (event.target.name === "lang" || event.target.name === "theme")) {
      const name = event.target.name === "lang" ? "cc_lang" : "cc_theme";
      document.cookie = name + "=" + encodeURIComponent(event.target.value) + "; path=/; max-age=31536000; samesite=strict";
      // The language is also the account's: the assistant falls back to it, on every device.
      if (name === "cc_lang") await api("PATCH", "/api/v1/auth/me", { language: event.target.value });
      window.location.reload();
    }
  });

  document.addEventListener("click", async (event) => {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      const bar = document.getElementById("sidebar");
      const open = !bar.classList.contains("open");
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
      return;
    }
    const logout = event.target.closest("[data-logout]");
    if (logout) {
      await api("POST", logout.hasAttribute("data-logout-all") ? "/api/v1/auth/logout-all" : "/api/v1/auth/logout");
      window.location.assign("/login");
      return;
    }
    const action = event.target.closest("[data-api-delete], [data-api-post]");
    if (action) {
      if (action.dataset.confirm && !window.confirm(action.dataset.confirm)) return;
      const del = action.hasAttribute("data-api-delete");
      const result = await api(del ? "DELETE" : "POST", del ? action.dataset.apiDelete : action.dataset.apiPost);
      if (!result.ok) { toast(problemText(result)); return; }
      if (action.dataset.event) document.body.dispatchEvent(new CustomEvent(action.dataset.event, { bubbles: true }));
      if (action.hasAttribute("data-reload")) window.location.reload();
      return;
    }
    const enroll = event.target.closest("[data-enroll-start]");
    if (enroll) {
      const result = await api("POST", "/api/v1/auth/2fa/enroll");
      if (!result.ok) { toast(problemText(result)); return; }
      const box = enroll.closest("[data-enroll]");
      const img = box.querySelector("[data-enroll-qr]");
      img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(result.data.qr_svg)));
      box.querySelector("[data-enroll-uri]").textContent = result.data.otpauth_uri;
      const secret = box.querySelector("[data-enroll-secret]");
      if (secret) secret.textContent = new URL(result.data.otpauth_uri).searchParams.get("secret") || "";
      box.querySelector("[data-enroll-step]").hidden = false;
      enroll.hidden = true;
      box.querySelector("input[name=code]").focus();
    }
  });

  // htmx: CSRF + language on its requests; a lost session sends you to the login page (it refreshes first).
  document.addEventListener("htmx:configRequest", (event) => {
    event.detail.headers["X-CSRF-Token"] = cookie("cc_csrf");
    event.detail.headers["Accept-Language"] = lang;
  });
  document.addEventListener("htmx:sendError", () => toast(document.body.dataset.offline || "…"));

  // Login page: an expired access token but a live refresh cookie → back where you were, no password.
  const login = document.querySelector("[data-login]");
  if (login && cookie("cc_csrf")) {
    refresh().then((ok) => { if (ok) window.location.assign(login.dataset.next || "/dashboard"); });
  }

  // Dashboard: alert events pushed by the server (SSE) refresh the fleet at once; the 15 s poll stays as fallback.
  if (document.getElementById("fleet") && window.EventSource) {
    const stream = new EventSource("/events/alerts");
    let pending = 0;
    stream.addEventListener("alert", () => {
      clearTimeout(pending);  // a burst of alerts → one refresh
      pending = setTimeout(() => document.body.dispatchEvent(new CustomEvent("fleet-changed", { bubbles: true })), 300);
    });
    window.addEventListener("pagehide", () => stream.close());
  }

  window.CC = { api, toast, icon, el, cookie, problemText, lang };
})();
