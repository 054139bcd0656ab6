package netwatcher.testing.netns;

/** The outcome of a finished subprocess. */
public record ProcessResult(int exitCode, String stdout, String stderr) {
    /** Throws with both outputs when the process did not exit 0; returns this otherwise. */
    public ProcessResult orThrow(String what) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
        }
        return this;
    }
}
