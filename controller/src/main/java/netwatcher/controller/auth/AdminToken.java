package netwatcher.controller.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import netwatcher.pki.SecureFiles;

/**
 * The administrator's bearer token: 256 random bits, base64url (43 characters), generated on first
 * start and kept as the single line of {@code DATA_DIR/admin.token} (mode 0600, written so that it
 * is never readable by others, not even briefly). Whoever can read that file is the admin: it
 * passes every authorization check. Rotate it by deleting the file and restarting.
 *
 * <p>Immutable and thread-safe; {@link #toString()} does not show the token.
 */
public final class AdminToken {
    /** The token file's name inside the data directory. */
    public static final String FILE_NAME = "admin.token";

    private final Path file;
    private final String value;

    private AdminToken(Path file, String value) {
        this.file = file;
        this.value = value;
    }

    /**
     * Loads {@code dataDir/admin.token}, creating it on first call. Fails if the file exists but does
     * not hold exactly one token line, or (on POSIX systems) if it is readable by group or others.
     */
    public static AdminToken loadOrCreate(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
        try {
            if (!Files.exists(file)) {
                SecureFiles.writeAtomically(file, Secrets.generate() + "\n", true);
            }
            if (SecureFiles.posix()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw new IllegalStateException(file + " is accessible by other users; run chmod 600 " + file);
                }
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank()).toList();
            if (lines.size() != 1 || lines.getFirst().strip().length() < 32) {
                throw new IllegalStateException(file + " must hold one token line of at least 32 characters;"
                        + " delete it to generate a new token");
            }
            return new AdminToken(file, lines.getFirst().strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Where the token lives. */
    public Path file() { return file; }

    /** The token (for the CLI that runs on the same machine); never log it. */
    public String value() { return value; }

    /** Whether {@code presented} is the admin token (constant time). */
    public boolean matches(String presented) {
        return Secrets.constantTimeEquals(presented, value);
    }

    @Override
    public String toString() { return "AdminToken[" + file + "]"; }
}
