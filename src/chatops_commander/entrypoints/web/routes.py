"""Server-rendered pages (Jinja2 + htmx): a thin door to the same application services as the API.

Pages read through the services with the principal of the `cc_access` cookie (GET needs no CSRF);
state changes go to the JSON API from `static/js/app.js` with the double-submit CSRF header, except
the few that have no API yet (login form, inventory import, connection test), which are POSTs here,
checked the same way (`check_csrf`). Every template is autoescaped; markdown is rendered in the
browser by marked and sanitized by DOMPurify.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from uuid import UUID

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from chatops_commander import bootstrap
from chatops_commander.bootstrap import Container
from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
from chatops_commander.domain.errors import DomainError
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditEvent
from chatops_commander.entrypoints.api.deps import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    check_csrf,
    request_info,
    session_csrf,
)
from chatops_commander.entrypoints.web import i18n, sparkline, sse
from chatops_commander.services import access, audit, auth, monitoring
from chatops_commander.services import commands as commands_service
from chatops_commander.services import servers as server_service
from chatops_commander.services import users as user_service
from chatops_commander.services.monitoring_runtime import AlertEvent
from chatops_commander.services.ports_monitoring import AlertQuery
from chatops_commander.services.principal import Principal

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
STATIC_URL = "/static"
HISTORY_PAGE = 100
CARDS_PAGE = 24  # server cards in the first render; the next ones load as they scroll into view
SSE_QUEUE = 100  # alert events kept for a slow dashboard stream
SSE_KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle stream
HISTORY_EXPORT_MAX = 100_000
RISKS = ("low", "medium", "high", "critical")
RISK_ICONS = {"low": "shield-check", "medium": "circle-alert", "high": "triangle-alert", "critical": "octagon-alert"}
STATUS_ICONS = {"online": "circle-check", "offline": "circle-x", "unknown": "circle-alert", "error": "triangle-alert"}

_env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True)
templates = Jinja2Templates(env=_env)
router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Mount the pages and `/static` (vendored files with their licences; nothing from a CDN)."""
    from chatops_commander.entrypoints.web import pages

    app.include_router(router)
    from chatops_commander.entrypoints.web import link_pages  # chat platforms: /link/{token} (imports this module)
    app.include_router(link_pages.router)
    pages.install(app)  # settings, server diagnosis, live fleet, 403/404 pages (entrypoints/web/pages.py)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")


# --- request context ---------------------------------------------------------------------------

def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def _principal(request: Request) -> Principal | None:
    token = request.cookies.get(ACCESS_COOKIE, "")
    if not token:
        return None
    container = _container(request)
    try:
        return await auth.authenticate(container.uow, container.security, token, via_cookie=True,
                                       info=request_info(request))
    except DomainError:
        return None


def _lang(request: Request, principal: Principal | None) -> str:
    return i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"),
                                principal.language if principal and principal.language_chosen else None)


def _theme(request: Request) -> str:
    theme = request.cookies.get(i18n.THEME_COOKIE, "dark")
    return theme if theme in i18n.THEMES else "dark"


def _api_paths(request: Request) -> dict[str, Any]:
    """The mounted API's paths, from its OpenAPI document (built once per app and cached by FastAPI)."""
    paths: dict[str, Any] = request.app.openapi().get("paths", {})
    return paths


def api_has(request: Request, method: str, path: str) -> bool:
    """Whether a sibling team's API route is mounted in this build (pages degrade when it is not)."""
    return method.lower() in _api_paths(request).get(path, {})


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or urlsplit(value).netloc:
        return "/dashboard"
    return value


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target, safe='')}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _fmt_time(value: datetime | str | None, lang: str) -> str:
    if value is None:
        return i18n.translate(lang, "common.never")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return value.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC" if lang == "fr" else "%Y-%m-%d %H:%M UTC")


def _render(request: Request, template: str, principal: Principal | None, *, status_code: int = 200,
            active: str = "", **context: Any) -> HTMLResponse:
    lang = _lang(request, principal)

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    base = {
        "request": request, "lang": lang, "t": t, "theme": _theme(request), "user": principal, "active": active,
        "is_admin": bool(principal and principal.role.at_least(Role.ADMIN)),
        "can_execute": bool(principal and principal.role.at_least(Role.OPERATOR)),
        "static": STATIC_URL, "risk_icons": RISK_ICONS, "status_icons": STATUS_ICONS, "risks": RISKS,
        "fmt_time": lambda v: _fmt_time(v, lang),
    }
    response = templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


# --- entry, login, onboarding ------------------------------------------------------------------

