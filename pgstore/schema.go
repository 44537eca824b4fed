package pgstore

import "strings"

// A migration is one step of the schema. Migrations are applied in order,
// each in a transaction of its own together with its row in
// {schema}.migrations, and never change once released: a new schema is a
// new migration appended here.
type migration struct {
	version     int
	description string
	sql         string
}

// migrations are the schema's versions. In their SQL, {s} is the quoted
// schema and {channel} the notification channel as a string literal.
var migrations = []migration{
	{1, "records, blobs, counters and the change feed", schemaV1},
	{2, "record_labels: an index of records by label for each sort order", schemaV2},
}

// schemaV1 is the first schema.
//
// records: one row per hostname. Names sort in byte order (COLLATE "C"),
// as store.Store's List requires, whatever the database's collation. Times
// are a timestamptz (microseconds, readable in SQL) plus the nanoseconds
// within the microsecond, so that they round-trip exactly; a record
// without a certificate expires at 'infinity', so that it sorts last. One
// B-tree index per sort order, whose columns are the keyset cursor, serves
// List in both directions; a GIN index serves selection by labels (NULL:
// no labels, as distinct from an empty object). secrets holds the record's secrets in the
// store's own format (see codec.go); version changes on every write
// (record_versions never repeats a value), for compare-and-swap.
//
// state: one row: the number of records (for List's Total), the feed's
// last sequence number, and how far it was pruned.
//
// changes: the change feed, written by the triggers in the transaction of
// every insert, update and delete of a record. Each change updates the
// state row, whose row lock serializes writers until they commit: feed
// sequence numbers are therefore gapless and in commit order, and a reader
// that has seen n has seen everything before n. pg_notify tells listeners
// at commit.
const schemaV1 = `
CREATE TABLE {s}.records (
	name text COLLATE "C" PRIMARY KEY
		CHECK (octet_length(name) <= 253 AND name ~ '` + namePattern + `'),
	created_at timestamptz NOT NULL CHECK (isfinite(created_at)),
	created_nsec smallint NOT NULL CHECK (created_nsec BETWEEN 0 AND 999),
	updated_at timestamptz NOT NULL CHECK (isfinite(updated_at)),
	updated_nsec smallint NOT NULL CHECK (updated_nsec BETWEEN 0 AND 999),
	expires_at timestamptz NOT NULL CHECK (expires_at <> '-infinity'),
	expires_nsec smallint NOT NULL CHECK (expires_nsec BETWEEN 0 AND 999),
	data bytea NOT NULL,
	labels jsonb CHECK (jsonb_typeof(labels) = 'object'),
	secrets bytea NOT NULL,
	version bigint NOT NULL
);
ALTER TABLE {s}.records ALTER COLUMN name SET STATISTICS 1000;
COMMENT ON TABLE {s}.records IS 'pgstore: one row per hostname; write it through the program, not by hand';
COMMENT ON COLUMN {s}.records.expires_at IS 'earliest certificate expiry; infinity when the record holds none';
COMMENT ON COLUMN {s}.records.labels IS 'the record''s labels as a JSON object of strings; NULL when it has none';
COMMENT ON COLUMN {s}.records.secrets IS 'the record''s secrets in pgstore''s format, sealed when the program sets an encryption key';
CREATE INDEX records_by_expiry ON {s}.records (expires_at, expires_nsec, name);
CREATE INDEX records_by_created ON {s}.records (created_at, created_nsec, name);
CREATE INDEX records_by_labels ON {s}.records USING gin (labels jsonb_path_ops);
CREATE SEQUENCE {s}.record_versions;

CREATE TABLE {s}.blobs (
	key text COLLATE "C" PRIMARY KEY,
	data bytea NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {s}.state (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	total bigint NOT NULL,
	last_seq bigint NOT NULL,
	pruned_through bigint NOT NULL
);
INSERT INTO {s}.state (total, last_seq, pruned_through) VALUES (0, 0, 0);

CREATE TABLE {s}.changes (
	seq bigint PRIMARY KEY,
	name text COLLATE "C" NOT NULL,
	op text NOT NULL CHECK (op IN ('put', 'delete', 'reset')),
	version bigint NOT NULL,
	at timestamptz NOT NULL
);
CREATE INDEX changes_by_time ON {s}.changes (at);

CREATE FUNCTION {s}.log_change(rname text, rop text, rversion bigint, delta bigint) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
	n bigint;
BEGIN
	UPDATE {s}.state SET total = total + delta, last_seq = last_seq + 1 RETURNING last_seq INTO n;
	INSERT INTO {s}.changes (seq, name, op, version, at) VALUES (n, rname, rop, rversion, clock_timestamp());
	PERFORM pg_notify({channel}, n::text);
END
$f$;

CREATE FUNCTION {s}.record_changed() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM {s}.log_change(NEW.name, 'put', NEW.version, 1);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM {s}.log_change(OLD.name, 'delete', OLD.version, -1);
	ELSIF OLD.name <> NEW.name THEN
		PERFORM {s}.log_change(OLD.name, 'delete', OLD.version, -1);
		PERFORM {s}.log_change(NEW.name, 'put', NEW.version, 1);
	ELSE
		PERFORM {s}.log_change(NEW.name, 'put', NEW.version, 0);
	END IF;
	RETURN NULL;
END
$f$;
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON {s}.records
	FOR EACH ROW EXECUTE FUNCTION {s}.record_changed();

CREATE FUNCTION {s}.records_truncated() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
	UPDATE {s}.state SET total = 0;
	PERFORM {s}.log_change('', 'reset', 0, 0);
	RETURN NULL;
END
$f$;
CREATE TRIGGER records_truncated AFTER TRUNCATE ON {s}.records
	FOR EACH STATEMENT EXECUTE FUNCTION {s}.records_truncated();
`

