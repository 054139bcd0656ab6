package netwatcher.testing.bidi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One headless {@code firefox-esr} with its own throwaway profile, serving WebDriver BiDi on a port it picks itself
 * ({@code --remote-debugging-port=0}; the address is read from its stderr). {@link #close()} kills the browser and
 * every process it started, then deletes the profile; {@link #start} does the same when anything fails.
 *
 * <p>Thread-safety: {@link #stderrTail()} may be called from any thread; the rest from one.
 */
final class FirefoxProcess implements AutoCloseable {
    /** Debian's Firefox ESR; {@code -Dnetwatcher.firefox=PATH} names another. */
    static final Path BINARY = Path.of(System.getProperty("netwatcher.firefox", "/usr/bin/firefox-esr"));
    static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
    /** How many of Firefox's last stderr lines a failure shows. */
    static final int TAIL_LINES = 40;

    private final Process process;
    private final Path profile;
    private final URI endpoint;
    private final Deque<String> tail;
    /** The browser's processes seen before it was asked to exit (once it exits, its children can no longer be listed). */
    private final java.util.Set<ProcessHandle> family = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FirefoxProcess(Process process, Path profile, URI endpoint, Deque<String> tail) {
        this.process = process;
        this.profile = profile;
        this.endpoint = endpoint;
        this.tail = tail;
    }

    /**
     * Writes a profile trusting {@code caCertificate}, starts Firefox on it and waits at most {@code wait} for its BiDi
     * address.
     *
     * @throws IllegalStateException when Firefox is not installed (naming the package) or does not announce BiDi in time
     */
    static FirefoxProcess start(Path caCertificate, Duration wait) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's firefox-esr (testing/prerequisites.sh does)");
        }
        Path profile = Files.createTempDirectory("nwit-firefox-");
        Process process = null;
        try {
            FirefoxProfile.write(profile, caCertificate);
            ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "--headless", "--no-remote", "--remote-debugging-port=0",
                    "--profile", profile.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            // Firefox keeps crash reports and pings under $HOME/.mozilla: a home inside the profile goes with it
            builder.environment().put("HOME", Files.createDirectories(profile.resolve("home")).toString());
            builder.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
            builder.environment().put("MOZ_HEADLESS", "1");
            process = builder.start();
            Deque<String> tail = new ArrayDeque<>();
            CompletableFuture<URI> endpoint = new CompletableFuture<>();
            Process started = process;
            Thread.ofPlatform().daemon().name("firefox-stderr-" + process.pid()).start(() -> readStderr(started, tail, endpoint));
            try {
                URI uri = endpoint.get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return new FirefoxProcess(process, profile, uri, tail);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException("firefox-esr announced no WebDriver BiDi address within " + wait.toSeconds()
                        + " s (alive: " + process.isAlive() + "); its stderr: " + snapshot(tail), e);
            }
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                if (process != null) kill(process, process.descendants().toList());
            } finally {
                deleteTree(profile);
            }
            throw e;
        }
    }

    /** The session endpoint: {@code ws://127.0.0.1:PORT/session}. */
    URI sessionEndpoint() {
        return endpoint.resolve("/session");
    }

    Path profile() {
        return profile;
    }

    /** The browser's own process. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Firefox's last stderr lines, for failure messages. */
    String stderrTail() {
        return snapshot(tail);
    }

    /** Notes the browser's child processes as they are now: call before asking it to exit. */
    void rememberChildren() {
        process.descendants().forEach(family::add);
    }

    /**
     * Waits for Firefox to exit by itself (after {@code browser.close}), then kills what is left of it and of every
     * child {@link #rememberChildren} saw, and deletes the profile.
     */
    @Override
    public void close() {
        try {
            rememberChildren();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kill(process, List.copyOf(family));
        } finally {
            deleteTree(profile);
        }
    }

    private static void readStderr(Process process, Deque<String> tail, CompletableFuture<URI> endpoint) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) tail.removeFirst();
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) endpoint.complete(URI.create(m.group(1)));
            }
        } catch (IOException e) {
            // the process is gone: its stream ends
        } finally {
            endpoint.completeExceptionally(new IllegalStateException("firefox-esr's stderr ended"));
        }
    }

    private static String snapshot(Deque<String> tail) {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    /** Kills the browser's children (content processes) and the browser, and waits for them. */
    static void kill(Process process, List<ProcessHandle> children) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle child : children) child.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a child that outlives a SIGKILL by 10 s is the kernel's business; the profile goes anyway
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the Firefox profile " + root, e);
        }
    }
}
