package netwatcher.agent.hostcfg;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host's own tools ({@code nft}, {@code ip}, {@code iptables-legacy-save}) with an optional
 * prefix (for example {@code ip netns exec NAME}) and a deadline. Thread-safe: each call is its own process.
 */
final class Commands {
    /** What a finished command printed. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() { return exitCode == 0; }
    }

    private final List<String> prefix;
    private final Duration timeout;

    Commands(List<String> prefix, Duration timeout) {
        this.prefix = List.copyOf(prefix);
        this.timeout = timeout;
    }

    /** Runs the command; a missing binary yields exit code 127 with the reason in stderr. */
    Result run(String... command) {
        return run(List.of(command));
    }

    /** Runs the command; a missing binary yields exit code 127 with the reason in stderr. */
    Result run(List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        Process process;
        try {
            process = new ProcessBuilder(full).start();
        } catch (IOException e) {
            return new Result(127, "", "cannot run " + String.join(" ", full) + ": " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", full) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", full), e);
        }
    }

    /** The full command line with the prefix, for callers that manage the process themselves. */
    List<String> command(List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        return full;
    }

    /** Runs the command and fails with its stderr when it does not exit 0. */
    String runOrThrow(String... command) {
        Result result = run(command);
        if (!result.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exitCode() + ": "
                    + result.stderr().strip());
        }
        return result.stdout();
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("hostcfg-drain").start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        });
        return text;
    }
}