@router.get("/")
async def root(request: Request) -> Response:
    return RedirectResponse("/dashboard" if await _principal(request) else "/login", status_code=303)


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    principal = await _principal(request)
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _render(request, "login.html", None, next=_safe_next(next), step="password", email="", error=None)


@router.post("/login")
async def login_submit(
    request: Request, email: str = Form(max_length=255), password: str = Form(default="", max_length=1024),
    totp: str | None = Form(default=None, max_length=64), next: str = Form(default="/dashboard"),
    ticket: str | None = Form(default=None, max_length=2048),
) -> Response:
    """htmx-only (a cross-site form cannot add `HX-Request`): sets the session cookies, or shows the 2FA step,
    which carries a short-lived signed login ticket, never the password."""
    from chatops_commander.domain.security.errors import CredentialRejected
    from chatops_commander.entrypoints.api.routers.auth import _set_cookies

    if request.headers.get("hx-request") != "true":
        return Response(status_code=400)
    container = _container(request)
    lang = _lang(request, None)
    target = _safe_next(next)
    try:
        pair = await auth.login(container.uow, container.security, email=email, password=password,
                                totp=totp or None, info=request_info(request), ticket=ticket or None)
    except CredentialRejected as exc:
        if exc.reason == "totp_required":
            issued = ticket or await auth.issue_login_ticket(container.uow, container.security, email)
            return _render(request, "partials/login_form.html", None, next=target, step="totp", email=email,
                           ticket=issued, error=None)
        if exc.reason.startswith(("totp", "recovery")) and ticket:  # a wrong code: ask again, same ticket
            return _render(request, "partials/login_form.html", None, next=target, step="totp", email=email,
                           ticket=ticket, error=exc.localized(lang))
        error = (i18n.translate(lang, "login.bad") if exc.reason in ("bad_credentials", "unknown_email", "bad_password")
                 else exc.localized(lang))
        return _render(request, "partials/login_form.html", None, next=target, email=email, step="password",
                       error=error)
    except DomainError as exc:
        return _render(request, "partials/login_form.html", None, next=target, email=email, step="password",
                       error=exc.localized(lang))
    response = Response(status_code=204, headers={"HX-Redirect": target})
    _set_cookies(response, container.settings, pair, container.security)
    return response


