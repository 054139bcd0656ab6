package netwatcher.agent.control;

import netwatcher.agent.check.CheckExecutor;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;

import java.util.Optional;
import java.util.Set;

/**
 * The {@link CheckExecutor}'s sink: its reports go to the journal's check outbox (delivered with the
 * capture reports by the {@link ReportPump}), and it asks the journal what is still queued or already
 * finished. Thread-safe (the journal is).
 */
final class CheckOutbox implements CheckExecutor.Sink {
    private final Journal journal;
    private final Runnable wakeReports;

    CheckOutbox(Journal journal, Runnable wakeReports) {
        this.journal = journal;
        this.wakeReports = wakeReports;
    }

    @Override
    public void report(CheckReport report) {
        journal.enqueueCheck(report);
        wakeReports.run();
    }

    @Override
    public boolean pending(String key, CheckRole role) {
        return journal.hasPendingCheck(key, role);
    }

    @Override
    public Optional<CheckReport> queued(String key, CheckRole role) {
        return journal.queuedCheck(key, role);
    }

    @Override
    public boolean finished(String key, CheckRole role) {
        return journal.isCheckFinished(key, role);
    }

    @Override
    public void retain(Set<String> listed) {
        journal.retainFinishedChecks(listed);
    }
}
