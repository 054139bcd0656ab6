package netwatcher.lab;

import java.util.List;

/**
 * What a command run in a lab host returned. Immutable and thread-safe.
 *
 * @param command  the command as run inside the namespace
 * @param exitCode its exit status; -1 when it was killed after its timeout
 * @param stdout   standard output, UTF-8
 * @param stderr   standard error, UTF-8
 */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {

    public ExecResult {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** This result, or a {@link LabException} with the output when the command failed. */
    public ExecResult orThrow() {
        if (exitCode != 0) {
            throw new LabException("command " + String.join(" ", command) + " exited with " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip()) + (stdout.isBlank() ? "" : " (stdout: " + stdout.strip() + ")"));
        }
        return this;
    }
}
