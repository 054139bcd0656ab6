package netwatcher.controller.db;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds every {@code db/migration/<feature>/V<n>__<description>.sql} visible to a class loader, in
 * exploded directories and in jars, without a hand-written list of features.
 *
 * <p>Roots are the URLs the loader returns for {@code db/migration} (directory entries) plus, for
 * a {@code URLClassLoader} its URLs and for the application class loader every
 * {@code java.class.path} entry, so jars packed without directory entries are still found. A {@code .sql} file under {@code db/migration} that does not
 * follow the naming scheme is an error, not something silently skipped. Stateless.
 */
final class MigrationScanner {
    static final String ROOT = "db/migration";
    private static final Pattern FEATURE = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Pattern FILE = Pattern.compile("V([1-9][0-9]{0,8})__([A-Za-z0-9_-]+)\\.sql");

    private MigrationScanner() {}

    /** All migrations, features in name order, each feature's versions ascending and gap-free from 1. */
    static List<Migration> scan(ClassLoader loader) {
        Map<String, Migration> byKey = new HashMap<>();
        for (Path root : roots(loader)) {
            for (Migration migration : Files.isDirectory(root) ? fromDirectory(root) : fromJar(root)) {
                String key = migration.feature() + "/" + migration.version();
                Migration existing = byKey.putIfAbsent(key, migration);
                if (existing != null && !existing.checksum().equals(migration.checksum())) {
                    throw new MigrationException("two different migrations " + migration.feature() + " V"
                            + migration.version() + ": " + existing.location() + " and " + migration.location()
                            + "; each version of a feature must exist once");
                }
            }
        }
        Map<String, List<Migration>> byFeature = new TreeMap<>();
        for (Migration migration : byKey.values()) {
            byFeature.computeIfAbsent(migration.feature(), f -> new ArrayList<>()).add(migration);
        }
        List<Migration> ordered = new ArrayList<>();
        for (var entry : byFeature.entrySet()) {
            List<Migration> versions = entry.getValue();
            versions.sort(Comparator.comparingInt(Migration::version));
            for (int i = 0; i < versions.size(); i++) {
                if (versions.get(i).version() != i + 1) {
                    throw new MigrationException("feature " + entry.getKey() + ": migrations must be numbered V1, V2,"
                            + " V3... without gaps, but V" + (i + 1) + " is missing (found "
                            + versions.stream().map(m -> "V" + m.version()).toList() + ")");
                }
            }
            ordered.addAll(versions);
        }
        return List.copyOf(ordered);
    }

    private static Set<Path> roots(ClassLoader loader) {
        Set<Path> roots = new LinkedHashSet<>();
        try {
            Enumeration<URL> urls = loader.getResources(ROOT);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                switch (url.getProtocol()) {
                    case "file" -> roots.add(Path.of(url.toURI()).getParent().getParent().toRealPath());
                    case "jar" -> {
                        String spec = url.getPath(); // file:/x/y.jar!/db/migration
                        int bang = spec.indexOf("!/");
                        if (bang < 0 || !spec.startsWith("file:") || spec.indexOf("!/", bang + 2) >= 0) {
                            throw new MigrationException("cannot list migrations inside " + url
                                    + ": only plain jars on the file system are supported");
                        }
                        roots.add(Path.of(new URL(spec.substring(0, bang)).toURI()).toRealPath());
                    }
                    default -> throw new MigrationException("cannot list migrations at " + url
                            + ": unsupported URL protocol " + url.getProtocol());
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new MigrationException("cannot list " + ROOT + " on the classpath: " + e.getMessage(), e);
        }
        if (loader instanceof java.net.URLClassLoader urlLoader) {
            for (URL url : urlLoader.getURLs()) {
                try {
                    if ("file".equals(url.getProtocol())) {
                        Path path = Path.of(url.toURI());
                        if (Files.isDirectory(path.resolve(ROOT))
                                || (Files.isRegularFile(path) && path.toString().endsWith(".jar"))) {
                            roots.add(path.toRealPath());
                        }
                    }
                } catch (IOException | URISyntaxException e) {
                    throw new MigrationException("cannot read class path entry " + url + ": " + e.getMessage(), e);
                }
            }
        }
        if (loader == ClassLoader.getSystemClassLoader()) {
            for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                Path path = Path.of(entry);
                try {
                    if (Files.isDirectory(path.resolve(ROOT))
                            || (Files.isRegularFile(path) && entry.endsWith(".jar"))) {
                        roots.add(path.toRealPath());
                    }
                } catch (IOException e) {
                    throw new MigrationException("cannot read class path entry " + entry + ": " + e.getMessage(), e);
                }
            }
        }
        return roots;
    }

    private static List<Migration> fromDirectory(Path classpathRoot) {
        Path base = classpathRoot.resolve(ROOT);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        List<Migration> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String relative = base.relativize(file).toString().replace(File.separatorChar, '/');
                Migration migration = parse(relative, file.toString(), () -> Files.readString(file));
                if (migration != null) {
                    found.add(migration);
                }
            }
        } catch (IOException e) {
            throw new MigrationException("cannot read migrations under " + base + ": " + e.getMessage(), e);
        }
        return found;
    }

    private static List<Migration> fromJar(Path jar) {
        List<Migration> found = new ArrayList<>();
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            for (JarEntry entry : jarFile.stream().sorted(Comparator.comparing(JarEntry::getName)).toList()) {
                if (entry.isDirectory() || !entry.getName().startsWith(ROOT + "/")) {
                    continue;
                }
                String relative = entry.getName().substring(ROOT.length() + 1);
                Migration migration = parse(relative, jar + "!/" + entry.getName(), () -> {
                    try (InputStream in = jarFile.getInputStream(entry)) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                });
                if (migration != null) {
                    found.add(migration);
                }
            }
        } catch (IOException e) {
            throw new MigrationException("cannot read migrations in " + jar + ": " + e.getMessage(), e);
        }
        return found;
    }

    @FunctionalInterface
    private interface Content {
        String read() throws IOException;
    }

    /** Null for files that are not SQL (READMEs and the like are allowed beside migrations). */
    private static Migration parse(String relative, String location, Content content) {
        if (!relative.endsWith(".sql")) {
            return null;
        }
        String[] parts = relative.split("/");
        if (parts.length != 2) {
            throw new MigrationException("misplaced migration " + location + ": migrations live at "
                    + ROOT + "/<feature>/V<n>__<description>.sql");
        }
        String feature = parts[0];
        if (!FEATURE.matcher(feature).matches()) {
            throw new MigrationException("bad feature directory in " + location
                    + ": feature names are lower-case letters, digits, '_' or '-', starting with a letter");
        }
        Matcher matcher = FILE.matcher(parts[1]);
        if (!matcher.matches()) {
            throw new MigrationException("misnamed migration " + location
                    + ": expected V<n>__<description>.sql, e.g. V1__create_agents.sql");
        }
        try {
            return Migration.of(feature, Integer.parseInt(matcher.group(1)), matcher.group(2), content.read(),
                    location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + location, e);
        }
    }
}
