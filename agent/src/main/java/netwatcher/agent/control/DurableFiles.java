package netwatcher.agent.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Crash-safe small-file writes: write a temp file next to the target, fsync it, rename it over the
 * target atomically and fsync the directory, so a reader after a crash sees either the old or the new
 * content, never a torn one. Stateless; thread-safe for distinct targets.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /** Writes {@code bytes} to {@code target} atomically; {@code ownerOnly} makes the file mode 0600 (0644 otherwise). */
    public static void writeAtomically(Path target, byte[] bytes, boolean ownerOnly) throws IOException {
        // FileChannel I/O is interruptible: a pending interrupt (shutdown) must not abort a journal write
        boolean interrupted = Thread.interrupted();
        try {
            write(target, bytes, ownerOnly);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void write(Path target, byte[] bytes, boolean ownerOnly) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().threadId());
        Set<java.nio.file.attribute.PosixFilePermission> perms =
                PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(perms));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temp file " + temp + " appeared concurrently", e);
        }
        try {
            Files.setPosixFilePermissions(temp, perms); // umask may have narrowed or widened creation
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // a torn temp file (disk full) must not keep the space the next attempt needs
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Deletes {@code target} if present and fsyncs its directory. */
    public static void delete(Path target) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            if (Files.deleteIfExists(target)) syncDirectory(target.toAbsolutePath().getParent());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
