package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** The polling loop behind {@code watch} and {@code create --wait}. Stateless. */
final class Watching {
    /** The last observation and the queryStatus answer it came from. */
    record Result(Progress.Snapshot snapshot, JsonNode status) {}

    private Watching() {}

    /**
     * Polls queryStatus (a long-running POST, followed to its Location) every {@code interval} and
     * feeds {@code progress} until the capture has ended and its file is settled.
     */
    static Result watch(ArmClient arm, JsonNode capture, Progress progress, Duration interval) {
        String id = capture.path("id").asText();
        while (true) {
            JsonNode status = arm.longRunning("POST", id + "/queryStatus", ArmClient.NETWORK_API, null).body();
            Progress.Snapshot s = Progress.Snapshot.of(status, capture);
            progress.update(s);
            if (s.finished()) return new Result(s, status);
            arm.sleep(interval);
        }
    }
}
