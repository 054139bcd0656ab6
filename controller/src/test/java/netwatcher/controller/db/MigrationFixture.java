package netwatcher.controller.db;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Migration files in a temporary classpath root, loadable as a directory or as a jar. Not thread-safe. */
final class MigrationFixture implements AutoCloseable {
    private final Path root;
    private final Path work;

    MigrationFixture() throws IOException {
        work = Files.createTempDirectory("nwt-migrations-");
        root = Files.createDirectories(work.resolve("classes"));
    }

    void write(String feature, String file, String sql) throws IOException {
        Path dir = Files.createDirectories(root.resolve("db/migration").resolve(feature));
        Files.writeString(dir.resolve(file), sql);
    }

    void delete(String feature, String file) throws IOException {
        Files.delete(root.resolve("db/migration").resolve(feature).resolve(file));
    }

    Path root() {
        return root;
    }

    /** A loader seeing only this directory (no parent), like an exploded application. */
    ClassLoader loader() {
        return loaderOf(root);
    }

    /** A loader over a jar of this directory, built with or without directory entries. */
    ClassLoader jarLoader(boolean directoryEntries) throws IOException {
        Path jar = Files.createTempFile(work, "migrations-", ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out);
             Stream<Path> files = Files.walk(root)) {
            Set<String> written = new LinkedHashSet<>();
            for (Path path : files.sorted().toList()) {
                String name = root.relativize(path).toString().replace('\\', '/');
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(path)) {
                    if (directoryEntries && written.add(name + "/")) {
                        jarOut.putNextEntry(new JarEntry(name + "/"));
                        jarOut.closeEntry();
                    }
                } else {
                    jarOut.putNextEntry(new JarEntry(name));
                    jarOut.write(Files.readAllBytes(path));
                    jarOut.closeEntry();
                }
            }
        }
        return loaderOf(jar);
    }

    private static ClassLoader loaderOf(Path path) {
        try {
            return new URLClassLoader(new URL[] {path.toUri().toURL()}, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
