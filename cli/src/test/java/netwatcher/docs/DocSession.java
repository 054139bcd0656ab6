package netwatcher.docs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import netwatcher.docs.MarkdownBlocks.Block;

/**
 * One run of one document: its command blocks in order, in one bash shell ({@code set -e}: a
 * failing command fails its block) on the document's machine (the namespaces {@code enter} enters), with {@code tree} as the
 * working directory; background blocks run in their own shells (as in a second terminal) until the
 * end of the run, when they get SIGINT as from Ctrl-C. Not thread-safe: one test thread drives it.
 */
final class DocSession {
    /** The longest a block may run: a capture watched to its end, a lab coming up. */
    static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(5);
    /** The longest a background block may take to be ready (a first start creates keys and the database). */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /** How long a background block has to stop after Ctrl-C before it gets SIGTERM. */
    static final Duration INT_GRACE = Duration.ofSeconds(30);
    /** How long a background block may take to stop after SIGTERM (the lab takes its agents down first). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path tree;
    private final List<String> enter;
    private final Map<String, String> env;
    private final Path logs;
    private final List<Background> background = new ArrayList<>();
    private final StringBuilder transcript = new StringBuilder();

    private record Background(Block block, Process process, Path log) {}

    /**
     * @param tree  the working directory (a fresh copy of the repository)
     * @param enter the command prefix that runs a command on the document's "machine" (its namespaces)
     * @param env   the environment of every process
     * @param logs  where background blocks' output goes (one file per block)
     */
    DocSession(Path tree, List<String> enter, Map<String, String> env, Path logs) {
        this.tree = tree;
        this.enter = List.copyOf(enter);
        this.env = Map.copyOf(env);
        this.logs = logs;
    }

    /** What the shell printed, block by block. */
    String transcript() { return transcript.toString(); }

