"""The pure domain: content, the session engine, planning, report parsing, progress and
local time. No Telegram, no SQL, no clock reads: everything here is unit-tested as is."""
