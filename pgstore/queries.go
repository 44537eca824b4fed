package pgstore

// queries are the store's fixed SQL statements for one schema. List builds
// its own (list.go).
type queries struct {
	records, stateTable, labels      string // quoted table names
	labelKeyFunc                     string // the function of a label's key in labels
	get, put, delete                 string
	putIfAbsent, putIfVersion        string
	deleteIfVersion, version         string
	getBlob, putBlob, deleteBlob     string
	state                            string
	changes, lastChange, pruneChange string
}

// writeValues are the columns a write sets, from $1..$10 of row.args, and a
// new version.
const writeValues = `(name, created_at, created_nsec, updated_at, updated_nsec, expires_at, expires_nsec, data, labels, secrets, version)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nextval('{s}.record_versions'))`

// setAll overwrites every column of a record with the proposed row.
const setAll = `created_at = EXCLUDED.created_at, created_nsec = EXCLUDED.created_nsec,
	updated_at = EXCLUDED.updated_at, updated_nsec = EXCLUDED.updated_nsec,
	expires_at = EXCLUDED.expires_at, expires_nsec = EXCLUDED.expires_nsec,
	data = EXCLUDED.data, labels = EXCLUDED.labels, secrets = EXCLUDED.secrets, version = EXCLUDED.version`

func newQueries(schema string) *queries {
	r := func(sql string) string { return render(sql, schema) }
	return &queries{
		records:      r("{s}.records"),
		stateTable:   r("{s}.state"),
		labels:       r("{s}.record_labels"),
		labelKeyFunc: r("{s}.label_key"),
		get:          r("SELECT " + columns + " FROM {s}.records WHERE name = $1"),
		put:          r("INSERT INTO {s}.records " + writeValues + " ON CONFLICT (name) DO UPDATE SET " + setAll + " RETURNING version"),
		delete:       r("DELETE FROM {s}.records WHERE name = $1"),
		putIfAbsent:  r("INSERT INTO {s}.records " + writeValues + " ON CONFLICT (name) DO NOTHING RETURNING version"),
		putIfVersion: r(`UPDATE {s}.records SET created_at = $2, created_nsec = $3, updated_at = $4, updated_nsec = $5,
			expires_at = $6, expires_nsec = $7, data = $8, labels = $9, secrets = $10, version = nextval('{s}.record_versions')
			WHERE name = $1 AND version = $11 RETURNING version`),
		deleteIfVersion: r("DELETE FROM {s}.records WHERE name = $1 AND version = $2"),
		version:         r("SELECT coalesce((SELECT version FROM {s}.records WHERE name = $1), 0)"),

		getBlob:    r("SELECT data FROM {s}.blobs WHERE key = $1"),
		putBlob:    r("INSERT INTO {s}.blobs (key, data) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_at = now()"),
		deleteBlob: r("DELETE FROM {s}.blobs WHERE key = $1"),

		state: r("SELECT total, last_seq FROM {s}.state"),

		// One statement, so one snapshot: pruned_through and the changes
		// agree.
		changes: r(`SELECT st.pruned_through, c.seq, c.name, c.op, c.version, c.at FROM {s}.state st
			LEFT JOIN LATERAL (SELECT * FROM {s}.changes WHERE seq > $1 ORDER BY seq LIMIT $2) c ON true ORDER BY c.seq`),
		lastChange: r("SELECT last_seq FROM {s}.state"),
		// Deletes a prefix of the feed: everything up to the last change
		// older than $1.
		pruneChange: r(`WITH cut AS (SELECT max(seq) AS seq FROM {s}.changes WHERE at < $1),
			gone AS (DELETE FROM {s}.changes WHERE seq <= (SELECT seq FROM cut) RETURNING seq)
			UPDATE {s}.state SET pruned_through = greatest(pruned_through, coalesce((SELECT seq FROM cut), 0))
			RETURNING (SELECT count(*) FROM gone)`),
	}
}
