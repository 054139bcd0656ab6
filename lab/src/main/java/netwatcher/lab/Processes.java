package netwatcher.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts long-running lab processes inside a namespace and stops them again, also from another JVM
 * (after a crash) by pid plus start time, so a reused pid is never signalled. Stateless and
 * thread-safe.
 */
public final class Processes {
    /** How long a process gets between SIGTERM and SIGKILL. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    private Processes() {}

    /**
     * Starts {@code command} (already wrapped for its namespace) with stdin from /dev/null and both
     * outputs appended to {@code log}. {@code ip netns exec}, {@code unshare} and {@code sh -c 'exec ...'}
     * all exec in place, so the returned process is the program itself.
     */
    public static Process start(List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(new File("/dev/null"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            return builder.start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** The kernel's start time of {@code handle} in epoch milliseconds, or 0 when unknown. */
    public static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** The live process with this pid and start time, if it is still the one the lab started. */
    public static Optional<ProcessHandle> find(long pid, long startMillis) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> startMillis == 0 || Math.abs(startMillis(h) - startMillis) < 1000);
    }

    /**
     * Stops the processes: SIGTERM to each and its descendants, up to {@link #GRACE} to exit, then
     * SIGKILL. Returns the ones still alive afterwards (normally none).
     */
    public static List<ProcessHandle> stop(List<ProcessHandle> processes) {
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle process : processes) {
            process.descendants().forEach(all::add);
            all.add(process);
        }
        all.forEach(ProcessHandle::destroy);
        Instant deadline = Instant.now().plus(GRACE);
        while (Instant.now().isBefore(deadline) && all.stream().anyMatch(ProcessHandle::isAlive)) {
            sleep(20);
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        Instant killDeadline = Instant.now().plus(GRACE);
        while (Instant.now().isBefore(killDeadline) && all.stream().anyMatch(ProcessHandle::isAlive)) {
            sleep(20);
        }
        return all.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** Every process inside network namespace {@code namespace} ({@code ip netns pids}). */
    public static List<ProcessHandle> inNamespace(String namespace) {
        var result = Commands.run(List.of("ip", "netns", "pids", namespace));
        if (!result.succeeded()) return List.of();
        List<ProcessHandle> handles = new ArrayList<>();
        for (String line : result.stdout().split("\\s+")) {
            if (line.isBlank()) continue;
            ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(handles::add);
        }
        return handles;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
