package netwatcher.cli;

import java.util.List;
import java.util.Map;
import netwatcher.cli.admin.AdminCommand;
import netwatcher.cli.client.LoginCommand;
import netwatcher.cli.client.LogoutCommand;
import netwatcher.cli.client.PacketCaptureCommand;
import netwatcher.cli.client.VmCommand;
import netwatcher.cli.client.VmssCommand;
import netwatcher.cli.client.WatcherCommand;
import netwatcher.cli.lab.LabCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Builds the {@code nw} command tree, whole or only the branch a call names. Picocli reflects over
 * every command class it is given (options, mixins, help sections) and its classes cannot go into the
 * JVM's AOT cache (they are Java 5 class files), so building all ~50 commands on every call was a
 * large part of a routine call's start-up (BENCHMARKS.md §6). The tree is declared here and in each parent's
 * {@code SUBCOMMANDS} instead of picocli's {@code subcommands} attribute, which always builds every
 * branch.
 *
 * <p>The rule for a partial build: at each level, when the next argument is exactly the name or
 * an alias of a subcommand, only that subcommand is built (and the rule goes on below it); otherwise
 * (an option, {@code --help}, a typo, nothing) the whole level is built, so usage, suggestions for a
 * mistyped name and the {@code help} command see every sibling. A partial tree therefore parses and
 * executes the call exactly as the whole tree would (CommandTreeTest compares them). Stateless; thread-safe.
 */
public final class CommandTree {
    /** Each parent command and its subcommands, in usage order. */
    private static final Map<Class<?>, List<Class<?>>> CHILDREN = Map.of(
            Main.class, List.of(UpCommand.class, AgentCommand.class, AdminCommand.class, LabCommand.class,
                    LoginCommand.class, LogoutCommand.class, VmCommand.class, VmssCommand.class, WatcherCommand.class,
                    CommandLine.HelpCommand.class),
            AdminCommand.class, AdminCommand.SUBCOMMANDS,
            LabCommand.class, LabCommand.SUBCOMMANDS,
            VmCommand.class, VmCommand.SUBCOMMANDS,
            VmssCommand.class, VmssCommand.SUBCOMMANDS,
            WatcherCommand.class, WatcherCommand.SUBCOMMANDS,
            PacketCaptureCommand.class, PacketCaptureCommand.SUBCOMMANDS);

    private CommandTree() {}

    /** The whole tree under {@code root}. */
    static CommandLine whole(Object root) {
        return build(root, null, 0);
    }

    /** The tree under {@code root} with, level by level, only the subcommand {@code args} names. */
    static CommandLine forArgs(Object root, String[] args) {
        return build(root, args, 0);
    }

    private static CommandLine build(Object command, String[] args, int next) {
        CommandLine line = new CommandLine(command);
        Class<?> type = command instanceof Class<?> c ? c : command.getClass();
        List<Class<?>> children = CHILDREN.getOrDefault(type, List.of());
        if (children.isEmpty()) return line;
        Class<?> named = args == null || next >= args.length ? null : named(children, args[next]);
        if (named != null && !CommandLine.HelpCommand.class.isAssignableFrom(named)) {
            line.addSubcommand(build(named, args, next + 1));
        } else {
            for (Class<?> child : children) line.addSubcommand(build(child, null, 0));
        }
        return line;
    }

    /** The child whose name or alias is {@code arg}, or null. */
    private static Class<?> named(List<Class<?>> children, String arg) {
        for (Class<?> child : children) {
            Command c = child.getAnnotation(Command.class);
            if (c == null) continue;
            if (c.name().equals(arg)) return child;
            for (String alias : c.aliases()) if (alias.equals(arg)) return child;
        }
        return null;
    }
}
