package netwatcher.controller.db;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Binds statement parameters the same way on both engines. Stateless. */
final class Parameters {
    private Parameters() {}

    static void bind(PreparedStatement statement, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            bind(statement, i + 1, params[i]);
        }
    }

    private static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        switch (value) {
            case null -> statement.setNull(index, Types.NULL);
            case String text -> statement.setString(index, text);
            case Long number -> statement.setLong(index, number);
            case Integer number -> statement.setInt(index, number);
            case Short number -> statement.setShort(index, number);
            case Boolean flag -> statement.setBoolean(index, flag);
            // Both engines store TIMESTAMP WITH TIME ZONE in microseconds; truncating here makes both
            // truncate (PostgreSQL alone would round) so a value reads back identically everywhere.
            case Instant instant -> statement.setObject(index,
                    OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
            case OffsetDateTime time -> statement.setObject(index,
                    time.truncatedTo(ChronoUnit.MICROS).withOffsetSameInstant(ZoneOffset.UTC));
            case UUID uuid -> statement.setObject(index, uuid);
            case Enum<?> constant -> statement.setString(index, constant.name());
            case byte[] bytes -> statement.setBytes(index, bytes);
            case Double number -> statement.setDouble(index, number);
            case BigDecimal number -> statement.setBigDecimal(index, number);
            case LocalDate date -> statement.setObject(index, date);
            default -> throw new IllegalArgumentException("unsupported SQL parameter " + index + " of type "
                    + value.getClass().getName() + "; bind String, long, int, boolean, Instant, UUID, enum,"
                    + " byte[], double, BigDecimal, LocalDate or null");
        }
    }
}
