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
import netwatcher.cli.discovery.ControllerDiscovery;
import netwatcher.cli.discovery.ControllerRecord;
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
        description = {"Administer a controller: enrollment tokens, service principals, role assignments, subscriptions, agents, the admin token.",
                "Talks to the controller that `nw up --data-dir DIR` recorded in DIR/controller.json (or to --controller, with"
                        + " DIR/admin.token and DIR/tls/ca.pem); when none runs, opens the data directory itself."})
public final class AdminCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(EnrollmentTokenCommands.class,
            ServicePrincipalCommands.class, RoleCommands.class, SubscriptionCommands.class, AgentAdminCommands.class,
            AdminTokenCommands.class);

    @Option(names = "--controller", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The controller's base URL (default: the one recorded in DIR/controller.json by `nw up`).")
    String controller;

    @Option(names = "--data-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The controller's data directory (default: .nw-data, here or in the netwatcher home).")
    Path dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The running controller, else the data directory: {@code --controller} when given (with the admin token
     * and CA of the data directory), else the controller the data directory's record names when it runs,
     * else (stopped, crashed, or never recorded) the data directory's database itself. Decided at once: a
     * recorded controller that is not running is never waited for.
     */
    AdminBackend connect() {
        Path dir = ControllerDiscovery.dataDirOrDefault(dataDir);
        if (controller != null) return connectTo(dir, controller);
        ControllerDiscovery.Found found;
        try {
            found = ControllerDiscovery.find(dir);
        } catch (IllegalStateException e) {
            throw new AdminException(e.getMessage(), e);
        }
        return switch (found) {
            case ControllerDiscovery.Running running -> {
                ControllerRecord r = running.record();
                String token;
                try {
                    token = running.token();
                } catch (IllegalStateException e) {
                    throw new AdminException(e.getMessage(), e);
                }
                yield new RemoteAdmin(RemoteAdmin.client(r.caFile() == null ? dir.resolve("tls").resolve("ca.pem") : Path.of(r.caFile())),
                        r.url(), token, Path.of(r.tokenFile()));
            }
            case ControllerDiscovery.NotRunning notRunning -> LocalAdmin.open(dir, sentence(notRunning.reason()), Clock.systemUTC());
            // no record: a controller from before records, on the default port, or none
            case ControllerDiscovery.NoRecord none -> connectTo(dir, DEFAULT_CONTROLLER);
        };
    }

    /** {@code url} when a controller answers there (token and CA from {@code dir}), else {@code dir}'s database. */
    private static AdminBackend connectTo(Path dir, String url) {
        Path tokenFile = dir.resolve("admin.token");
        var http = RemoteAdmin.client(dir.resolve("tls").resolve("ca.pem"));
        if (RemoteAdmin.reachable(http, url)) {
            if (!Files.isReadable(tokenFile)) {
                http.close();
                throw new AdminException("A controller answers at " + url + " but there is no admin token at " + tokenFile
                        + "; pass the controller's --data-dir.");
            }
            try {
                return new RemoteAdmin(http, url, Files.readString(tokenFile).strip(), tokenFile);
            } catch (java.io.IOException e) {
                throw new AdminException("Cannot read " + tokenFile + ": " + e.getMessage(), e);
            }
        }
        http.close();
        return LocalAdmin.open(dir, "No controller answers at " + url, Clock.systemUTC());
    }

    private static String sentence(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
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

    /** Where a controller that left no record in its data directory is looked for. */
    static final String DEFAULT_CONTROLLER = netwatcher.cli.client.ClientConfig.DEFAULT_ENDPOINT;

    static final String SECRET_NOTE = "This secret is shown only once; store it now.";

}
