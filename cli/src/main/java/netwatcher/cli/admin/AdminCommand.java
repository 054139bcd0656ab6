package netwatcher.cli.admin;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code nw admin}: enrollment tokens, service principals, role assignments, subscriptions and
 * agents, against the running controller or, when none answers, the data directory. Not
 * thread-safe: picocli runs one command per instance.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"Administer a controller: enrollment tokens, service principals, role assignments, subscriptions, agents.",
                "Talks to the controller at --controller (admin token from DIR/admin.token, CA from DIR/tls/ca.pem);"
                        + " when none answers there, opens the data directory itself."})
public final class AdminCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(EnrollmentTokenCommands.class,
            ServicePrincipalCommands.class, RoleCommands.class, SubscriptionCommands.class, AgentAdminCommands.class);

    @Option(names = "--controller", scope = ScopeType.INHERIT, defaultValue = "https://127.0.0.1:8443",
            description = "The controller's base URL (default: ${DEFAULT-VALUE}).")
    String controller;

    @Option(names = "--data-dir", scope = ScopeType.INHERIT, defaultValue = ".nw-data",
            description = "The controller's data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The running controller when it answers, else the data directory. */
    AdminBackend connect() {
        Path dir = dataDir;
        Path tokenFile = dir.resolve("admin.token");
        var http = RemoteAdmin.client(dir.resolve("tls").resolve("ca.pem"));
        if (RemoteAdmin.reachable(http, controller)) {
            if (!Files.isReadable(tokenFile)) {
                http.close();
                throw new AdminException("A controller answers at " + controller + " but there is no admin token at " + tokenFile
                        + "; pass the controller's --data-dir.");
            }
            try {
                return new RemoteAdmin(http, controller, Files.readString(tokenFile).strip());
            } catch (java.io.IOException e) {
                throw new AdminException("Cannot read " + tokenFile + ": " + e.getMessage(), e);
            }
        }
        http.close();
        return LocalAdmin.open(dir, controller, Clock.systemUTC());
    }

    /** Runs {@code action} on a backend; prints failures as one line and returns exit code 1. */
    static int with(AdminCommand admin, java.util.function.Function<AdminBackend, Integer> action) {
        PrintWriter err = admin.spec.commandLine().getErr();
        try (AdminBackend backend = admin.connect()) {
            return action.apply(backend);
        } catch (AdminException e) {
            err.println("nw admin: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    PrintWriter out() { return spec.commandLine().getOut(); }

    /** Prints one object as "key: value" lines. */
    static void printObject(PrintWriter out, Map<String, Object> m) {
        int width = m.keySet().stream().mapToInt(String::length).max().orElse(0);
        m.forEach((k, v) -> out.printf("%-" + width + "s  %s%n", k, v));
        out.flush();
    }

    /** Prints rows as an aligned table of the given columns. */
    static void printTable(PrintWriter out, List<Map<String, Object>> rows, String... columns) {
        List<String[]> lines = new ArrayList<>();
        String[] head = new String[columns.length];
        for (int i = 0; i < columns.length; i++) head[i] = columns[i].toUpperCase(Locale.ROOT);
        lines.add(head);
        for (Map<String, Object> r : rows) {
            String[] line = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                Object v = r.get(columns[i]);
                line[i] = v == null ? "-" : v.toString();
            }
            lines.add(line);
        }
        int[] width = new int[columns.length];
        for (String[] l : lines) for (int i = 0; i < l.length; i++) width[i] = Math.max(width[i], l[i].length());
        for (String[] l : lines) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                if (i > 0) b.append("  ");
                b.append(i == l.length - 1 ? l[i] : String.format("%-" + width[i] + "s", l[i]));
            }
            out.println(b);
        }
        out.flush();
    }

    /** {@code 24h}, {@code 30m}, {@code 7d}, {@code 90s} or plain seconds. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+")) return Duration.ofSeconds(Long.parseLong(t));
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new AdminException("'" + text + "' is not a duration; use e.g. 90s, 30m, 24h or 7d.");
        }
    }

    /** Shared shape of the group commands: a parent link and usage when called bare. */
    abstract static class Group implements Callable<Integer> {
        @CommandLine.ParentCommand
        AdminCommand admin;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }

        int with(java.util.function.Function<AdminBackend, Integer> action) {
            return AdminCommand.with(admin, action);
        }
    }

    static final String SECRET_NOTE = "This secret is shown only once; store it now.";

}
