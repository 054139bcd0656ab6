package netwatcher.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes secret-bearing files: the content goes to a temporary file in the same directory that is
 * created with mode 0600 (so the secret is never readable by others, not even for a moment) and is
 * then moved over the target atomically, so a reader sees either the old or the new file.
 *
 * <p>Stateless and thread-safe. Public because the controller's token and key files use it too.
 */
public final class SecureFiles {
    private SecureFiles() {}

    /** Whether the default file system supports POSIX permissions (it does on Linux). */
    public static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Writes {@code content} to {@code file} atomically; {@code secret} files get mode 0600, others
     * 0644. Parent directories are created (0700 when {@code secret}).
     */
    public static void writeAtomically(Path file, String content, boolean secret) {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        try {
            createDirectories(dir, secret);
            FileAttribute<?>[] attributes = posix()
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"))}
                    : new FileAttribute<?>[0];
            Path temp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp", attributes);
            try {
                Files.writeString(temp, content, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + absolute, e);
        }
    }

    /** Creates {@code dir} and its parents if missing; a newly made leaf is 0700 when {@code secret}. */
    public static void createDirectories(Path dir, boolean secret) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir);
        if (secret && posix()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
