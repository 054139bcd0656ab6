package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the ARM commands: builds the {@link ArmClient} from the stored login, runs the command, and
 * turns a {@link CliException} into "ERROR: code: message" on standard error and its exit code.
 * Results go to standard output in the chosen format; progress goes to standard error. One instance
 * runs once, on one thread.
 */
public abstract class ArmCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    protected CommonOptions common;

    protected Map<String, String> env() { return System.getenv(); }

    protected Path configPath() {
        return common.config != null ? common.config : ClientConfig.path(env());
    }

    /** The login to use: explicit flags, else the stored login, else the default data directory's controller ({@link LoginResolver}). */
    protected ClientConfig loadConfig() {
        ClientConfig c = LoginResolver.resolve(common.dataDir, common.config, env());
        return common.subscription != null ? c.withSubscription(common.subscription) : c;
    }

    protected ArmClient client() {
        return client(loadConfig());
    }

    /** A client for {@code config} that waits out Retry-After by sleeping. */
    protected static ArmClient client(ClientConfig config) {
        return new ArmClient(config, d -> Thread.sleep(d.toMillis()));
    }

    protected PrintWriter out() { return spec.commandLine().getOut(); }

    protected PrintWriter err() { return spec.commandLine().getErr(); }

    protected InstantSource clock() { return InstantSource.system(); }

    /** Prints {@code node} in the chosen format. */
    protected void print(JsonNode node) {
        out().print(Output.render(node, common.output, common.query));
        out().flush();
    }

    /**
     * Prints a list: with {@code -o table} (and no {@code --query}) as the rows {@code row} makes of
     * each item, else the items themselves in the chosen format.
     */
    protected void printList(List<JsonNode> items, Function<JsonNode, JsonNode> row) {
        var array = Output.array();
        boolean table = common.output == Output.Format.table && common.query == null;
        items.forEach(item -> array.add(table ? row.apply(item) : item));
        print(array);
    }

    /** True when the output is {@code -o table} without {@code --query}: rows, not resources. */
    protected boolean tableRows() { return common.output == Output.Format.table && common.query == null; }

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (CliException e) {
            err().println("ERROR: " + e.code() + ": " + e.getMessage());
            if (e.exitCode() == ExitCodes.USAGE) err().println("See '" + spec.qualifiedName() + " --help'.");
            err().flush();
            return e.exitCode();
        }
    }

    /** The command's work; returns the exit code. */
    protected abstract int execute();
}
