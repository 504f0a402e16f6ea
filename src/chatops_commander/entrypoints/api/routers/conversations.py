"""Conversations and chat turns over REST (the WebSocket `/api/v1/ws` is the other door to the same service).

`POST /conversations/{id}/messages` runs one chat turn and returns the assistant's reply plus every
event of the turn, in order (`message`, `confirmation_required`, `approval_required`, `progress`,
`result`, `error`; schema in docs/chat-events.md and the `ChatEvent` component below).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from chatops_commander import bootstrap
from chatops_commander.domain.chat.records import ChatMessage, Conversation
from chatops_commander.entrypoints.api.deps import ContainerDep, PrincipalDep
from chatops_commander.entrypoints.api.schemas import NO_NUL
from chatops_commander.services import commands as commands_service
from chatops_commander.services.chat import ChatService

router = APIRouter(tags=["chat"])

EVENTS_DOC = """Chat events (JSON objects, one per WebSocket frame; in order in `events` of a REST turn).
Every event has `type` and `conversation_id`:

* `message` — `message_id`, `role` (user|assistant), `content`, `lang`, `metadata` (structured data: tables,
  `options` = numbered next steps, `confirmation`, `approval`), `created_at`.
* `confirmation_required` — `confirmation_id`, `action`, `targets`, `service`, `parameters`, `risk`, `impact`,
  `card` (the text of the "⚠️ Action critique" card), `action_hash` (SHA-256 of the canonical action), `expires_at`
  (5 minutes; single use; bound to the user and the conversation), `risk_note` (what lowers the impact, from the
  diagnosis the fix was chosen from: "web-02 takes over"; empty otherwise).
* `approval_required` — `approval_id`, `action`, `targets`, `parameters`, `risk`, `requester`, `state`
  (requested|approved|rejected), `expires_at` (it can no longer be approved after this).
* `progress` — `action`, `host`, `status` (ok|failed|timed_out|unreachable|…|step_started), `text`, `step`,
  `steps`, `duration_ms`.
