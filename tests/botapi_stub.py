"""A Bot API stub that behaves like Telegram where it matters, for tests and benchmarks.

`FakeTelegram` is the transport-free state: it answers Bot API methods, queues updates and
enforces Telegram's limits (4,096 characters, 64-byte callback data, HTML that parses, about
30 messages a second overall and one a second per chat, sustained) and fails on demand,
including the case that makes repeats possible: a call carried out whose answer never reaches
the bot. `BotApiStub` serves it over HTTP on 127.0.0.1 for a real bot process;
`RecordingRequest` plugs it into an Application in place of the network.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import select
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
OVERALL_PER_SECOND = 30.0
CHAT_BURST = 5.0
CHAT_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20.0
# Methods that send or change a message and therefore count towards the flood limits.
COUNTED = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto"})
# Reading a group's members: the Bot API server (telegram-bot-api, check_chat_access) treats it
# as writing in a group that was upgraded, and refuses it with the supergroup's id, where
# getChat, a plain read, still answers with the deactivated group.
MEMBER_READS = frozenset({"getChatMemberCount", "getChatAdministrators"})
# Failures Telegram answers, and failures where no answer reaches the bot: "timeout" holds the
# connection until the client gives up (its read time-out, 5 s in PTB), "drop" closes it at once.
ANSWERED = frozenset({"500", "502", "429"})
LOST = frozenset({"timeout", "drop"})
STRING_PARAMS = frozenset(
    {"text", "parse_mode", "callback_query_id", "url", "secret_token", "action", "caption"}
)
ALLOWED_TAGS = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler|blockquote)>"
    r'|<a href="[^"<>]*">|</a>|<span class="tg-spoiler">|</span>'
)
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


@dataclass
class Call:
    """One Bot API call as the stub saw it."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    error: str = ""


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """Take a token; 0 when allowed, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class _Failure:
    mode: str
    times: int
    delivered: bool
    every: int
    seen: int = 0

    def strikes(self) -> bool:
        """Count one call; True when this call fails."""
        if self.times <= 0:
            return False
        self.seen += 1
        if self.seen % self.every:
            return False
        self.times -= 1
        return True


class AnswerLost(Exception):
    """No answer goes back for this call: `mode` is "timeout" or "drop"."""

    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.mode = mode


@dataclass
class FakeTelegram:
    """The Bot API's state: updates to deliver, messages sent, limits enforced."""

    token: str
    bot_id: int = 7000000001
    username: str = "softlift_test_bot"
    limits: bool = True
    max_poll_seconds: float = 1.0
    hang_seconds: float = 30.0
    calls: list[Call] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    too_many_requests: int = 0
    lost_answers: int = 0

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        self._queries: set[str] = set()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._failures: dict[str, _Failure] = {}
        self._overall = _Bucket(OVERALL_PER_SECOND, OVERALL_PER_SECOND, OVERALL_PER_SECOND, 0.0)
        self._chats: dict[int, _Bucket] = {}
        self.commands: list[dict[str, Any]] = []
        self.webhook_url = ""
        self._blocked: set[int] = set()
        self._missing: set[int] = set()
        self._muted: dict[int, str | None] = {}
        self._no_photos: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._deleted: set[tuple[int, int]] = set()

    # --- what tests do -------------------------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's own User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Softlift",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def fail(
        self,
        method: str,
        times: int = 1,
        mode: str = "500",
        *,
        delivered: bool = False,
        every: int = 1,
    ) -> None:
        """Make `times` calls of `method` fail (the next ones, or every `every`-th one).

        `mode` is "500", "502" or "429" (Telegram answers with that error and does nothing),
        or "timeout" or "drop" (no answer reaches the bot). With `delivered` a lost answer
        comes after the call was carried out: the message is sent, the bot cannot know it.
        """
        if mode not in ANSWERED | LOST or (delivered and mode not in LOST):
            raise ValueError(f"unknown failure {mode!r} (delivered={delivered})")
        with self._cond:
            self._failures[method] = _Failure(mode, times, delivered, every)

    def block(self, chat_id: int) -> None:
        """The user of a private chat blocks the bot: sending there answers 403 from now on."""
        with self._cond:
            self._blocked.add(chat_id)

    def no_such_chat(self, chat_id: int) -> None:
        """No chat has this id (a mistyped setting): sending there answers 400 from now on."""
        with self._cond:
            self._missing.add(chat_id)

    def mute(self, chat_id: int, reason: str | None = None) -> None:
        """The bot may not write in this group (restricted, or members may not send): 400,
        with Telegram's `reason` ("not enough rights to send text messages to the chat")."""
        with self._cond:
            self._muted[chat_id] = reason

    def refuse_photos(self, chat_id: int) -> None:
        """The bot may write in this group but not send media: sendPhoto answers 400."""
        with self._cond:
            self._no_photos.add(chat_id)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """A group is upgraded to a supergroup: sending to its old id, or asking for its
        members, answers 400 with the new id from now on."""
        with self._cond:
            self._migrated[chat_id] = new_chat_id

    def delete(self, message: dict[str, Any]) -> None:
        """A user's message is deleted (by its sender or a group's admin): a reply quoting it
        answers 400 unless it allows sending without the reply, as Telegram does."""
        with self._cond:
            self._deleted.add((message["chat"]["id"], message["message_id"]))

    def unblock(self, chat_id: int) -> None:
        """The chat accepts the bot's messages again (the bot was added back)."""
        with self._cond:
            self._blocked.discard(chat_id)

    def push(self, **update: Any) -> dict[str, Any]:
        """Queue an update (its update_id is added) and return it."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Anna",
        username: str | None = "anna_patient",
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """A user's text message, with command and mention entities as Telegram adds them."""
        message = self.user_message(chat_id, user_id, first_name, username, chat_type)
        if language_code is not None:
            message["from"]["language_code"] = language_code
        message["text"] = text
        entities = _mentions(text)
        command = re.match(r"/\w+(@\w+)?", text)
        if command:
            entities.insert(0, {"type": "bot_command", "offset": 0, "length": command.end()})
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push(message=message)

    def media(
        self, chat_id: int, kind: str, caption: str | None = None, **user: Any
    ) -> dict[str, Any]:
        """A non-text message: photo, sticker, voice, video, location or document."""
        message = self.user_message(chat_id, **user)
        if caption is not None:
            message["caption"] = caption
            if mentions := _mentions(caption):
                message["caption_entities"] = mentions
        message[kind] = {
            "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}],
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u2",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
            "voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2},
            "video": {
                "file_id": "v2",
                "file_unique_id": "u4",
                "width": 1,
                "height": 1,
                "duration": 1,
            },
            "location": {"latitude": 52.5, "longitude": 13.4},
            "document": {"file_id": "d1", "file_unique_id": "u5"},
        }[kind]
        return self.push(message=message)

    def press(self, message: dict[str, Any], data: str, user_id: int | None = None) -> str:
        """Press a button on a message the bot sent; returns the callback query id."""
        chat_id = message["chat"]["id"]
        with self._cond:
            query_id = f"q{next(self._query_ids)}"
            self._queries.add(query_id)
        self.push(
            callback_query={
                "id": query_id,
                "from": self._user(user_id or abs(chat_id), "Anna", "anna_patient"),
                "chat_instance": f"ci{chat_id}",
                "message": message,
                "data": data,
            }
        )
        return query_id

    def user_message(
        self,
        chat_id: int,
        user_id: int | None = None,
        first_name: str = "Anna",
        username: str | None = "anna_patient",
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """The common fields of a message from a user."""
        user = self._user(user_id or abs(chat_id), first_name, username)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Clinic patients"
        with self._cond:
            message_id = next(self._message_ids)
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": user}

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def pending(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        with self._cond:
            return list(self._updates)

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat, oldest first (edits show the latest version)."""
        with self._cond:
            return [m for m in self.sent if m["chat"]["id"] == chat_id]

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
    ) -> Any:
        """Wait until `predicate()` is truthy and return it; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}")
                self._cond.wait(min(left, 0.05))

    def wait_messages(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent at least `count` messages to a chat."""
        return self.wait_for(  # type: ignore[no-any-return]
            lambda: len(self.messages_to(chat_id)) >= count and self.messages_to(chat_id),
            timeout,
            f"{count} message(s) to chat {chat_id}",
        )

    def unanswered_queries(self) -> set[str]:
        """Callback queries the bot has not answered."""
        with self._cond:
            return self._queries - self.answered

    def calls_of(self, method: str) -> list[Call]:
        """Every call of one method."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    # --- what the bot does ---------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body); raises AnswerLost on demand."""
        now = time.monotonic()
        with self._cond:
            call = Call(method, params, now)
            self.calls.append(call)
            failure = self._failures.get(method)
            if failure is None or not failure.strikes():
                failure = None
            elif failure.mode in LOST and not failure.delivered:
                call.status, call.error = 0, failure.mode
                raise AnswerLost(failure.mode)
            elif failure.mode in ANSWERED:
                code = int(failure.mode)
                call.status, call.error = code, "injected"
                if code == 429:
                    body = _error(429, "Too Many Requests: retry after 1")
                    body["parameters"] = {"retry_after": 1}
                    return 429, body
                return code, _error(code, "Internal Server Error" if code == 500 else "Bad Gateway")
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._cond:
            status, body = self._dispatch(method, params, now)
            call.status = status
            if status != 200:
                call.error = body.get("description", "")
            self._cond.notify_all()
            if failure is not None:
                # Carried out, but the answer never arrives: the bot cannot tell it from a loss.
                call.error = f"answer lost ({failure.mode})"
                self.lost_answers += 1
                raise AnswerLost(failure.mode)
            return status, body

    def lost_after_delivery(self, method: str = "sendMessage") -> list[Call]:
        """Calls carried out whose answer the bot never got."""
        with self._cond:
            return [c for c in self.calls if c.method == method and c.error.startswith("answer")]

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + wait
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self._updates[:limit])

    def _dispatch(
        self, method: str, params: dict[str, Any], now: float
    ) -> tuple[int, dict[str, Any]]:
        if method in COUNTED and int(params.get("chat_id", 0)) in self._blocked:
            return 403, _error(403, "Forbidden: bot was blocked by the user")
        if method in COUNTED and int(params.get("chat_id", 0)) in self._missing:
            return 400, _error(400, "Bad Request: chat not found")
        if method in COUNTED and int(params.get("chat_id", 0)) in self._muted:
            what = "photos" if method == "sendPhoto" else "text messages"
            reason = self._muted[int(params.get("chat_id", 0))]
            reason = reason or f"not enough rights to send {what} to the chat"
            return 400, _error(400, f"Bad Request: {reason}")
        if method == "sendPhoto" and int(params.get("chat_id", 0)) in self._no_photos:
            return 400, _error(400, "Bad Request: not enough rights to send photos to the chat")
        if method in MEMBER_READS and int(params.get("chat_id", 0)) in self._missing:
            return 400, _error(400, "Bad Request: chat not found")
        new_chat_id = self._migrated.get(int(params.get("chat_id", 0)))
        if method in COUNTED | MEMBER_READS and new_chat_id is not None:
            body = _error(400, "Bad Request: group chat was upgraded to a supergroup chat")
            body["parameters"] = {"migrate_to_chat_id": new_chat_id}
            return 400, body
        if method in COUNTED:
            problem = self._check_message(params)
            if problem:
                return 400, _error(400, f"Bad Request: {problem}")
            wait = self._take(int(params["chat_id"]), now)
            if wait:
                self.too_many_requests += 1
                retry_after = max(1, math.ceil(wait))
                body = _error(429, f"Too Many Requests: retry after {retry_after}")
                body["parameters"] = {"retry_after": retry_after}
                return 429, body
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, _error(404, "Not Found")
        return handler(params)  # type: ignore[no-any-return]

    def _check_message(self, params: dict[str, Any]) -> str:
        for key, limit in (("text", TEXT_LIMIT), ("caption", CAPTION_LIMIT)):
            text = params.get(key)
            if text is None:
                continue
            visible = text
            if params.get("parse_mode") == "HTML":
                stripped = ALLOWED_TAGS.sub("", text)
                if "<" in stripped or ">" in stripped or "&" in ENTITY.sub("", stripped):
                    return "can't parse entities: unsupported start tag or unescaped character"
                visible = html.unescape(stripped)
            if key == "text" and not visible.strip():
                return "message text is empty"
            if len(visible) > limit:
                return "message is too long" if key == "text" else "message caption is too long"
        quoted = params.get("reply_parameters") or {}
        if (int(params["chat_id"]), quoted.get("message_id")) in self._deleted and not quoted.get(
            "allow_sending_without_reply"
        ):
            return "message to be replied not found"
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    return "BUTTON_DATA_INVALID"
        return ""

    def _take(self, chat_id: int, now: float) -> float:
        if not self.limits:
            return 0.0
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:
                bucket = _Bucket(GROUP_PER_MINUTE, GROUP_PER_MINUTE / 60, GROUP_PER_MINUTE, now)
            else:
                bucket = _Bucket(CHAT_BURST, CHAT_PER_SECOND, CHAT_BURST, now)
            self._chats[chat_id] = bucket
        if self._overall.at == 0.0:
            self._overall.at = now
        wait_all = self._overall.take(now)
        if wait_all:
            return wait_all
        wait_chat = bucket.take(now)
        if wait_chat:
            self._overall.tokens += 1  # the refused message did not count overall
        return wait_chat

    def _store(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self.bot_user,
            "text": params["text"],
            "parse_mode": params.get("parse_mode"),
        }
        if chat_id < 0:
            message["chat"]["title"] = "Clinic patients"
        if params.get("message_thread_id"):  # a forum topic's message, as Telegram marks it
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message["message_id"])] = message
        self.sent.append(message)
        return message

    @staticmethod
    def _public(message: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if k not in {"parse_mode", "png"}}

    def _m_getMe(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": self.bot_user}

    def _m_getChatMemberCount(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": 2}

    def _m_sendMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": self._public(self._store(params))}

    def _m_sendPhoto(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A photo uploaded as a multipart file: kept as `png` (bytes) beside its caption."""
        upload = params.get("photo")
        if not isinstance(upload, bytes) or not upload.startswith(b"\x89PNG\r\n\x1a\n"):
            return 400, _error(400, "Bad Request: IMAGE_PROCESS_FAILED")
        width, height = struct.unpack(">II", upload[16:24])
        message = self._store({**params, "text": None})
        del message["text"]
        message["png"] = upload
        message["photo"] = [
            {"file_id": f"photo-{message['message_id']}", "file_unique_id": "p", "width": width,
             "height": height, "file_size": len(upload)}
        ]  # fmt: skip
        if params.get("caption") is not None:
            message["caption"] = params["caption"]
        return 200, {"ok": True, "result": self._public(message)}

    def _m_editMessageText(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        message = self._messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            return 400, _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if message["text"] == params["text"] and message.get("reply_markup") == markup:
            return 400, _error(400, "Bad Request: message is not modified")
        message["text"] = params["text"]
        message["edited"] = message.get("edited", 0) + 1
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return 200, {"ok": True, "result": self._public(message)}

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        message = self._messages.get((int(params["chat_id"]), int(params["message_id"])))
        if message is None:
            return 400, _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return 200, {"ok": True, "result": self._public(message)}

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        query_id = str(params["callback_query_id"])
        if query_id not in self._queries or query_id in self.answered:
            return 400, _error(400, "Bad Request: query is too old or query ID is invalid")
        self.answered.add(query_id)
        return 200, {"ok": True, "result": True}

    def _m_setMyCommands(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.commands = list(params.get("commands") or [])
        return 200, {"ok": True, "result": True}

    def _m_deleteWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.webhook_url = ""
        return 200, {"ok": True, "result": True}

    def _m_setWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        url = str(params.get("url", ""))
        if (urlsplit(url).hostname or "").endswith(".invalid"):  # as Telegram answers
            return 400, _error(400, "Bad Request: bad webhook: Failed to resolve host")
        self.webhook_url = url
        return 200, {"ok": True, "result": True}

    def _m_sendChatAction(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": True}


def _mentions(text: str) -> list[dict[str, Any]]:
    """The mention entities Telegram adds to a text or caption."""
    return [
        {"type": "mention", "offset": m.start(), "length": len(m.group())}
        for m in re.finditer(r"@\w{5,32}", text)
    ]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline button of a sent message."""
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def decode_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form fields as PTB sends them: strings as they are, everything else JSON-encoded."""
    params: dict[str, Any] = {}
    for key, value in pairs:
        if key in STRING_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """A multipart/form-data body (an upload): files as bytes, fields as `decode_params` does."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    form = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: list[tuple[str, str]] = []
    files: dict[str, bytes] = {}
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if not isinstance(name, str):
            continue
        if part.get_filename() is not None:
            files[name] = payload
        else:
            fields.append((name, payload.decode()))
    return {**decode_params(fields), **files}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = self.server.fake
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?")[0])
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if match is None or match.group(1) != fake.token:
            self._send(401, _error(401, "Unauthorized"))
            return
        content_type = self.headers.get("Content-Type") or ""
        if "json" in content_type:
            params = json.loads(raw.decode() or "{}")
        elif content_type.startswith("multipart/form-data"):
            params = decode_multipart(content_type, raw)
        else:
            params = decode_params(parse_qsl(raw.decode(), keep_blank_values=True))
        try:
            status, payload = fake.handle(match.group(2), params)
        except AnswerLost as lost:
            if lost.mode == "timeout":
                # Hold the request until the client gives up and hangs up (or hang_seconds).
                select.select([self.connection], [], [], fake.hang_seconds)
            self.close_connection = True
            return
        self._send(status, payload)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request line contains the token."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTelegram

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a time-out, a bot shutting down) is not an error here."""


class BotApiStub:
    """FakeTelegram served over HTTP on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = fake
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> BotApiStub:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serve(token: str, **options: Any) -> Iterator[BotApiStub]:
    """A running stub for the duration of a with block."""
    stub = BotApiStub(FakeTelegram(token, **options)).start()
    try:
        yield stub
    finally:
        stub.stop()


class RecordingRequest(BaseRequest):
    """A BaseRequest that answers from a FakeTelegram in process; the calls are recorded."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    @property
    def read_timeout(self) -> float | None:
        """No network, no time-out."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer from the fake; a lost answer raises what HTTPXRequest would."""
        endpoint = url.rsplit("/", 1)[-1]
        params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
        for name, (_, content, _) in (request_data.multipart_data if request_data else {}).items():
            params[name] = content if isinstance(content, bytes) else content.read()
        try:
            status, payload = self.fake.handle(endpoint, params)
        except AnswerLost as lost:
            if lost.mode == "timeout":
                raise TimedOut("injected time-out") from lost
            raise NetworkError("injected: disconnected without an answer") from lost
        return status, json.dumps(payload).encode()
