package netwatcher.controller.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** {@link ServicePrincipalRepository} on table {@code service_principal}. Thread-safe. */
public final class JdbcServicePrincipalRepository implements ServicePrincipalRepository {
    private static final String COLUMNS = "client_id, display_name, secret_hash, created_at";
    private final Jdbc jdbc;

    public JdbcServicePrincipalRepository(DataSource dataSource) { this.jdbc = new Jdbc(dataSource); }

    @Override
    public void insert(ServicePrincipal sp) {
        jdbc.update("INSERT INTO service_principal (" + COLUMNS + ") VALUES (?, ?, ?, ?)", statement -> {
            statement.setString(1, sp.clientId().toString());
            statement.setString(2, sp.displayName());
            statement.setString(3, sp.secretHash());
            statement.setObject(4, Jdbc.toDb(sp.createdAt()));
        });
    }

    @Override
    public Optional<ServicePrincipal> find(UUID clientId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM service_principal WHERE client_id = ?",
                statement -> statement.setString(1, clientId.toString()), JdbcServicePrincipalRepository::map);
    }

    @Override
    public List<ServicePrincipal> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM service_principal ORDER BY created_at, client_id",
                statement -> {}, JdbcServicePrincipalRepository::map);
    }

    @Override
    public boolean updateSecretHash(UUID clientId, String secretHash) {
        return jdbc.update("UPDATE service_principal SET secret_hash = ? WHERE client_id = ?", statement -> {
            statement.setString(1, secretHash);
            statement.setString(2, clientId.toString());
        }) == 1;
    }

    @Override
    public boolean delete(UUID clientId) {
        return jdbc.update("DELETE FROM service_principal WHERE client_id = ?",
                statement -> statement.setString(1, clientId.toString())) == 1;
    }

    private static ServicePrincipal map(ResultSet row) throws SQLException {
        return new ServicePrincipal(UUID.fromString(row.getString("client_id")), row.getString("display_name"),
                row.getString("secret_hash"), Jdbc.instant(row, "created_at"));
    }
}
