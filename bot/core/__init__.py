"""The pure domain: content, the session engine, planning, report parsing, progress and
local time. No Telegram, no SQL: everything here is unit-tested as plain Python."""
