package netwatcher.controller.auth;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Row;

/** {@link ServicePrincipalRepository} on table {@code service_principal}. Thread-safe. */
public final class JdbcServicePrincipalRepository implements ServicePrincipalRepository {
    private static final String COLUMNS = "client_id, display_name, secret_hash, created_at";
    private final Database db;

    public JdbcServicePrincipalRepository(Database db) { this.db = db; }

    @Override
    public void insert(ServicePrincipal sp) {
        db.update("INSERT INTO service_principal (" + COLUMNS + ") VALUES (?, ?, ?, ?)",
                sp.clientId().toString(), sp.displayName(), sp.secretHash(), sp.createdAt());
    }

    @Override
    public Optional<ServicePrincipal> find(UUID clientId) {
        return db.queryOne("SELECT " + COLUMNS + " FROM service_principal WHERE client_id = ?",
                JdbcServicePrincipalRepository::map, clientId.toString());
    }

    @Override
    public List<ServicePrincipal> list() {
        return db.query("SELECT " + COLUMNS + " FROM service_principal ORDER BY created_at, client_id",
                JdbcServicePrincipalRepository::map);
    }

    @Override
    public boolean updateSecretHash(UUID clientId, String secretHash) {
        return db.update("UPDATE service_principal SET secret_hash = ? WHERE client_id = ?", secretHash, clientId.toString()) == 1;
    }

    @Override
    public boolean delete(UUID clientId) {
        return db.update("DELETE FROM service_principal WHERE client_id = ?", clientId.toString()) == 1;
    }

    private static ServicePrincipal map(Row row) throws SQLException {
        return new ServicePrincipal(UUID.fromString(row.getString("client_id")), row.getString("display_name"),
                row.getString("secret_hash"), row.getInstant("created_at"));
    }
}
