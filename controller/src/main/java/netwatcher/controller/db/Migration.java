package netwatcher.controller.db;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A migration file found on the classpath: {@code db/migration/<feature>/V<version>__<description>.sql}.
 *
 * @param location where it was found, for messages
 */
record Migration(String feature, int version, String description, String checksum, String sql, String location) {

    static Migration of(String feature, int version, String rawDescription, String text, String location) {
        String normalized = text.replace("\r\n", "\n");
        if (normalized.startsWith("\uFEFF")) {
            normalized = normalized.substring(1);
        }
        return new Migration(feature, version, rawDescription.replace('_', ' '), sha256(normalized), normalized,
                location);
    }

    /** Expand unless the file's first line marks it a contract migration. */
    MigrationPhase phase() {
        return MigrationPhase.of(sql);
    }

    String fileName() {
        return feature + "/V" + version + "__" + description.replace(' ', '_') + ".sql";
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
