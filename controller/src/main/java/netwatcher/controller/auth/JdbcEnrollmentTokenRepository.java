package netwatcher.controller.auth;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Row;

/** {@link EnrollmentTokenRepository} on table {@code enrollment_token}. Thread-safe. */
public final class JdbcEnrollmentTokenRepository implements EnrollmentTokenRepository {
    private static final String COLUMNS =
            "id, secret_hash, subscription_id, resource_group, expires_at, max_uses, uses, revoked";
    private final Database db;
    private final Clock clock;

    public JdbcEnrollmentTokenRepository(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void insert(EnrollmentToken token) {
        db.update("INSERT INTO enrollment_token (" + COLUMNS + ", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                token.id(), token.secretHash(), token.subscriptionId(), token.resourceGroup(), token.expiresAt(),
                token.maxUses(), token.uses(), token.revoked(), clock.instant());
    }

    @Override
    public Optional<EnrollmentToken> find(String id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM enrollment_token WHERE id = ?", JdbcEnrollmentTokenRepository::map, id);
    }

    @Override
    public List<EnrollmentToken> list() {
        return db.query("SELECT " + COLUMNS + " FROM enrollment_token ORDER BY created_at, id", JdbcEnrollmentTokenRepository::map);
    }

    @Override
    public boolean revoke(String id) {
        return db.update("UPDATE enrollment_token SET revoked = TRUE WHERE id = ?", id) == 1;
    }

    @Override
    public boolean consume(String id, Instant now) {
        return db.update("UPDATE enrollment_token SET uses = uses + 1"
                + " WHERE id = ? AND revoked = FALSE AND uses < max_uses AND expires_at > ?", id, now) == 1;
    }

    private static EnrollmentToken map(Row row) throws SQLException {
        return new EnrollmentToken(row.getString("id"), row.getString("secret_hash"), row.getString("subscription_id"),
                row.getString("resource_group"), row.getInstant("expires_at"), row.getInt("max_uses"),
                row.getInt("uses"), row.getBoolean("revoked"));
    }
}