// schemaV2 adds record_labels, the records by label: one row per label of
// every record, with the record's sort keys, and a B-tree index per sort
// order led by the label, so that a page of the records holding a label is
// one range scan of a narrow index, at any depth, instead of a gather of
// every labelled row through the GIN index (see queries.list). A label is
// keyed by a hash of its key and value (label_key), which keeps the index
// entries small whatever the labels' length.
//
// Triggers keep it in step with records in the transaction of every write,
// as the change feed is kept. The migration creates the triggers before it
// copies the existing labels: creating a trigger locks the records table
// against writes until the migration commits, so that no write falls
// between the copy and the triggers (reads go on meanwhile).
const schemaV2 = `
CREATE FUNCTION {s}.label_key(key text, value text) RETURNS bytea
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $f$
	SELECT sha256(convert_to(key, 'UTF8') || '\x00'::bytea || convert_to(value, 'UTF8'))
$f$;

CREATE TABLE {s}.record_labels (
	label bytea NOT NULL,
	name text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	created_nsec smallint NOT NULL,
	expires_at timestamptz NOT NULL,
	expires_nsec smallint NOT NULL
);
COMMENT ON TABLE {s}.record_labels IS 'pgstore: the records by label, kept by triggers on records; label is label_key(key, value)';

CREATE FUNCTION {s}.record_labels_changed() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.name = NEW.name AND OLD.labels IS NOT DISTINCT FROM NEW.labels
		AND (OLD.created_at, OLD.created_nsec, OLD.expires_at, OLD.expires_nsec)
			= (NEW.created_at, NEW.created_nsec, NEW.expires_at, NEW.expires_nsec) THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' AND OLD.labels IS NOT NULL THEN
		DELETE FROM {s}.record_labels WHERE name = OLD.name
			AND label = ANY (ARRAY(SELECT {s}.label_key(key, value #>> '{}') FROM jsonb_each(OLD.labels)));
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.labels IS NOT NULL THEN
		INSERT INTO {s}.record_labels (label, name, created_at, created_nsec, expires_at, expires_nsec)
			SELECT {s}.label_key(key, value #>> '{}'), NEW.name, NEW.created_at, NEW.created_nsec, NEW.expires_at, NEW.expires_nsec
			FROM jsonb_each(NEW.labels) WHERE jsonb_typeof(value) = 'string';
	END IF;
	RETURN NULL;
END
$f$;
CREATE TRIGGER record_labels_changed AFTER INSERT OR UPDATE OR DELETE ON {s}.records
	FOR EACH ROW EXECUTE FUNCTION {s}.record_labels_changed();

CREATE FUNCTION {s}.record_labels_truncated() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
	TRUNCATE {s}.record_labels;
	RETURN NULL;
END
$f$;
CREATE TRIGGER record_labels_truncated AFTER TRUNCATE ON {s}.records
	FOR EACH STATEMENT EXECUTE FUNCTION {s}.record_labels_truncated();
` + backfillLabels + `
ALTER TABLE {s}.record_labels ADD PRIMARY KEY (label, name);
CREATE INDEX record_labels_by_expiry ON {s}.record_labels (label, expires_at, expires_nsec, name);
CREATE INDEX record_labels_by_created ON {s}.record_labels (label, created_at, created_nsec, name);
ANALYZE {s}.record_labels;
`

// backfillLabels fills record_labels from the records' labels, as the
// triggers would have: in migration 2 (so it never changes), and after a
// bulk load that bypassed the triggers. Labels whose value is not a
// string (written by hand) have no entry: no selection matches them.
const backfillLabels = `
INSERT INTO {s}.record_labels (label, name, created_at, created_nsec, expires_at, expires_nsec)
	SELECT {s}.label_key(l.key, l.value #>> '{}'), r.name, r.created_at, r.created_nsec, r.expires_at, r.expires_nsec
	FROM {s}.records r, jsonb_each(r.labels) l WHERE jsonb_typeof(l.value) = 'string';
`

// namePattern is store.CheckName as a regular expression (with the
// length limit apart), for the records table's CHECK constraint: the
// database itself refuses a name no store accepts.
const namePattern = `^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$`

// render fills a migration's or query's placeholders for the store's
// schema.
func render(sql, schema string) string {
	return strings.NewReplacer("{s}", quoteIdent(schema), "{channel}", "'"+channelName(schema)+"'").Replace(sql)
}

// quoteIdent quotes a validated schema name.
func quoteIdent(name string) string { return `"` + name + `"` }

// channelName is the NOTIFY channel of a schema's change feed.
func channelName(schema string) string { return schema + "_changes" }