* `result` — `action`, `ok`, `summary`, `hosts` (host → outcome, exit_code, duration_ms), `data` (parsed output).
* `error` — `code`, `message` (in the user's language).
"""


def get_chat(request: Request, container: ContainerDep) -> ChatService:
    """One chat service per app (built on first use; tests may set `app.state.chat_service`)."""
    service: ChatService | None = getattr(request.app.state, "chat_service", None)
    if service is None:
        service = bootstrap.build_chat_service(container)
        request.app.state.chat_service = service
    return service


ChatDep = Annotated[ChatService, Depends(get_chat)]


class ConversationCreate(BaseModel):
    title: str | None = Field(default=None, max_length=255, pattern=NO_NUL)


class ConversationRead(BaseModel):
    id: UUID
    title: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, c: Conversation) -> ConversationRead:
        assert c.id is not None
        return cls(id=c.id, title=c.title, created_at=c.created_at, updated_at=c.updated_at)


class MessageRead(BaseModel):
    id: UUID
    role: Literal["user", "assistant"]
    content: str
    metadata: dict[str, Any]
    created_at: datetime | None

    @classmethod
    def of(cls, m: ChatMessage) -> MessageRead:
        assert m.id is not None
        return cls(id=m.id, role=m.role, content=m.content, metadata=dict(m.metadata),  # type: ignore[arg-type]
                   created_at=m.created_at)


class MessageCreate(BaseModel):
    text: str = Field(min_length=1, max_length=2000, pattern=NO_NUL,
                      description="What the user typed (English or French).")
    confirmation_id: str | None = Field(default=None, max_length=64, pattern=NO_NUL,
                                        description="Confirm this pending confirmation (the card's id).")
    action_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                                    description="The card's `action_hash`; a different one is refused as forged.")


class ChatEventModel(BaseModel):
    """One chat event; the fields present depend on `type` (see the description of the API)."""

    model_config = {"extra": "allow"}
    type: Literal["message", "confirmation_required", "approval_required", "progress", "result", "error"]
    conversation_id: str


class TurnRead(BaseModel):
    conversation_id: str
    message: ChatEventModel | None = Field(description="The assistant's reply (a `message` event).")
    events: list[ChatEventModel]


@router.post("/conversations", status_code=201, response_model=ConversationRead)
async def create_conversation(principal: PrincipalDep, chat: ChatDep,
                              body: ConversationCreate | None = None) -> ConversationRead:
    return ConversationRead.of(await chat.create_conversation(principal, body.title if body else None))


@router.get("/conversations", response_model=list[ConversationRead])
async def list_conversations(principal: PrincipalDep, chat: ChatDep,
                             offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                             limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[ConversationRead]:
    return [ConversationRead.of(c) for c in await chat.list_conversations(principal, offset=offset, limit=limit)]


@router.delete("/conversations/{conversation_id:uuid}", status_code=204)
async def delete_conversation(conversation_id: UUID, principal: PrincipalDep, chat: ChatDep) -> Response:
    await chat.delete_conversation(principal, conversation_id)
    return Response(status_code=204)


@router.get("/conversations/{conversation_id:uuid}/messages", response_model=list[MessageRead])
async def list_messages(conversation_id: UUID, principal: PrincipalDep, chat: ChatDep,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> list[MessageRead]:
    return [MessageRead.of(m) for m in await chat.messages(principal, conversation_id, limit=limit)]


@router.post("/conversations/{conversation_id:uuid}/messages", response_model=TurnRead,
             description="Run one chat turn. " + EVENTS_DOC)
async def post_message(conversation_id: UUID, body: MessageCreate, principal: PrincipalDep,
                       chat: ChatDep) -> dict[str, Any]:
    reply = await chat.handle_message(principal, conversation_id, body.text, confirmation_id=body.confirmation_id,
                                      action_hash=body.action_hash)
    return reply.to_json()


class CommandOutputInfo(BaseModel):
    """One command of the conversation (one host), without its output: the chat matches them to its replies."""

    id: UUID
    action: str | None
    server: str | None
    executed_at: datetime | None
    state: str
    outcome: str | None
    exit_code: int | None
    output_chars: int = Field(description="Length of the stored output (the last 8,000 characters are kept).")


class OutputRead(BaseModel):
    id: UUID
    server: str | None
    action: str | None
    offset: int
    text: str
    total: int = Field(description="Length of the whole stored output.")
    next_offset: int | None = Field(description="Where the next window starts; null at the end.")


@router.get("/conversations/{conversation_id}/commands", response_model=list[CommandOutputInfo],
            description="The commands run in this conversation (one per host), newest first: only its owner reads "
                        "them, and only on the servers they may read now.")
async def conversation_commands(conversation_id: UUID, principal: PrincipalDep, chat: ChatDep,
                                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[CommandOutputInfo]:
    rows = await commands_service.conversation_commands(chat.uow, principal, conversation_id, limit=limit)
    return [CommandOutputInfo(id=r.id, action=r.action, server=r.server_name, executed_at=r.executed_at,
                              state=r.state, outcome=r.outcome, exit_code=r.exit_code,
                              output_chars=len(r.output or "")) for r in rows if r.id is not None]


@router.get("/conversations/{conversation_id}/commands/{command_id}/output", response_model=OutputRead,
            description="A window of one command's stored output (`offset`, `limit` characters): the chat's "
                        "\"show more\" reads the output a window at a time.")
async def command_output(conversation_id: UUID, command_id: UUID, principal: PrincipalDep, chat: ChatDep,
                         offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
                         limit: Annotated[int, Query(ge=1, le=commands_service.OUTPUT_PAGE_MAX)] = 16_384,
                         ) -> OutputRead:
    part = await commands_service.command_output(chat.uow, principal, conversation_id, command_id, offset=offset,
                                                 limit=limit)
    return OutputRead(id=command_id, server=part.command.server_name, action=part.command.action,
                      offset=part.offset, text=part.text, total=part.total, next_offset=part.next_offset)