    /**
     * Runs {@code blocks} (one document's) in order; throws an {@link AssertionError} naming the
     * document, line, block and output of the first that fails. Background blocks are stopped on
     * every path; one that does not stop on Ctrl-C fails the run too.
     */
    void run(List<Block> blocks) throws Exception {
        Files.createDirectories(logs);
        Process shell = start(List.of("bash", "--noprofile", "--norc"), null);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        String eof = "\u0000eof-" + UUID.randomUUID();
        Thread.ofPlatform().daemon().name("doc-shell-reader").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("(reading the shell's output failed: " + e + ")");
            } finally {
                lines.add(eof);
            }
        });
        AssertionError failure = null;
        try (Writer stdin = new java.io.OutputStreamWriter(shell.getOutputStream(), StandardCharsets.UTF_8)) {
            stdin.write("set -e\n");
            for (Block block : blocks) {
                switch (block.kind()) {
                    case COMMAND -> runCommand(block, shell, stdin, lines, eof);
                    case BACKGROUND -> startBackground(block);
                    case NOT_RUN, NOT_COMMAND -> { }
                    case UNCLASSIFIED -> throw new AssertionError(block.where() + ": unclassified block (" + block.reason() + ")");
                }
            }
            stdin.write("exit 0\n");
        } catch (AssertionError e) {
            failure = e;
        } finally {
            if (!shell.waitFor(30, TimeUnit.SECONDS)) shell.destroyForcibly();
            AssertionError stopFailure = stopBackground();
            if (failure == null) failure = stopFailure;
        }
        if (failure != null) throw failure;
    }

    private void runCommand(Block block, Process shell, Writer stdin, BlockingQueue<String> lines, String eof) throws Exception {
        String marker = "@@doc-block-done-" + UUID.randomUUID() + "@@";
        transcript.append("$ # ").append(block.where()).append('\n');
        stdin.write(block.body());
        stdin.write("\nprintf '\\n%s\\n' '" + marker + "'\n");
        stdin.flush();
        StringBuilder output = new StringBuilder();
        long deadline = System.nanoTime() + BLOCK_TIMEOUT.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                shell.destroyForcibly();
                throw failure(block, "did not finish within " + BLOCK_TIMEOUT.toSeconds() + " s", output);
            }
            if (line.equals(marker)) break;
            if (line.equals(eof)) {
                shell.waitFor(10, TimeUnit.SECONDS);
                String code = shell.isAlive() ? "?" : String.valueOf(shell.exitValue());
                throw failure(block, "failed: a command exited non-zero (shell exit " + code + ")", output);
            }
            output.append(line).append('\n');
        }
        transcript.append(output);
    }

    private void startBackground(Block block) throws Exception {
        Path log = logs.resolve("background-" + block.doc().getFileName() + "-" + block.line() + ".log");
        transcript.append("$ # ").append(block.where()).append(" (background, log ").append(log).append(")\n");
        // setsid: its own process group, so Ctrl-C reaches the whole group as in a terminal
        Process process = start(List.of("setsid", "bash", "-c", block.body()), log);
        background.add(new Background(block, process, log));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw failure(block, "stopped (exit " + process.exitValue() + ") before it was ready", new StringBuilder(tail(log)));
            }
            if (block.ready().startsWith("ready-output:")) {
                if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(block.ready().substring(13).strip())) return;
                Thread.sleep(200);
                continue;
            }
            Process probe = start(List.of("bash", "-c", block.ready().substring(6).strip()), Path.of("/dev/null"));
            if (!probe.waitFor(60, TimeUnit.SECONDS)) probe.destroyForcibly();
            else if (probe.exitValue() == 0) return;
            Thread.sleep(1000);
        }
        throw failure(block, "not ready within " + READY_TIMEOUT.toSeconds() + " s (ready: " + block.ready() + ")", new StringBuilder(tail(log)));
    }

    /** Ctrl-C to every background block, last started first; returns a failure if one would not stop. */
    private AssertionError stopBackground() throws Exception {
        AssertionError failure = null;
        for (Background bg : background.reversed()) {
            if (bg.process().isAlive()) signalGroup("INT", bg.process().pid());
            // SIGTERM (the same shutdown) when SIGINT was ignored: a JVM started with SIGINT ignored, as by
            // a non-interactive shell's `&`, keeps it ignored, and so do its children
            if (!bg.process().waitFor(INT_GRACE.toSeconds(), TimeUnit.SECONDS)) signalGroup("TERM", bg.process().pid());
            if (!bg.process().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                signalGroup("KILL", bg.process().pid());
                bg.process().waitFor(10, TimeUnit.SECONDS);
                if (failure == null) {
                    failure = failure(bg.block(), "did not stop within " + (INT_GRACE.plus(STOP_TIMEOUT)).toSeconds() + " s of Ctrl-C and SIGTERM", new StringBuilder(tail(bg.log())));
                }
            }
            transcript.append("$ # ").append(bg.block().where()).append(" (background) output:\n").append(tail(bg.log()));
        }
        background.clear();
        return failure;
    }

    private static void signalGroup(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, "--", "-" + pid).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
    }

    /** A process on the document's machine, in the tree, with the document's environment ({@code setsid} first if asked). */
    private Process start(List<String> command, Path output) throws IOException {
        List<String> full = new ArrayList<>();
        boolean session = command.getFirst().equals("setsid");
        if (session) full.add("setsid");
        full.addAll(enter);
        full.addAll(session ? command.subList(1, command.size()) : command);
        ProcessBuilder pb = new ProcessBuilder(full).directory(tree.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (output != null) {
            pb.redirectOutput(output.toString().equals("/dev/null") ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(output.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        return pb.start();
    }

    private AssertionError failure(Block block, String what, StringBuilder output) {
        StringBuilder message = new StringBuilder();
        message.append(block.where()).append(": the block ").append(what).append("\n--- block (").append(block.info()).append(")\n")
                .append(block.body()).append("--- output\n").append(lastLines(output.toString(), 150));
        for (Background bg : background) {
            if (bg.block() != block) message.append("--- background ").append(bg.block().where()).append('\n').append(tail(bg.log()));
        }
        return new AssertionError(message.toString());
    }

    private static String tail(Path log) {
        try {
            return Files.exists(log) ? lastLines(Files.readString(log, StandardCharsets.UTF_8), 60) : "(no output)\n";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")\n";
        }
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - count), lines.size());
        return (lines.size() > count ? "(" + (lines.size() - count) + " lines before)\n" : "") + String.join("\n", last) + "\n";
    }
}
