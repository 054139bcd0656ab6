package netwatcher.controller.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link EnrollmentTokenRepository} on table {@code enrollment_token}. Thread-safe. */
public final class JdbcEnrollmentTokenRepository implements EnrollmentTokenRepository {
    private static final String COLUMNS =
            "id, secret_hash, subscription_id, resource_group, expires_at, max_uses, uses, revoked";
    private final Jdbc jdbc;
    private final Clock clock;

    public JdbcEnrollmentTokenRepository(DataSource dataSource, Clock clock) {
        this.jdbc = new Jdbc(dataSource);
        this.clock = clock;
    }

    @Override
    public void insert(EnrollmentToken token) {
        jdbc.update("INSERT INTO enrollment_token (" + COLUMNS + ", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                statement -> {
                    statement.setString(1, token.id());
                    statement.setString(2, token.secretHash());
                    setNullable(statement, 3, token.subscriptionId());
                    setNullable(statement, 4, token.resourceGroup());
                    statement.setObject(5, Jdbc.toDb(token.expiresAt()));
                    statement.setInt(6, token.maxUses());
                    statement.setInt(7, token.uses());
                    statement.setBoolean(8, token.revoked());
                    statement.setObject(9, Jdbc.toDb(clock.instant()));
                });
    }

    private static void setNullable(java.sql.PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    @Override
    public Optional<EnrollmentToken> find(String id) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM enrollment_token WHERE id = ?",
                statement -> statement.setString(1, id), JdbcEnrollmentTokenRepository::map);
    }

    @Override
    public List<EnrollmentToken> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM enrollment_token ORDER BY created_at, id",
                statement -> {}, JdbcEnrollmentTokenRepository::map);
    }

    @Override
    public boolean revoke(String id) {
        return jdbc.update("UPDATE enrollment_token SET revoked = TRUE WHERE id = ?", statement -> statement.setString(1, id)) == 1;
    }

    @Override
    public boolean consume(String id, Instant now) {
        return jdbc.update("UPDATE enrollment_token SET uses = uses + 1"
                + " WHERE id = ? AND revoked = FALSE AND uses < max_uses AND expires_at > ?", statement -> {
                    statement.setString(1, id);
                    statement.setObject(2, Jdbc.toDb(now));
                }) == 1;
    }

    private static EnrollmentToken map(ResultSet row) throws SQLException {
        return new EnrollmentToken(row.getString("id"), row.getString("secret_hash"), row.getString("subscription_id"),
                row.getString("resource_group"), Jdbc.instant(row, "expires_at"), row.getInt("max_uses"),
                row.getInt("uses"), row.getBoolean("revoked"));
    }
}
