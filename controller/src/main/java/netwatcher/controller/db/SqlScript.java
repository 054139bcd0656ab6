package netwatcher.controller.db;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a migration script into statements at top-level semicolons, leaving semicolons inside
 * quoted strings, quoted identifiers, comments and PostgreSQL dollar-quoted bodies alone.
 * Statements that hold only comments and white space are dropped. Stateless.
 */
final class SqlScript {
    private SqlScript() {}

    /** A statement and the 1-based line on which it starts. */
    record Statement(String sql, int line) {}

    static List<Statement> split(String script) {
        List<Statement> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean meaningful = false;
        int line = 1;
        int startLine = 1;
        int i = 0;
        int length = script.length();
        while (i < length) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < length && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? length : end;
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < length && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? length : end + 2;
                line += count(script, i, end);
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < length) {
                    if (script.charAt(end) == c) {
                        if (end + 1 < length && script.charAt(end + 1) == c) {
                            end += 2; // doubled quote is an escaped quote
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, length);
                if (!meaningful) {
                    startLine = line;
                }
                meaningful = true;
                line += count(script, i, end);
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '$') {
                int tagEnd = dollarTagEnd(script, i);
                if (tagEnd > 0) {
                    String tag = script.substring(i, tagEnd);
                    int close = script.indexOf(tag, tagEnd);
                    int end = close < 0 ? length : close + tag.length();
                    if (!meaningful) {
                        startLine = line;
                    }
                    meaningful = true;
                    line += count(script, i, end);
                    current.append(script, i, end);
                    i = end;
                    continue;
                }
            }
            if (c == ';') {
                if (meaningful) {
                    statements.add(new Statement(current.toString().strip(), startLine));
                }
                current.setLength(0);
                meaningful = false;
                i++;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (!Character.isWhitespace(c) && !meaningful) {
                meaningful = true;
                startLine = line;
            }
            current.append(c);
            i++;
        }
        if (meaningful) {
            statements.add(new Statement(current.toString().strip(), startLine));
        }
        return statements;
    }

    /** End (exclusive) of a dollar-quote tag such as {@code $$} or {@code $body$} at {@code start}, or -1. */
    private static int dollarTagEnd(String script, int start) {
        if (start > 0 && Character.isLetterOrDigit(script.charAt(start - 1))) {
            return -1; // part of an identifier such as a$b, or a parameter like $1 preceded by text
        }
        int i = start + 1;
        while (i < script.length()) {
            char c = script.charAt(i);
            if (c == '$') {
                return i + 1;
            }
            if (!(Character.isLetter(c) || c == '_' || (i > start + 1 && Character.isDigit(c)))) {
                return -1;
            }
            i++;
        }
        return -1;
    }

    private static int count(String text, int from, int to) {
        int lines = 0;
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
