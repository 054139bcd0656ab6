package netwatcher.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import netwatcher.docs.MarkdownBlocks.Block;
import netwatcher.testing.netns.Processes;
import netwatcher.testing.netns.VethPair;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every document with command blocks, run as a new user would: in a fresh copy of the repository
 * (so {@code .nw-data} is fresh; the launcher class path this build packaged is linked in, as after
 * {@code ./nw build}), with a fresh {@code HOME}, as root, inside a network namespace that stands for a
 * fresh machine (its own loopback, so {@code 127.0.0.1:8443} is the document's; one NIC
 * {@code 198.18.X.1/24} with a default route to a gateway namespace at {@code .2}; nothing it sends
 * leaves the two namespaces). Each document runs twice in a row on the same state: what it creates
 * must not collide with its first run. The lab a document builds is taken down on every path.
 */
@Tag("docs")
@Tag("netns")
class DocsRunTest {
    /** The machine's NIC and gateway: a fresh pair per document. */
    @RegisterExtension final VethPair machine = new VethPair();

    /** The repository this test was built from (surefire runs it in {@code cli/}). */
    static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("nw")) && Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) return p;
        }
        throw new IllegalStateException("no repository (nw, README.md, docs/) above " + dir);
    }

    /** The documents that have a block to run, in order (only those named in {@code -Dnw.docs.only=a.md,b.md} if set). */
    static Stream<Path> documents() {
        List<String> only = List.of(System.getProperty("nw.docs.only", "").split(",")).stream().filter(n -> !n.isBlank()).toList();
        return MarkdownBlocks.documents(repositoryRoot()).stream()
                .filter(doc -> only.isEmpty() || only.contains(doc.getFileName().toString()))
                .filter(doc -> MarkdownBlocks.read(doc).stream().anyMatch(Block::runs));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void document_runsAsWrittenTwiceInARow(Path doc) throws Exception {
        Path root = repositoryRoot();
        Path work = Files.createDirectories(root.resolve("cli/target/doc-runs"))
                .resolve(doc.getFileName().toString().replace(".md", "") + "-" + Instant.now().getEpochSecond());
        Path tree = work.resolve("repo");
        copyTree(root, tree);
        Path home = Files.createDirectories(work.resolve("home"));
        String netns = machine.left().name();
        Processes.run("ip", "-n", netns, "route", "add", "default", "via", machine.right().ipv4().getHostAddress())
                .orThrow("default route in " + netns);
        Map<String, String> env = environment(home);
        List<Block> blocks = MarkdownBlocks.read(tree.resolve(root.relativize(doc)));
        boolean passed = false;
        long started = System.nanoTime();
        Process machineHolder = holdMachine(netns, root);
        List<String> enter = List.of("nsenter", "-t", String.valueOf(machineHolder.pid()), "-m", "-n", "--wd=" + tree, "--");
        try {
            for (int run = 1; run <= 2; run++) {
                DocSession session = new DocSession(tree, enter, env, work.resolve("logs-run" + run));
                try {
                    session.run(blocks);
                } catch (AssertionError e) {
                    throw new AssertionError(doc.getFileName() + ", run " + run + " of 2: " + e.getMessage(), e);
                }
            }
            passed = true;
        } finally {
            System.out.printf("docs test: %s ran twice in %d s%n", doc.getFileName(), Duration.ofNanos(System.nanoTime() - started).toSeconds());
            try {
                cleanUp(tree, enter, env, netns);
            } finally {
                machineHolder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (passed) deleteTree(work);
        }
    }

    /**
     * The rest of the fresh machine: a process in the document's network namespace holding a mount
     * namespace of its own, where {@code /run/netns} and {@code /etc/netns} (the namespaces a document's
     * lab makes are named {@code nw-lab-*}, which a developer's own lab may hold at the same time) and
     * {@code /var/captures} (the local agent's files), and {@code /tmp} (the docs' scratch files) are
     * empty, private file systems ({@code /tmp} stays the machine's when the repository itself lies under it). Every process of
     * the document enters both; all of it disappears with the holder.
     */
    private static Process holdMachine(String netns, Path root) throws Exception {
        // a repository that itself lies under /tmp (a CI clone) keeps the machine's /tmp: an empty one would hide the
        // copy, its jars and its home from the document (a bind mount back through /proc resolves to the new tmpfs)
        boolean underTmp = root.toAbsolutePath().normalize().startsWith("/tmp");
        String script = "set -e; for d in /run/netns /etc/netns /var/captures; do mkdir -p $d; mount -t tmpfs -o mode=0755 nw-doc-test $d; done;"
                + (underTmp ? "" : " mount -t tmpfs -o mode=1777 nw-doc-test /tmp;") + " echo held; exec sleep infinity";
        Process holder = new ProcessBuilder("ip", "netns", "exec", netns, "unshare", "--mount", "--propagation", "private", "sh", "-c", script)
                .redirectErrorStream(true).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"held".equals(first)) {
            holder.destroyForcibly();
            throw new IllegalStateException("cannot make the document's mount namespace: " + first);
        }
        return holder;
    }

    private static Map<String, String> environment(Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("PATH", "JAVA_HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME")) {
            String value = System.getenv(name);
            if (value != null) env.put(name, value);
        }
        env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        env.put("HOME", home.toString());
        env.put("TERM", "dumb");
        return env;
    }

    /**
     * The lab down (on the document's machine, where its names and management veth live), then every
     * process left in the machine's network namespaces (its own and the lab's).
     */
    private static void cleanUp(Path tree, List<String> enter, Map<String, String> env, String netns) throws Exception {
        if (Files.exists(tree.resolve(".nw-data/lab/state.json"))) {
            List<String> down = new ArrayList<>(enter);
            down.addAll(List.of("./nw", "lab", "down"));
            ProcessBuilder pb = new ProcessBuilder(down).directory(tree.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(env);
            Process process = pb.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) process.destroyForcibly();
        }
        List<String> kill = new ArrayList<>(enter);
        kill.addAll(List.of("sh", "-c", "for n in $(ip netns list | cut -d' ' -f1); do kill -KILL $(ip netns pids $n) 2>/dev/null; done; true"));
        Processes.run(Duration.ofSeconds(30), kill);
        String pids = Processes.run("ip", "netns", "pids", netns).stdout().strip();
        if (!pids.isEmpty()) {
            List<String> rest = new ArrayList<>(List.of("kill", "-KILL"));
            rest.addAll(List.of(pids.split("\\s+")));
            Processes.run(rest.toArray(String[]::new));
        }
        assertTrue(!Files.exists(tree.resolve(".nw-data/lab/state.json")), "the lab is still recorded after `nw lab down`");
    }

    /**
     * The repository's own files (what git tracks or would track, else everything but build output and
     * data), modification times kept, and the launcher class path this build packaged, linked, with the
     * launcher's "built" stamp: the state after {@code git clone} and {@code ./nw build}.
     */
    static void copyTree(Path root, Path tree) throws IOException {
        for (String file : sourceFiles(root)) {
            Path from = root.resolve(file);
            if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) continue;
            Path to = tree.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path built = root.resolve("cli/target");
        Path lib = Files.createDirectories(tree.resolve("cli/target/lib"));
        try (Stream<Path> jars = Files.list(built.resolve("lib"))) {
            for (Path jar : jars.toList()) link(jar, lib.resolve(jar.getFileName()));
        }
        try (Stream<Path> files = Files.list(built)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().matches("netwatcher-cli-.*\\.jar")).toList()) {
                link(jar, tree.resolve("cli/target").resolve(jar.getFileName()));
            }
        }
        Path stamp = lib.resolve(".built");
        Files.writeString(stamp, "");
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().plusSeconds(2)));
    }

    private static List<String> sourceFiles(Path root) throws IOException {
        try {
            Process git = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = git.getInputStream().readAllBytes();
            if (git.waitFor(60, TimeUnit.SECONDS) && git.exitValue() == 0 && out.length > 0) {
                return List.of(new String(out, StandardCharsets.UTF_8).split("\u0000"));
            }
        } catch (IOException | InterruptedException e) {
            // no git: walk the tree below
        }
        Set<String> skipped = Set.of(".git", "target", ".nw-data", "node_modules", ".idea", ".cifuzz-corpus");
        List<String> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && skipped.contains(dir.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                files.add(root.relativize(file).toString());
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    private static void link(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
