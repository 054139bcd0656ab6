package netwatcher.cli;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code nw} launcher's AOT cache (JDK 25, JEP 483/514), driven through the real script: the
 * first successful client call records, the cache is assembled in the background, the next call maps
 * it, and once a jar is newer than the cache (a rebuild) the cache is ignored and made again. The
 * script runs in a copy of the distribution layout ({@code cli/target/lib/*.jar} and the cli jar, made
 * from this test's class path), so touching a jar never touches the real build. Observed through the
 * JVM's own class-loading log: {@code netwatcher.cli.Main source: shared objects file} means the cache
 * was used. Behaviour only; the time it saves is in BENCHMARKS.md §6.
 */
@Tag("external")
class LauncherAotCacheTest {
    private static final Duration ASSEMBLY = Duration.ofSeconds(120);

    @TempDir
    Path home;

    @Test
    void cache_isMadeAfterTheFirstCall_usedByTheNext_andRemadeWhenAJarChanges() throws Exception {
        layout();
        Path aot = home.resolve("cli/target/aot");
        Path cache = aot.resolve("nw-cli.aot");

        Run first = nw("first");
        assertEquals(0, first.exit(), first.output());
        assertFalse(first.fromCache(), "no cache yet:\n" + first.output());
        awaitCache(cache);

        Run second = nw("second");
        assertEquals(0, second.exit(), second.output());
        assertTrue(second.fromCache(), "the second call maps the cache:\n" + second.output());

        // A rebuild: the cli jar newer than the cache, its size unchanged (which the JVM alone would not notice).
        // Both times are moved into the past, never the future: a jar dated ahead of the clock would make every cache
        // recorded before that moment stale too, and a fast machine records the new one within seconds.
        Path jar = home.resolve("cli/target/netwatcher-cli-0.0.0-test.jar");
        Instant now = Instant.now();
        Instant rebuiltAt = now.minusSeconds(5);
        Files.setLastModifiedTime(cache, FileTime.from(now.minusSeconds(10)));
        Files.setLastModifiedTime(jar, FileTime.from(rebuiltAt));
        Run stale = nw("stale");
        assertEquals(0, stale.exit(), stale.output());
        assertFalse(stale.fromCache(), "a cache older than a jar is not used:\n" + stale.output());
        awaitCacheNewerThan(cache, rebuiltAt);

        Run remade = nw("remade");
        assertEquals(0, remade.exit(), remade.output());
        assertTrue(remade.fromCache(), "the remade cache is used:\n" + remade.output());
    }

    @Test
    void cacheOfAnotherJdkOrClassPath_isNotUsed_andNwAotOffRunsWithout() throws Exception {
        layout();
        Path cache = home.resolve("cli/target/aot/nw-cli.aot");
        assertEquals(0, nw("first").exit());
        awaitCache(cache);
        Files.writeString(home.resolve("cli/target/aot/key"), "/some/other/jdk JAVA_RUNTIME_VERSION=\"25.0.0\" " + "x.jar\n");
        Run other = nw("other");
        assertEquals(0, other.exit(), other.output());
        assertFalse(other.fromCache(), other.output());

        awaitKeyRewritten(); // the call above recorded again: a cache for this JDK and class path
        awaitCache(cache);
        Run off = nw("off", "NW_AOT=off");
        assertEquals(0, off.exit(), off.output());
        assertFalse(off.fromCache(), "NW_AOT=off:\n" + off.output());
        Run on = nw("on");
        assertTrue(on.fromCache(), "the remade cache is valid:\n" + on.output());
    }

    record Run(int exit, String output, String classLog) {
        boolean fromCache() {
            return classLog.lines().anyMatch(l -> l.contains("netwatcher.cli.Main source: shared objects file"));
        }
    }

    /** {@code nw logout} (a client call that succeeds without a controller) through the copied script. */
    private Run nw(String name, String... env) throws IOException, InterruptedException {
        Path log = home.resolve(name + ".classes");
        List<String> command = new ArrayList<>(List.of("env"));
        command.addAll(List.of(env));
        command.addAll(List.of("bash", home.resolve("nw").toString(), "logout"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("NW_CONFIG", home.resolve("config.json").toString());
        pb.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
        pb.environment().put("NW_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nw did not finish: " + out);
        return new Run(p.exitValue(), out, Files.exists(log) ? Files.readString(log) : "");
    }

    /**
     * NW_HOME with the script, a stamp that says "built", the test class path's jars in
     * cli/target/lib and this build's classes in jars (the cli's as the cli jar); returns lib.
     */
    private Path layout() throws IOException {
        Path project = Path.of("").toAbsolutePath().getParent();
        Files.copy(project.resolve("nw"), home.resolve("nw"));
        Path lib = Files.createDirectories(home.resolve("cli/target/lib"));
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                Files.copy(path, lib.resolve(path.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            } else if (Files.isDirectory(path) && path.endsWith("target/classes")) {
                boolean cli = path.getParent().getParent().getFileName().toString().equals("cli");
                jar(path, cli ? home.resolve("cli/target/netwatcher-cli-0.0.0-test.jar") : lib.resolve("module-" + i++ + ".jar"));
            }
        }
        Files.writeString(lib.resolve(".built"), "");
        return lib;
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    private void awaitCache(Path cache) throws InterruptedException {
        awaitCacheNewerThan(cache, Instant.EPOCH);
    }

    /** The background assembly is done: the cache exists, is newer than {@code than}, and no half-made one is left. */
    private void awaitCacheNewerThan(Path cache, Instant than) throws InterruptedException {
        Instant deadline = Instant.now().plus(ASSEMBLY);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (Files.exists(cache) && Files.getLastModifiedTime(cache).toInstant().isAfter(than)
                        && !Files.exists(home.resolve("cli/target/aot/nw-cli.aot.tmp"))) return;
            } catch (IOException e) {
                // moved while we looked; look again
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no AOT cache newer than " + than + " after " + ASSEMBLY + ": " + listing());
    }

    private void awaitKeyRewritten() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(ASSEMBLY);
        Path key = home.resolve("cli/target/aot/key");
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(key) && !Files.readString(key).startsWith("/some/other/jdk")) return;
            Thread.sleep(200);
        }
        throw new AssertionError("the key was not rewritten: " + listing());
    }

    private String listing() {
        try (Stream<Path> files = Files.list(home.resolve("cli/target/aot"))) {
            Path log = home.resolve("cli/target/aot/create.log");
            return files.map(Path::getFileName).toList() + (Files.exists(log) ? "\ncreate.log: " + Files.readString(log) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }
}
