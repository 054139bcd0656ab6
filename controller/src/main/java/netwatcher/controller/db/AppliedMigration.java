package netwatcher.controller.db;

import java.time.Instant;
import java.util.Objects;

/**
 * A row of {@code nw_schema_history}: one migration that has been applied to this database.
 *
 * @param checksum SHA-256 (hex) of the file's UTF-8 text with line endings normalised to LF
 * @param phase expand or contract; null for rows written before controllers recorded it
 */
public record AppliedMigration(String feature, int version, String description, String checksum,
                               Instant appliedAt, MigrationPhase phase) {
    public AppliedMigration {
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(checksum, "checksum");
        Objects.requireNonNull(appliedAt, "appliedAt");
    }
}
