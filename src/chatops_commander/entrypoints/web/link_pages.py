"""`/link/{token}`: a chat user confirms, logged in to the web UI, that their chat identity is this account.

The token comes from the bot ("link my account"): single use, short-lived; only its hash is stored. GET shows
what will be linked (nothing changes); POST (CSRF-checked like every page form) links it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chatops_commander import bootstrap_platforms
from chatops_commander.domain.errors import DomainError
from chatops_commander.entrypoints.web.routes import (
    _container,
    _lang,
    _login_redirect,
    _post_principal,
    _principal,
    _render,
)

router = APIRouter(include_in_schema=False)

TEXTS = {
    "title": ("Link a chat identity", "Lier une identité de chat"),
    "intro": ("The {platform} user {who} asked to act as your account ({email}) from the chat. Confirm only if it "
              "is you: everything they run will be yours.",
              "L'utilisateur {platform} {who} demande à agir avec votre compte ({email}) depuis le chat. Ne confirmez "
              "que si c'est vous : tout ce qu'il exécutera sera à votre nom."),
    "confirm": ("Link my account", "Lier mon compte"),
    "done": ("Linked: {platform} user {who} now acts as {email}. You can go back to the chat.",
             "C'est lié : l'utilisateur {platform} {who} agit désormais en tant que {email}. Retournez au chat."),
}


def text(key: str, lang: str, **values: str) -> str:
    en, fr = TEXTS[key]
    return (fr if lang == "fr" else en).format(**values)


@router.get("/link/{token}")
async def link_page(request: Request, token: str) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _login_redirect(request)
    lang = _lang(request, principal)
    try:
        pending = await bootstrap_platforms.linking(_container(request)).pending(token)
    except DomainError as exc:
        return _render(request, "link.html", principal, title=text("title", lang), error=exc.localized(lang),
                       status_code=404)
    who = pending.display_name or pending.user_id
    return _render(request, "link.html", principal, title=text("title", lang), token=token,
                   intro=text("intro", lang, platform=pending.platform.value.capitalize(), who=who,
                              email=principal.email), confirm=text("confirm", lang))


@router.post("/link/{token}")
async def link_confirm(request: Request, token: str) -> Response:
    principal = await _post_principal(request)
    if isinstance(principal, Response):
        return principal
    lang = _lang(request, principal)
    try:
        identity = await bootstrap_platforms.linking(_container(request)).confirm(token, principal)
    except DomainError as exc:
        return _render(request, "partials/flash.html", principal, ok=False, text=exc.localized(lang), problems=(),
                       status_code=404)
    return _render(request, "partials/flash.html", principal, ok=True, problems=(),
                   text=text("done", lang, platform=identity.platform.value.capitalize(),
                             who=identity.display_name or identity.user_id, email=principal.email))
