package netwatcher.cli.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code nw logout}: removes the stored login (nw then falls back to the local controller's defaults). */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Remove the stored login.",
        footerHeading = "%nExamples:%n", footer = {"  nw logout", "  NW_CONFIG=/tmp/nw.json nw logout"})
public final class LogoutCommand extends ArmCommand {
    @Override
    protected int execute() {
        Path file = configPath();
        try {
            boolean removed = Files.deleteIfExists(file);
            err().println(removed ? "Logged out: removed " + file : "Not logged in (" + file + " does not exist)");
            err().flush();
            return 0;
        } catch (IOException e) {
            throw new CliException(ExitCodes.GENERIC, "ConfigWriteFailed", "cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