@router.get("/welcome")
async def welcome(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    visible = await server_service.list_servers(_container(request).uow, principal)
    return _render(request, "welcome.html", principal, active="", servers=visible,
                   remote=[s for s in visible if s.name != "localhost"])


# --- dashboard ---------------------------------------------------------------------------------

async def _fleet(container: Container, principal: Principal) -> dict[str, Any]:
    from chatops_commander.entrypoints.web.dashboard_live import refresh_after_actions, service_rows

    summary = await monitoring.fleet_summary(container.uow, principal)  # already the servers they may read
    if await refresh_after_actions(container, principal, summary["items"]):  # an action since: show its effect
        summary = await monitoring.fleet_summary(container.uow, principal)
    items = summary["items"]
    alerts, total = await monitoring.list_alerts(container.uow, principal, AlertQuery(resolved=False, limit=20))
    names = {row["id"]: row["name"] for row in summary["items"]}
    online = sum(1 for row in items if row["status"] == "online")
    return {"items": sorted(items, key=lambda r: (r["status"] == "online", r["name"])), "online": online,
            "service_rows": service_rows(items),
            "offset": 0, "page": CARDS_PAGE,
            "count": len(items), "alerts": alerts, "alerts_total": total, "server_names": names,
            "alert_counts": summary["open_alerts"]}


@router.get("/dashboard")
async def dashboard(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    fleet = await _fleet(_container(request), principal)
    return _render(request, "dashboard.html", principal, active="dashboard", **fleet)


@router.get("/dashboard/fleet")
async def dashboard_fleet(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    fleet = await _fleet(_container(request), principal)
    return _render(request, "partials/fleet.html", principal, **fleet)


@router.get("/events/alerts")
async def alert_events(request: Request) -> Response:
    """Server-sent events: each alert opened, changed or resolved on a server the user may read (or on none),
    so the dashboard refreshes at once instead of at its next 15 s poll. Events come from this process's
    collector; the poll stays as the fallback (another replica's collector, a dropped stream)."""
    principal = await _principal(request)
    if principal is None:
        return Response(status_code=401)
    container = _container(request)
    async with container.uow() as uow:
        readable = await server_service.readable_server_ids(uow, principal)
    lang = _lang(request, principal)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=SSE_QUEUE)

    async def on_event(event: AlertEvent) -> None:
        server_id = event.alert.server_id
        if readable is not None and server_id is not None and server_id not in readable:
            return
        if queue.full():
            queue.get_nowait()  # a slow reader loses the oldest event, never slows the collector
        queue.put_nowait(event.as_dict(lang))

    unsubscribe = container.alert_hub.subscribe(on_event)

    async def frame(item: dict[str, Any]) -> str:
        return f"event: alert\ndata: {json.dumps(item, ensure_ascii=False)}\n\n"

    return sse.event_stream(request, queue, frame, keepalive_s=SSE_KEEPALIVE_S, on_close=unsubscribe)


@router.get("/dashboard/cards")
async def dashboard_cards(request: Request, offset: int = 0) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    fleet = await _fleet(_container(request), principal)
    fleet["offset"] = max(0, min(offset, len(fleet["items"])))
    return _render(request, "partials/cards.html", principal, **fleet)


@router.get("/dashboard/spark/{server_id}")
async def dashboard_spark(request: Request, server_id: UUID) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    container = _container(request)
    await server_service.get_server(container.uow, principal, server_id)  # read permission on that server
    start, end = monitoring.default_range(datetime.now(UTC), hours=1.0)
    series = await monitoring.metric_series(container.uow, server_id, start, end, limit=120)
    load = [s["load"]["1m"] if s.get("load") else None for s in series]
    memory = [s["memory"]["percent"] if s.get("memory") else None for s in series]
    disk = [max((d["percent"] for d in s.get("disks") or []), default=None) for s in series]
    return _render(request, "partials/sparks.html", principal,
                   sparks=[("dash.load", sparkline.path(load), sparkline.last(load), ""),
                           ("dash.memory", sparkline.path(memory, top=100.0), sparkline.last(memory), "%"),
                           ("dash.disk", sparkline.path(disk, top=100.0), sparkline.last(disk), "%")])


# --- chat --------------------------------------------------------------------------------------

def _suggestions(container: Container, lang: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for spec in bootstrap.catalog_specs(container.settings):
        verbs = spec.vocabulary.verbs.get(lang) or ()
        nouns = spec.vocabulary.nouns.get(lang) or ()
        phrase = " ".join(p for p in (verbs[0] if verbs else "", nouns[0] if nouns else "") if p).strip()
        if not phrase:
            continue
        out.append({"id": spec.id, "phrase": phrase, "summary": spec.summary.get(lang, spec.summary.get("en", "")),
                    "risk": spec.risk.value,
                    "words": " ".join((spec.id, *verbs, *nouns, spec.summary.get(lang, ""))).lower()})
    return sorted(out, key=lambda s: s["phrase"])


_SUGGESTION_CACHE: dict[tuple[int, str], list[dict[str, str]]] = {}


def suggestions(container: Container, lang: str) -> list[dict[str, str]]:
    key = (id(container), lang)
    if key not in _SUGGESTION_CACHE:
        _SUGGESTION_CACHE[key] = _suggestions(container, lang)
    return _SUGGESTION_CACHE[key]


@router.get("/chat")
async def chat(request: Request, q: str | None = None) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    lang = _lang(request, principal)
    available = api_has(request, "POST", "/api/v1/conversations/{conversation_id}/messages")
    strings = i18n.catalog(lang, "chat.") | i18n.catalog(lang, "risk.") | i18n.catalog(lang, "common.")
    summaries = {spec.id: spec.summary.get(lang) or spec.summary.get("en", "")
                 for spec in bootstrap.catalog_specs(_container(request).settings)}  # cards say what, not an id
    return _render(request, "chat.html", principal, active="chat", chat_available=available,
                   ws_available=available, prefill=(q or "")[:500],
                   strings_json=json.dumps(strings, ensure_ascii=False),
                   actions_json=json.dumps(summaries, ensure_ascii=False))


@router.get("/chat/suggest")
async def chat_suggest(request: Request, q: str = "") -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    lang = _lang(request, principal)
    words = [w for w in q.lower().split() if len(w) > 1][:6]
    items = [s for s in suggestions(_container(request), lang) if words and all(w in s["words"] for w in words[:1])]
    return _render(request, "partials/suggestions.html", principal, items=items[:8])


# --- history -----------------------------------------------------------------------------------

def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _event_row(e: AuditEvent) -> dict[str, Any]:
    details = dict(e.details)
    server = details.get("server") or details.get("servers") or details.get("host") or ""
    if isinstance(server, list):
        server = ", ".join(str(s) for s in server)
    return {"seq": e.seq, "when": e.occurred_at, "actor": e.actor, "action": e.action.value,
            "outcome": e.outcome.value, "target": e.target or "", "server": str(server),
            "source_ip": e.source_ip or "", "details": details, "hash": e.hash}


def _matches(row: dict[str, Any], f: dict[str, str]) -> bool:
    if f["user"] and f["user"].lower() not in row["actor"].lower():
        return False
    if f["server"]:
        needle = f["server"].lower()
        if needle not in row["server"].lower() and needle not in row["target"].lower():
            return False
    if f["action"] and not row["action"].startswith(f["action"]):
        return False
    return not (f["outcome"] and row["outcome"] != f["outcome"])


async def _audit_head(container: Container, principal: Principal) -> int:
    """The last sequence number, found with a few one-row reads (exponential, then binary search)."""
    async def exists(seq: int) -> bool:
        return bool(await audit.browse(container.uow, principal, after_seq=seq - 1, limit=1)) if seq > 0 else True

    high = 1
    while await exists(high):
        high *= 2
    low = high // 2  # exists(low) is true (or low == 0)
    while high - low > 1:
        mid = (low + high) // 2
        if await exists(mid):
            low = mid
        else:
            high = mid
    return low


async def _history_rows(request: Request, principal: Principal, f: dict[str, str],
                        limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """The newest `limit` events matching the filters, newest first, read backwards in windows from the head.

    The second value is the number of matches when the whole trail was read, else None (there are more).
    """
    container = _container(request)
    start, end = _parse_day(f["from"]), _parse_day(f["to"])
    since = datetime.combine(start, time.min, tzinfo=UTC) if start else None
    until = datetime.combine(end, time.min, tzinfo=UTC) + timedelta(days=1) if end else None
    head = await _audit_head(container, principal)
    window = max(2 * limit, 200)
    rows: list[dict[str, Any]] = []
    upper = head
    while upper > 0 and len(rows) < limit:
        lower = max(0, upper - window)
        batch = await audit.browse(container.uow, principal, after_seq=lower, limit=upper - lower)
        for e in reversed(batch):
            if until is not None and e.occurred_at >= until:
                continue
            if since is not None and e.occurred_at < since:
                upper = 0
                break
            row = _event_row(e)
            if _matches(row, f):
                rows.append(row)
                if len(rows) >= limit:
                    break
        else:
            upper = lower
            window = min(window * 2, 5000)  # filters that match rarely: read bigger windows
    complete = upper <= 0 or len(rows) < limit
    return rows, (len(rows) if complete else None)


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {k: (q.get(k) or "").strip()[:128] for k in ("user", "server", "action", "outcome", "from", "to")}


@router.get("/history")
async def history(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
    from chatops_commander.entrypoints.web import history_view

    f = _filters(request)
    admin = principal.role.at_least(Role.ADMIN)
    lang = _lang(request, principal)
    actions, outcomes = sorted(a.value for a in AuditAction), sorted(o.value for o in AuditOutcome)
    errors = history_view.filter_errors(f, lang, actions=actions, outcomes=outcomes,
                                        label=lambda key: i18n.translate(lang, key))
    rows, total = (await _history_rows(request, principal, f, HISTORY_PAGE) if admin and not errors
                   else ([], 0))
    mine: list[CommandRecord] = []
    if not admin:  # the audit trail is for admins; everyone sees their own commands
        uow: Any = _container(request).uow  # the SQL unit of work also serves the chat repositories
        mine, total = await commands_service.list_commands(uow, principal, CommandQuery(limit=HISTORY_PAGE))
    template = "partials/history_rows.html" if request.headers.get("hx-request") else "history.html"
    export_query = "&".join(f"{k}={quote(v)}" for k, v in f.items() if v)
    return _render(request, template, principal, active="history", rows=rows, total=total, f=f,
                   actions=actions, outcomes=outcomes, export_query=export_query, mine=mine, errors=errors,
                   detail_fields=history_view.detail_fields, status_code=422 if errors else 200)


@router.get("/history/export.{fmt}")
async def history_export(request: Request, fmt: str) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    if fmt not in ("csv", "json"):
        return Response(status_code=404)
    rows, _ = await _history_rows(request, principal, _filters(request), HISTORY_EXPORT_MAX)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Content-Disposition": f'attachment; filename="chatops-history-{stamp}.{fmt}"',
               "Cache-Control": "no-store"}
    if fmt == "json":
        body = json.dumps([{**r, "when": r["when"].isoformat()} for r in rows], ensure_ascii=False, indent=1)
        return Response(body, media_type="application/json", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["seq", "when", "actor", "action", "outcome", "target", "server", "source_ip", "details",
                     "hash"])
    for r in rows:
        writer.writerow([r["seq"], r["when"].isoformat(), _csv_cell(r["actor"]), r["action"], r["outcome"],
                         _csv_cell(r["target"]), _csv_cell(r["server"]), r["source_ip"],
                         _csv_cell(json.dumps(r["details"], ensure_ascii=False)), r["hash"]])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _csv_cell(value: str) -> str:
    """No formula injection when the file is opened in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- servers -----------------------------------------------------------------------------------

@router.get("/servers")
async def servers_page(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    from chatops_commander.entrypoints.web.servers_pages import reasons

    visible = await server_service.list_servers(_container(request).uow, principal)
    template = "partials/servers_table.html" if request.headers.get("hx-request") else "servers.html"
    return _render(request, template, principal, active="servers", servers=visible,
                   reasons=await reasons(_container(request), principal, _lang(request, principal)))


@router.post("/servers/import")
async def servers_import(request: Request, inventory: str = Form(max_length=1_000_000),
                         fmt: str = Form(default="auto", pattern="^(auto|ini|yaml|ssh)$")) -> Response:
    principal = await _post_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = _lang(request, principal)
    container = _container(request)
    try:
        drafts = bootstrap.parse_inventory_text(inventory, None if fmt == "auto" else fmt)
        report = await server_service.import_servers(container.uow, principal, drafts)
    except DomainError as exc:  # refused or invalid: its status (403, 422…), a fragment htmx still swaps in
        return _render(request, "partials/flash.html", principal, ok=False, text=exc.localized(lang),
                       problems=getattr(exc, "problems", ()), status_code=exc.status_hint)
    text = (f"✅ {len(report.created)} ajouté(s), {len(report.updated)} mis à jour." if lang == "fr"
            else f"✅ {len(report.created)} added, {len(report.updated)} updated.")
    response = _render(request, "partials/flash.html", principal, ok=True, text=text, problems=())
    response.headers["HX-Trigger"] = "servers-changed"
    return response


@router.post("/servers/{server_id}/test")
async def servers_test(request: Request, server_id: UUID) -> Response:
    """Connect once (a read-only platform probe); a first SSH contact pins the host key (TOFU policy)."""
    principal = await _post_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = _lang(request, principal)
    container = _container(request)
    try:
        check = await server_service.check_connection(container.uow, container.fanout.executor, principal,
                                                      server_id)
    except DomainError as exc:  # refused (403), unknown server (404)…: said with its status
        return _render(request, "partials/flash.html", principal, ok=False, text=exc.localized(lang), problems=(),
                       status_code=exc.status_hint)
    return _render(request, "partials/flash.html", principal, ok=check.ok, text=check.message(lang), problems=())


async def _post_principal(request: Request) -> Principal | Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    container = _container(request)
    try:
        await check_csrf(request, container.uow, request_info(request),
                         expected=session_csrf(container.security, principal))
        await access.require_may_change(container.uow, principal, action=f"POST {request.url.path}")
    except DomainError as exc:
        return _render(request, "partials/flash.html", principal, ok=False,
                       text=exc.localized(_lang(request, principal)), problems=(), status_code=403)
    return principal


# --- users and permissions ---------------------------------------------------------------------

@router.get("/users")
async def users_page(request: Request, selected: UUID | None = None) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    container = _container(request)
    admin = principal.role.at_least(Role.ADMIN)
    if not admin:  # the product's 403 page, not the API's JSON
        from chatops_commander.entrypoints.web import errors

        return errors.forbidden(request, principal)
    people = await user_service.list_users(container.uow, principal) if admin else []
    chosen = next((u for u in people if u.id == selected), None)
    permissions = (await user_service.list_permissions(container.uow, principal, chosen.id)
                   if chosen is not None and chosen.id is not None else [])
    tag_permissions = (await user_service.list_tag_permissions(container.uow, principal, chosen.id)
                       if chosen is not None and chosen.id is not None else [])
    visible = await server_service.list_servers(container.uow, principal) if admin else []
    known_tags = sorted({tag for s in visible for tag in s.tags})
    template = "users.html"
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "permissions":
        template = "partials/permissions.html"
    return _render(request, template, principal, active="users", people=people, chosen=chosen,
                   permissions=permissions, servers=visible, roles=[r.value for r in Role],
                   tag_permissions=tag_permissions, known_tags=known_tags)


__all__ = ["CSRF_COOKIE", "api_has", "install", "router"]
