package netwatcher.controller.db;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expand or contract: what a migration may do to a database that a controller of the previous version
 * still uses (rolling upgrade, docs/deployment.md).
 *
 * <p>An <b>expand</b> migration only adds: tables, indexes, nullable columns (or with a default),
 * rows, and fills columns it adds itself. The previous version ignores all of that and keeps working.
 * A <b>contract</b> migration removes or tightens what the previous version may still read or write
 * (drops, renames, type changes, new constraints on existing tables, rewriting existing columns,
 * deleting rows). It says so on its first line, {@code -- contract: <why>}, and is applied only once
 * every live controller registered on the database ships it (see {@code Migrator}).
 *
 * <p>{@link #violations} is the rule as a whitelist: a statement that is not recognisably additive
 * counts as contract work. Stateless.
 */
public enum MigrationPhase {
    EXPAND, CONTRACT;

    /** The first line that marks a contract migration. */
    public static final String CONTRACT_MARKER = "-- contract:";

    private static final Pattern CREATE_TABLE = Pattern.compile("^CREATE TABLE (?:IF NOT EXISTS )?(\\w+)");
    private static final Pattern CREATE_INDEX = Pattern.compile("^CREATE (UNIQUE )?INDEX (?:IF NOT EXISTS )?\\w+ ON (\\w+)");
    private static final Pattern ADD_COLUMN = Pattern.compile("^ALTER TABLE (?:IF EXISTS )?(\\w+) ADD COLUMN (?:IF NOT EXISTS )?(\\w+) (.*)$");
    private static final Pattern UPDATE = Pattern.compile("^UPDATE (\\w+) SET (.*?)(?: WHERE .*)?$");
    private static final Pattern ASSIGNED = Pattern.compile("(?:^|,)\\s*(\\w+)\\s*=");

    /** The phase a migration's text declares: contract when its first line starts with {@link #CONTRACT_MARKER}. */
    public static MigrationPhase of(String sql) {
        String first = sql.stripLeading();
        int end = first.indexOf('\n');
        String line = (end < 0 ? first : first.substring(0, end)).strip().toLowerCase(Locale.ROOT);
        return line.startsWith(CONTRACT_MARKER) ? CONTRACT : EXPAND;
    }

    /**
     * The statements of {@code sql} that an expand migration must not contain, each with the reason; empty
     * when the whole file is additive.
     */
    public static List<String> violations(String sql) {
        List<String> found = new ArrayList<>();
        Set<String> createdTables = new HashSet<>();
        Set<String> addedColumns = new HashSet<>();
        for (SqlScript.Statement statement : SqlScript.split(sql)) {
            String s = normalise(statement.sql());
            String why = check(s, createdTables, addedColumns);
            if (why != null) found.add("line " + statement.line() + ": " + why + ": " + s);
        }
        return found;
    }

    private static String check(String s, Set<String> createdTables, Set<String> addedColumns) {
        Matcher m;
        if ((m = CREATE_TABLE.matcher(s)).find()) {
            createdTables.add(m.group(1));
            return null;
        }
        if ((m = CREATE_INDEX.matcher(s)).find()) {
            return m.group(1) != null && !createdTables.contains(m.group(2))
                    ? "a unique index on an existing table can refuse what the previous version writes" : null;
        }
        if ((m = ADD_COLUMN.matcher(s)).find()) {
            addedColumns.add(m.group(1) + "." + m.group(2));
            String definition = m.group(3);
            if (definition.contains("NOT NULL") && !definition.contains("DEFAULT")) {
                return "a NOT NULL column without a default refuses the previous version's inserts";
            }
            if (definition.matches(".*\\b(REFERENCES|CHECK|UNIQUE|PRIMARY KEY)\\b.*")) {
                return "a constraint on an existing table can refuse what the previous version writes";
            }
            return null;
        }
        if ((m = UPDATE.matcher(s)).find()) {
            String table = m.group(1);
            if (createdTables.contains(table)) return null;
            Matcher assigned = ASSIGNED.matcher(topLevel(m.group(2)));
            while (assigned.find()) {
                if (!addedColumns.contains(table + "." + assigned.group(1))) {
                    return "rewrites column " + assigned.group(1) + " that the previous version reads";
                }
            }
            return null;
        }
        if (s.startsWith("INSERT INTO ") || s.startsWith("COMMENT ON ") || s.startsWith("CREATE SEQUENCE ")) {
            return null;
        }
        return "not an additive statement (drop, rename, type change, constraint, delete, or unknown)";
    }

    /** Upper case, comments removed, white space collapsed, quoted text replaced (so it cannot look like SQL). */
    private static String normalise(String sql) {
        String noComments = sql.replaceAll("(?m)--.*$", " ").replaceAll("(?s)/\\*.*?\\*/", " ");
        String noStrings = noComments.replaceAll("'(?:[^']|'')*'", "''");
        return noStrings.replaceAll("\\s+", " ").strip().toUpperCase(Locale.ROOT);
    }

    /** The text outside parentheses, so that {@code a = (SELECT x ... WHERE y = 1)} names only {@code a}. */
    private static String topLevel(String text) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : text.toCharArray()) {
            if (c == '(') depth++;
            if (depth == 0) out.append(c);
            if (c == ')') depth--;
        }
        return out.toString();
    }
}
