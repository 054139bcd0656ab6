package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.DatabaseException;
import org.junit.jupiter.api.Test;

/** Which database faults the edge answers as 503 or 409 instead of 500 ({@link EdgeErrors#databaseFault}). */
class DatabaseFaultTest {
    static DatabaseException fault(SQLException cause) {
        return new DatabaseException("SQL failed", cause);
    }

    @Test
    void unreachableOrBusy_isServiceUnavailable() {
        for (SQLException cause : new SQLException[] {new SQLTransientConnectionException("pool: request timed out"),
                new SQLException("refused", "08001"), new SQLException("I/O", "08006"), new SQLException("shutdown", "57P01"),
                new SQLException("starting", "57P03"), new SQLException("too many", "53300")}) {
            assertEquals(ArmErrorCode.ServiceUnavailable, EdgeErrors.databaseFault(fault(cause)).code(), cause.getMessage());
        }
    }

    @Test
    void wrappedFault_isFoundInTheCauses() {
        var wrapped = new java.util.concurrent.CompletionException(fault(new SQLException("refused", "08001")));
        assertEquals(ArmErrorCode.ServiceUnavailable, EdgeErrors.databaseFault(wrapped).code());
    }

    @Test
    void lostUniqueRace_isConflict() {
        assertEquals(ArmErrorCode.Conflict, EdgeErrors.databaseFault(fault(new SQLException("duplicate", "23505"))).code());
    }

    @Test
    void otherFaults_stayInternalErrors() {
        assertNull(EdgeErrors.databaseFault(fault(new SQLException("syntax", "42601"))));
        assertNull(EdgeErrors.databaseFault(new IllegalStateException("bug")));
    }
}
