package netwatcher.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fenced code blocks of a Markdown file and how the docs test treats each. Pure: reads text,
 * runs nothing. Thread-safe (immutable results).
 *
 * <p>The convention: the fence's info string decides. Its first word {@code sh}, {@code bash} or
 * {@code shell} makes a command block, which the docs test runs; {@link #NOT_COMMANDS} are the words
 * for everything else (output, file contents, code in other languages). An HTML comment on the line
 * just before a command block changes how it runs (never whether it is a command):
 * <ul>
 *   <li>{@code <!-- doc-test: background; ready: CMD -->}: the block stays in the foreground for a
 *       user (a server); the test starts it in the background, in its own shell, runs {@code CMD}
 *       every second until it exits 0, and stops it with SIGINT (Ctrl-C) at the end of the document.
 *   <li>{@code <!-- doc-test: background; ready-output: TEXT -->}: the same, ready once the block
 *       has printed {@code TEXT} (what a user waits for before going on).
 *   <li>{@code <!-- doc-test: not run; reason: TEXT -->}: not run, for the reason given. Only
 *       {@code ./nw test} has it: it runs the docs test itself.
 * </ul>
 */
public final class MarkdownBlocks {
    /** Info-string words of command blocks. */
    public static final Set<String> COMMANDS = Set.of("sh", "bash", "shell");
    /** Info-string words of blocks that are not commands: output, file contents, other languages. */
    public static final Set<String> NOT_COMMANDS = Set.of("text", "json", "java", "properties", "yaml", "xml", "ini", "diff");

    private static final Pattern FENCE = Pattern.compile("^(\\s*)(`{3,}|~{3,})\\s*(.*)$");
    private static final Pattern DIRECTIVE = Pattern.compile("^\\s*<!--\\s*doc-test:\\s*(.*?)\\s*-->\\s*$");

    private MarkdownBlocks() {}

    /** How the docs test treats a block. */
    public enum Kind {
        /** run in the document's shell, in order; must succeed */
        COMMAND,
        /** a command the user leaves in the foreground: started aside, awaited with its ready probe */
        BACKGROUND,
        /** a command block the test does not run, with the reason in {@link Block#reason()} */
        NOT_RUN,
        /** output, file contents, or code that is not shell */
        NOT_COMMAND,
        /** no info string, or one the convention does not know: an error */
        UNCLASSIFIED
    }

    /**
     * One fenced block.
     *
     * @param doc    the Markdown file
     * @param line   1-based line of the opening fence
     * @param info   the fence's info string, as written
     * @param body   the block's text, the list indentation of its fence removed, ending with a newline
     * @param kind   how the docs test treats it
     * @param ready  for {@link Kind#BACKGROUND}: {@code ready: CMD} (a shell command that exits 0 once it
     *               is ready) or {@code ready-output: TEXT} (ready once it printed TEXT)
     * @param reason for {@link Kind#NOT_RUN}: why; for {@link Kind#UNCLASSIFIED}: what is wrong
     */
    public record Block(Path doc, int line, String info, String body, Kind kind, String ready, String reason) {
        public Block {
            if (doc == null || body == null || kind == null) throw new IllegalArgumentException("doc, body and kind are required");
            info = info == null ? "" : info;
            ready = ready == null ? "" : ready;
            reason = reason == null ? "" : reason;
        }

        /** {@code README.md:22} style position. */
        public String where() { return doc.getFileName() + ":" + line; }

        public boolean runs() { return kind == Kind.COMMAND || kind == Kind.BACKGROUND; }
    }

    /** README.md and every docs/*.md of the repository at {@code root}, in that order (docs by name). */
    public static List<Path> documents(Path root) {
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(docs);
    }

    /** The blocks of {@code doc}, in document order. */
    public static List<Block> read(Path doc) {
        try {
            return parse(doc, Files.readAllLines(doc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The blocks of {@code lines} (the text of {@code doc}). */
    public static List<Block> parse(Path doc, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) continue;
            String indent = open.group(1);
            String fence = open.group(2);
            String info = open.group(3).strip();
            int start = i;
            StringBuilder body = new StringBuilder();
            for (i++; i < lines.size(); i++) {
                String line = lines.get(i);
                String stripped = line.strip();
                if (stripped.startsWith(fence) && stripped.chars().allMatch(c -> c == fence.charAt(0))) break;
                body.append(line.startsWith(indent) ? line.substring(indent.length()) : line.stripLeading()).append('\n');
            }
            String directive = start > 0 ? directive(lines.get(start - 1)) : null;
            blocks.add(classify(doc, start + 1, info, body.toString(), directive));
        }
        return List.copyOf(blocks);
    }

    private static String directive(String line) {
        Matcher m = DIRECTIVE.matcher(line);
        return m.matches() ? m.group(1) : null;
    }

    private static Block classify(Path doc, int line, String info, String body, String directive) {
        String word = info.isEmpty() ? "" : info.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (NOT_COMMANDS.contains(word)) {
            if (directive != null) return unclassified(doc, line, info, body, "a doc-test comment before a block that is not a command");
            return new Block(doc, line, info, body, Kind.NOT_COMMAND, null, null);
        }
        if (!COMMANDS.contains(word)) {
            return unclassified(doc, line, info, body, info.isEmpty()
                    ? "no info string: mark commands `sh`, output and file contents `text` (or their language)"
                    : "info string '" + word + "' is neither a command (" + COMMANDS + ") nor one of " + NOT_COMMANDS);
        }
        if (directive == null) return new Block(doc, line, info, body, Kind.COMMAND, null, null);
        String head = directive.split(";", 2)[0].strip();
        String rest = directive.contains(";") ? directive.substring(directive.indexOf(';') + 1).strip() : "";
        return switch (head) {
            case "background" -> (rest.startsWith("ready:") && !rest.substring(6).isBlank())
                    || (rest.startsWith("ready-output:") && !rest.substring(13).isBlank())
                    ? new Block(doc, line, info, body, Kind.BACKGROUND, rest, null)
                    : unclassified(doc, line, info, body, "doc-test background needs '; ready: CMD' or '; ready-output: TEXT'");
            case "not run" -> rest.startsWith("reason:") && !rest.substring(7).isBlank()
                    ? new Block(doc, line, info, body, Kind.NOT_RUN, null, rest.substring(7).strip())
                    : unclassified(doc, line, info, body, "doc-test not run needs '; reason: TEXT'");
            default -> unclassified(doc, line, info, body, "unknown doc-test directive '" + head + "' (background, not run)");
        };
    }

    private static Block unclassified(Path doc, int line, String info, String body, String reason) {
        return new Block(doc, line, info, body, Kind.UNCLASSIFIED, null, reason);
    }
}
