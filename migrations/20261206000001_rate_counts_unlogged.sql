-- Rate counts are written on every API call, by every instance. Unlogged, a write needs no WAL
-- and its commit no flush to disk, so one account's busy gateway does not queue its calls
-- behind fsyncs on the one row they share. After a crash PostgreSQL empties the table: the
-- windows start again, which a rate limit can afford (nothing here is a record).
ALTER TABLE rate_counts SET UNLOGGED;
