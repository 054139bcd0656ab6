package netwatcher.agent.capture;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Decides where a capture file may be written. ARM's {@code storageLocation.filePath} names a file
 * on the target host; netwatcher accepts it only inside one captures root (default
 * {@value #DEFAULT_ROOT}), so a capture request can never write over a system file.
 *
 * <p>A path is accepted when it is absolute, lies under the root (checked segment by segment,
 * {@code ..} and {@code .} refused outright, no normalisation that could hide them), names a file
 * (not the root, not ending in {@code /}), does not exist yet, and no component below the root is
 * a symbolic link. Missing parent directories are created one by one, refusing any component that
 * is (or is swapped for) a symbolic link; the capture itself then creates the file with
 * {@code O_CREAT|O_EXCL|O_NOFOLLOW}, so an existing file or link in its place is refused again at
 * open time.
 *
 * <p>Thread-safety: immutable; safe for concurrent use.
 */
public final class CapturePaths {
    public static final String DEFAULT_ROOT = "/var/captures";

    private final Path root;

    /** @param root the captures root; must be an absolute path to an existing directory (created if missing) */
    public CapturePaths(Path root) {
        Objects.requireNonNull(root, "root");
        if (!root.isAbsolute()) throw new IllegalArgumentException("captures root must be absolute; was " + root);
        this.root = root.normalize();
    }

    /** The default root {@value #DEFAULT_ROOT}. */
    public static CapturePaths defaultRoot() { return new CapturePaths(Path.of(DEFAULT_ROOT)); }

    public Path root() { return root; }

    /**
     * Validates {@code filePath} and creates its missing parent directories.
     *
     * @return the path the capture may create
     * @throws CaptureException naming the path and the reason it is refused
     */
    public Path resolve(String filePath) {
        Path path = check(filePath);
        try {
            Files.createDirectories(root);
            if (Files.isSymbolicLink(root) && !Files.isDirectory(root)) {
                throw refuse(filePath, "the captures root " + root + " is not a directory");
            }
            Path directory = root;
            Path relative = root.relativize(path);
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                directory = directory.resolve(relative.getName(i));
                try {
                    Files.createDirectory(directory);
                } catch (FileAlreadyExistsException exists) {
                    // fine if it is a real directory, checked below
                }
                if (Files.isSymbolicLink(directory)) {
                    throw refuse(filePath, directory + " is a symbolic link");
                }
                if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                    throw refuse(filePath, directory + " exists and is not a directory");
                }
            }
            if (Files.isSymbolicLink(path)) throw refuse(filePath, "it is a symbolic link");
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(filePath, Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                        ? "it is an existing directory" : "the file already exists (captures never overwrite)");
            }
            return path;
        } catch (IOException e) {
            throw new CaptureException("capture file path '" + filePath + "' cannot be prepared: " + e, e);
        }
    }

    /** The syntactic checks of {@link #resolve}, without touching the file system. */
    Path check(String filePath) {
        if (filePath == null || filePath.isBlank()) throw refuse(filePath, "it is empty");
        if (filePath.indexOf('\0') >= 0) throw refuse(filePath, "it contains a NUL character");
        if (filePath.endsWith("/")) throw refuse(filePath, "it names a directory, not a file");
        Path path;
        try {
            path = Path.of(filePath);
        } catch (InvalidPathException e) {
            throw refuse(filePath, e.getReason());
        }
        if (!path.isAbsolute()) throw refuse(filePath, "it must be an absolute path under " + root);
        for (Path segment : path) {
            String name = segment.toString();
            if (name.equals("..") || name.equals(".")) throw refuse(filePath, "it contains a '" + name + "' segment");
        }
        if (!path.startsWith(root) || path.equals(root)) {
            throw refuse(filePath, "it must name a file under the captures root " + root);
        }
        return path;
    }

    private static CaptureException refuse(String filePath, String why) {
        return new CaptureException("capture file path '" + filePath + "' refused: " + why);
    }

}
