"""Telegram-style parsing of ``parse_mode="HTML"`` text.

Telegram rejects malformed HTML with ``can't parse entities: ...``; a fake that accepted any
markup would hide exactly the bugs (a stray ``<``, an unsupported ``<br>``) that break a bot in
production. This mirrors tdlib's ``parse_html`` closely enough for those error messages and
produces the plain text plus UTF-16 based entities that Telegram would return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Tag name -> Bot API entity type. ``span`` and ``a`` are special-cased by their attributes.
_TAG_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));")
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.\-]*")


class HtmlParseError(ValueError):
    """Raised with tdlib's wording; the API prefixes it with ``can't parse entities: ``."""


@dataclass
class ParsedText:
    """What Telegram stores for a message: the visible text and its formatting entities."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length in UTF-16 code units, the unit Telegram uses for limits and offsets."""
        return utf16_len(self.text)


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    """Count UTF-16 code units, because Bot API lengths and offsets are measured in them."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _decode_entity(source: str, index: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``index``; unknown entities stay literal, like in tdlib."""
    match = _ENTITY_RE.match(source, index)
    if match is None:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            return None
        return _NAMED_ENTITIES[name], match.end() - index
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end() - index


def _parse_attributes(source: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes up to the closing ``>``; returns them and the index of ``>``."""
    n = len(source)
    attrs: dict[str, str] = {}
    where = f"at byte offset {_byte_offset(source, begin)}"
    while True:
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag {where}")
        if source[i] == ">":
            return attrs, i
        start = i
        while i < n and not source[i].isspace() and source[i] not in "=>":
            i += 1
        name = source[start:i].lower()
        while i < n and source[i].isspace():
            i += 1
        if i >= n or source[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attrs[name] = ""
                continue
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" {where}'
            )
        i += 1
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag {where}")
        if source[i] in "\"'":
            quote, i = source[i], i + 1
            value: list[str] = []
            while i < n and source[i] != quote:
                decoded = _decode_entity(source, i) if source[i] == "&" else None
                if decoded is None:
                    value.append(source[i])
                    i += 1
                else:
                    value.append(decoded[0])
                    i += decoded[1]
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag {where}")
            i += 1
            attrs[name] = "".join(value)
        else:
            token = _NAME_TOKEN_RE.match(source, i)
            end = token.end() if token else i
            if end >= n or not (source[end].isspace() or source[end] == ">"):
                offset = _byte_offset(source, i)
                raise HtmlParseError(f"Unexpected end of name token at byte offset {offset}")
            attrs[name] = source[i:end].lower()
            i = end


def _entity_for(tag: _OpenTag, length: int, closed: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Build the Bot API entity for a closed tag, or None when Telegram would drop it."""
    if length == 0:
        return None
    kind = _TAG_TYPES[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "pre":
        # <pre><code class="language-x"> becomes one pre entity with a language.
        for child in closed:
            same_span = child["offset"] == tag.offset and child["length"] == length
            if child["type"] == "code" and same_span and "language" in child:
                entity["language"] = child.pop("language")
                closed.remove(child)
                break
    elif tag.name == "code":
        css = tag.attrs.get("class", "")
        if css.startswith("language-") and len(css) > len("language-"):
            entity["language"] = css[len("language-") :]
    return entity


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into plain text + entities, raising HtmlParseError like Telegram."""
    out: list[str] = []
    offset = 0  # UTF-16 offset of the next output character
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_entity(source, i)
            text, step = decoded if decoded is not None else ("&", 1)
            out.append(text)
            offset += utf16_len(text)
            i += step
            continue
        if char != "<":
            out.append(char)
            offset += utf16_len(char)
            i += 1
            continue
        begin = i
        where = f"at byte offset {_byte_offset(source, begin)}"
        i += 1
        if i < n and source[i] == "/":
            if not stack:
                raise HtmlParseError(f"Unexpected end tag {where}")
            j = i + 1
            while j < n and not source[j].isspace() and source[j] != ">":
                j += 1
            end_name = source[i + 1 : j].lower()
            while j < n and source[j].isspace():
                j += 1
            if j >= n or source[j] != ">":
                raise HtmlParseError(f"Unclosed end tag {where}")
            open_tag = stack.pop()
            if end_name and end_name != open_tag.name:
                raise HtmlParseError(
                    f'Unmatched end tag {where}, expected "</{open_tag.name}>", '
                    f'found "</{end_name}>"'
                )
            entity = _entity_for(open_tag, offset - open_tag.offset, entities)
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue
        j = i
        while j < n and not source[j].isspace() and source[j] != ">":
            j += 1
        if j >= n:
            raise HtmlParseError(f"Unclosed start tag {where}")
        name = source[i:j].lower()
        if name not in _TAG_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" {where}')
        attrs, j = _parse_attributes(source, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        stack.append(_OpenTag(name, offset, attrs))
        i = j + 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def render(text: str, parse_mode: str | None) -> ParsedText:
    """Return what Telegram would display; only HTML is parsed, other modes pass through."""
    if parse_mode is not None and parse_mode.lower() == "html":
        return parse_html(text)
    return ParsedText(text)


def to_plain(text: str, parse_mode: str | None = "HTML") -> str:
    """Strip tags and unescape entities; tolerant of broken HTML so dumps never fail."""
    try:
        return render(text, parse_mode).text
    except HtmlParseError:
        return text
