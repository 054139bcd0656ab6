package netwatcher.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import netwatcher.cli.Main;
import picocli.CommandLine;

/** Runs {@code nw} in-process, as the launcher would, with captured standard output and error. */
final class Cli {
    record Run(int exit, String out, String err) {
        @Override
        public String toString() { return "exit " + exit + "\n--- out ---\n" + out + "\n--- err ---\n" + err; }
    }

    private Cli() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(args); // the launcher's partial tree
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs {@code nw args --config config}. */
    static Run withConfig(Path config, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        return run(all);
    }
}
