package netwatcher.controller.capture;

import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The log events of a capture's life as its agent reports it: running, ended (with the reason and
 * counters), upload done or failed. One line each, with {@code capture=} (the ARM id, as the agent
 * logs it) and {@code vm=}; a report that changes none of these logs nothing. Stateless.
 */
final class CaptureEvents {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureService.class);

    private CaptureEvents() {}

    /** Logs what {@code report} changes about {@code before} (the capture as stored before it was applied). */
    static void logReport(Capture before, CaptureReport report) {
        CaptureStatus status = report.status();
        if (status != null && before.status() != status && !before.terminal()) {
            switch (status) {
                case Running -> LOG.atInfo().addKeyValue("capture", before.id()).addKeyValue("vm", before.vmKey())
                        .addKeyValue("start", report.startTime()).log("capture running");
                case Stopped, Error -> LOG.atLevel(status == CaptureStatus.Error ? Level.WARN : Level.INFO)
                        .addKeyValue("capture", before.id()).addKeyValue("vm", before.vmKey())
                        .addKeyValue("status", report.status()).addKeyValue("reason", report.stopReason())
                        .addKeyValue("packets", report.packets()).addKeyValue("bytes", report.bytes())
                        .log(report.message() == null ? "capture ended" : "capture ended: " + report.message());
                case NotStarted, Unknown -> { }
            }
        }
        UploadState uploadBefore = before.report() == null ? null : before.report().uploadState();
        if (report.uploadState() != null && uploadBefore != report.uploadState()) {
            switch (report.uploadState()) {
                case DONE -> LOG.atInfo().addKeyValue("capture", before.id()).addKeyValue("vm", before.vmKey())
                        .addKeyValue("bytes", report.uploadedBytes()).log("capture upload done");
                case FAILED -> LOG.atWarn().addKeyValue("capture", before.id()).addKeyValue("vm", before.vmKey())
                        .addKeyValue("bytes", report.uploadedBytes()).log("capture upload failed: {}", report.message());
                default -> { }
            }
        }
    }
}
