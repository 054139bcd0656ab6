/**
 * Durable state for the controller: {@link netwatcher.controller.db.Database}, a HikariCP pool with
 * a small JDBC API (SQL in plain sight, records in and out), over an embedded H2 file database by
 * default or PostgreSQL by configuration, with versioned migrations per feature.
 *
 * <p><b>Why H2 in PostgreSQL mode.</b> One controller on one machine should need nothing but its
 * data directory, and the same SQL must later run unchanged on PostgreSQL when several controllers
 * share a database. H2 with {@code MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH}
 * accepts the portable subset both engines share; where they differ (H2 rejects {@code ON CONFLICT
 * ... DO UPDATE}, reserves {@code VALUE}/{@code KEY}, commits DDL implicitly) the contract suite
 * ({@code @DatabaseTest} in the test sources) finds it on both engines, and {@code upsert} hides the
 * one statement that cannot be shared. The embedded URL sets {@code WRITE_DELAY=0}: H2 2.x otherwise
 * acknowledges a commit before its MVStore chunk is written, and a killed JVM loses it (proved by
 * {@code H2DurabilityTest}, including a control run that loses the row with a delay). Commits reach
 * the operating system before {@code commit()} returns; they are not fsync'ed, so an OS crash or
 * power loss may still lose the last commits on H2 — use PostgreSQL where that matters.
 *
 * <p><b>Pool sizing.</b> {@value netwatcher.controller.db.DatabaseConfig#DEFAULT_MAX_POOL_SIZE}
 * connections by default, 2 kept idle: HikariCP's guidance ("cores × 2 + spindles") gives less on
 * the small machines this runs on, and the controller's work is short statements, not long
 * sessions. Several controllers on one PostgreSQL each hold their own pool, so
 * {@code maxPoolSize × controllers} must stay below the server's {@code max_connections}. Both are
 * settings ({@code database.poolSize}, {@code database.poolWaitMillis}, default 5 s): a statement that gets
 * no connection within the wait, or whose server is unreachable, fails with a {@link
 * netwatcher.controller.db.DatabaseException} that {@code isUnavailable()}, which the HTTP edge answers 503
 * with {@code Retry-After} instead of 500. Hikari reconnects by itself once the server is back.
 *
 * <p><b>Shared state made once.</b> With several controllers on one database, "create unless present" is
 * {@link netwatcher.controller.db.Database#insertIfAbsent} followed by a read of what won, never a read
 * followed by an insert (two controllers would both insert).
 *
 * <p><b>Time.</b> Instants are {@code TIMESTAMP WITH TIME ZONE} columns, bound as UTC
 * {@code OffsetDateTime} and read back as {@code Instant}. Both engines keep microseconds; binding
 * truncates (rather than letting PostgreSQL round) so a stored value is identical on both and a
 * {@code WHERE t = ?} with the original nanosecond {@code Instant} still matches. Readable in SQL and
 * comparable with {@code CURRENT_TIMESTAMP}, unlike epoch numbers. Callers take the time from an
 * injected {@code InstantSource}; the database's clock is used only for {@code applied_at} and the
 * schema heartbeats (so the controllers' clocks do not decide a contract migration).
 *
 * <p><b>Migrations.</b> Each feature owns {@code db/migration/<feature>/V<n>__<description>.sql} on
 * the classpath, numbered 1, 2, 3... without gaps; features are discovered by listing the classpath
 * (directories and jars, with or without directory entries), applied in feature-name order and
 * version order, and recorded in {@code nw_schema_history(feature, version, description, checksum,
 * applied_at)} with a SHA-256 of the text (line endings normalised). An applied file that changed, or
 * a recorded version whose file is gone and that was a contract migration (or predates the phase column),
 * stops start-up with a message naming the file; a recorded expand migration this version does not ship is
 * ignored, so an older controller keeps running on a database a newer one expanded. Contract migrations
 * ({@link netwatcher.controller.db.MigrationPhase}) wait until every live process registered in
 * {@code nw_schema_controller} ships them; live means a heartbeat ({@code Database#heartbeat}, every 5 s
 * from the controller) younger than 30 s, written and compared with the database's clock. Features must
 * not reference each other's tables in migrations.
 * See {@code docs/persistence.md} for the rules teams follow.
 *
 * <p><b>Locking.</b> Start-up migration on PostgreSQL runs in one transaction holding
 * {@code pg_advisory_xact_lock}, so controllers starting together take turns and a failed migration
 * rolls back entirely; on H2 (one process per file) a lock per database in the JVM suffices, each
 * file commits with its history row, and DDL is not transactional. Application transactions
 * ({@link netwatcher.controller.db.Database#inTransaction}) run at READ COMMITTED on both engines
 * rather than SERIALIZABLE: H2 and PostgreSQL implement SERIALIZABLE differently and PostgreSQL's
 * needs retry loops on every caller, while READ COMMITTED behaves alike. A read-modify-write
 * therefore locks what it reads with {@code SELECT ... FOR UPDATE} (tested with concurrent
 * increments on both engines); single statements ({@code UPDATE t SET n = n + 1}) need nothing more.
 *
 * <p><b>Testing a repository on both engines.</b> In the controller's test sources, annotate a test
 * method with {@code @netwatcher.controller.db.DatabaseTest} and take a {@code Database} (or
 * {@code TestDatabase} to reopen it) parameter; the method runs once on H2 and once on a real
 * PostgreSQL ({@code netwatcher.testing.postgres.PostgresServer}), each time on a fresh, migrated
 * database. All types here are thread-safe unless their documentation says otherwise.
 */
package netwatcher.controller.db;
