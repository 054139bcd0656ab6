package netwatcher.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the system tools the lab is made of ({@code ip}, {@code nft}, {@code sysctl}) as
 * subprocesses and collects their output. Every call blocks until the command ends or its timeout
 * passes (then the command is killed). Stateless and thread-safe.
 */
public final class Commands {
    /** Long enough for any single ip/nft call on a loaded machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Commands() {}

    /** Runs {@code command}; the result carries the exit code, it does not throw on failure. */
    public static ExecResult run(List<String> command, String stdin, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            try (var in = process.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The command may exit without reading its input; its exit code tells.
            }
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            String stdout = out.get(5, TimeUnit.SECONDS);
            String stderr = err.get(5, TimeUnit.SECONDS);
            return new ExecResult(command, ended ? process.exitValue() : -1, stdout,
                    ended ? stderr : stderr + "\n(killed after " + timeout.toMillis() + " ms)");
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new LabException("cannot read the output of " + String.join(" ", command), e);
        }
    }

    public static ExecResult run(List<String> command) {
        return run(command, null, DEFAULT_TIMEOUT);
    }

    /** Runs {@code command} and throws a {@link LabException} naming {@code step} when it fails. */
    public static ExecResult check(String step, List<String> command) {
        return check(step, command, null);
    }

    public static ExecResult check(String step, List<String> command, String stdin) {
        ExecResult result = run(command, stdin, DEFAULT_TIMEOUT);
        if (!result.succeeded()) {
            throw new LabException(step + " failed: `" + String.join(" ", command) + "` exited with " + result.exitCode()
                    + ": " + result.stderr().strip());
        }
        return result;
    }

    /** {@code ip netns exec <namespace> <command...>}. */
    public static List<String> inNamespace(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("lab-exec-drain").start(() -> {
            try (stream) {
                result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return result;
    }
}
