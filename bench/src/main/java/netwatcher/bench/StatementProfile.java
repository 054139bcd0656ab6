package netwatcher.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.testing.postgres.PostgresServer;

/**
 * Which statements the controllers send over a window, how often and how long each ran inside PostgreSQL: the
 * server logs every statement with its duration ({@code log_min_duration_statement = 0}, set with {@code ALTER
 * SYSTEM} and a reload, so the pools' open sessions log too) and the window's part of its log is summed by
 * statement text. Server time only: what a statement's caller waited for a pool connection or a CPU is not in it.
 * One window at a time; not thread-safe.
 */
final class StatementProfile {
    /** {@code duration: 0.071 ms  execute S_3: SELECT ...} (the extended protocol's execute step; parse and bind are apart) or a simple query's {@code statement: ...}. */
    private static final Pattern EXECUTE = Pattern.compile("duration: ([0-9.]+) ms  (?:execute [^:]*|statement): (.*)");
    private final PostgresServer pg;
    private final int logStart;
    private final long t0 = System.nanoTime();

    private StatementProfile(PostgresServer pg, int logStart) {
        this.pg = pg;
        this.logStart = logStart;
    }

    /** Starts logging every statement of the server. */
    static StatementProfile begin(Connection db, PostgresServer pg) throws SQLException {
        int mark = pg.log().length();
        try (Statement s = db.createStatement()) {
            s.execute("ALTER SYSTEM SET log_min_duration_statement = 0");
            s.execute("SELECT pg_reload_conf()");
        }
        return new StatementProfile(pg, mark);
    }

    /** Stops logging and prints the statements of the window: per second, per agent per second, server time. */
    void end(Connection db, int agents) throws SQLException {
        double seconds = (System.nanoTime() - t0) / 1e9;
        try (Statement s = db.createStatement()) {
            s.execute("ALTER SYSTEM RESET log_min_duration_statement");
            s.execute("SELECT pg_reload_conf()");
        }
        String log = pg.log();
        record Sum(String text, long count, double ms, double maxMs) {}
        Map<String, long[]> counts = new HashMap<>();
        Map<String, double[]> times = new HashMap<>();
        long total = 0;
        for (String line : log.substring(Math.min(logStart, log.length())).split("\n")) {
            Matcher m = EXECUTE.matcher(line);
            if (!m.find()) continue;
            String text = m.group(2).isBlank() ? "(empty query: a pool's connection check, isValid)" : m.group(2).replaceAll("\\$[0-9]+", "?").replaceAll("\\(\\?(,\\?)+\\)", "(?...)");
            if (text.length() > 110) text = text.substring(0, 110) + "...";
            double ms = Double.parseDouble(m.group(1));
            counts.computeIfAbsent(text, k -> new long[1])[0]++;
            double[] t = times.computeIfAbsent(text, k -> new double[2]);
            t[0] += ms;
            t[1] = Math.max(t[1], ms);
            total++;
        }
        List<Sum> sums = new ArrayList<>();
        counts.forEach((text, c) -> sums.add(new Sum(text, c[0], times.get(text)[0], times.get(text)[1])));
        sums.sort((a, b) -> Long.compare(b.count(), a.count()));
        System.out.printf(Locale.ROOT, "STATEMENTS over %.1f s: %d executed (%.0f/s, %.3f per agent per second); by statement, most frequent first:%n",
                seconds, total, total / seconds, total / seconds / agents);
        for (Sum s : sums.subList(0, Math.min(20, sums.size()))) {
            System.out.printf(Locale.ROOT, "  %7.1f/s %6.3f/agent/s  mean %6.3f ms  max %7.2f ms  %s%n", s.count() / seconds,
                    s.count() / seconds / agents, s.ms() / s.count(), s.maxMs(), s.text());
        }
    }
}
