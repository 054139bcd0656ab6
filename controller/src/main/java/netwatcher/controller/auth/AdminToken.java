package netwatcher.controller.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import netwatcher.pki.SecureFiles;

/**
 * The administrator's bearer token: 256 random bits, base64url (43 characters), generated on first
 * start and kept as the single line of {@code DATA_DIR/admin.token} (mode 0600, written so that it
 * is never readable by others, not even briefly). Whoever holds it is the admin: it passes every
 * authorization check.
 *
 * <p>Controllers that share a database share one admin token: its hash lives in the database
 * ({@link AdminTokenRepository}), and {@link #establish} makes the first controller's token the
 * cluster's. A controller that joins later without the token file knows only the hash: it accepts
 * the token ({@link #matches}) but cannot hand it out ({@link #value} fails, naming the file to copy).
 * Rotate it by deleting the file and restarting (embedded database), or, for a shared database, as
 * docs/deployment.md describes.
 *
 * <p>Immutable and thread-safe; {@link #toString()} does not show the token.
 */
public final class AdminToken {
    /** The token file's name inside the data directory. */
    public static final String FILE_NAME = "admin.token";

    private final Path file;
    private final String value;
    private final String hash;

    private AdminToken(Path file, String value, String hash) {
        this.file = file;
        this.value = value;
        this.hash = hash;
    }

    /**
     * Loads {@code dataDir/admin.token}, creating it on first call. Fails if the file exists but does
     * not hold exactly one token line, or (on POSIX systems) if it is readable by group or others.
     */
    public static AdminToken loadOrCreate(Path dataDir) {
        Path file = fileIn(dataDir);
        if (!Files.exists(file)) write(file, Secrets.generate());
        String token = read(file).orElseThrow();
        return new AdminToken(file, token, Secrets.hash(token));
    }

    /**
     * The token every controller on {@code repository}'s database accepts, established race-free:
     * <ul>
     * <li>no hash stored yet: this controller's token (its file's, else a new one) is offered with
     * insert-if-absent, then the stored hash is read back; a controller that lost that race drops the
     * file it just wrote and knows the hash only;</li>
     * <li>a hash stored and the file's token matches: as before;</li>
     * <li>a hash stored, the file differs or is missing: with {@code exclusiveDatabase} (the embedded
     * database, which no other controller can open) the file is the truth (deleting it and
     * restarting rotates the token, as it always did); on a shared database a differing file stops
     * the start (two admins would each believe theirs is the token), and a missing one leaves this
     * controller knowing the hash only.</li>
     * </ul>
     */
    public static AdminToken establish(Path dataDir, AdminTokenRepository repository, boolean exclusiveDatabase) {
        Path file = fileIn(dataDir);
        Optional<String> local = read(file);
        Optional<String> stored = repository.hash();
        if (stored.isEmpty()) {
            boolean created = local.isEmpty();
            String token = local.orElseGet(() -> write(file, Secrets.generate()));
            repository.offer(Secrets.hash(token));
            String winner = repository.hash().orElseThrow(() -> new IllegalStateException("the admin token hash vanished"));
            if (Secrets.matches(token, winner)) return new AdminToken(file, token, winner);
            if (created) delete(file); // another controller's token won the race: ours was never valid
            return new AdminToken(file, null, winner);
        }
        String hash = stored.get();
        if (local.isPresent() && Secrets.matches(local.get(), hash)) return new AdminToken(file, local.get(), hash);
        if (exclusiveDatabase) {
            String token = local.orElseGet(() -> write(file, Secrets.generate()));
            repository.replace(Secrets.hash(token));
            return new AdminToken(file, token, Secrets.hash(token));
        }
        if (local.isPresent()) {
            throw new IllegalStateException(file + " is not the admin token of the shared database: another controller"
                    + " created that one first. Copy its admin.token over this file, or delete this file (this controller then"
                    + " accepts the shared token without knowing it).");
        }
        return new AdminToken(file, null, hash);
    }

    private static Path fileIn(Path dataDir) {
        return dataDir.toAbsolutePath().resolve(FILE_NAME);
    }

    private static String write(Path file, String token) {
        SecureFiles.writeAtomically(file, token + "\n", true);
        return token;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    /** The file's token, checked; empty when there is no file. */
    private static Optional<String> read(Path file) {
        try {
            if (!Files.exists(file)) return Optional.empty();
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
            return Optional.of(lines.getFirst().strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Where the token lives (on a controller that joined a shared database later, the file may be absent). */
    public Path file() { return file; }

    /** Whether this controller knows the token itself, not only its hash. */
    public boolean known() { return value != null; }

    /** The token (for the CLI that runs on the same machine); never log it. */
    public String value() {
        if (value == null) {
            throw new IllegalStateException("this controller shares its database's admin token but does not hold it: copy"
                    + " admin.token from the controller that created the database to " + file);
        }
        return value;
    }

    /** Whether {@code presented} is the admin token (constant time). */
    public boolean matches(String presented) {
        return Secrets.matches(presented, hash);
    }

    @Override
    public String toString() { return "AdminToken[" + file + "]"; }
}
