package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void split_whenSemicolonsInStringsCommentsAndDollarQuotes_splitsOnlyAtTopLevel() {
        // comments stay with the statement that follows them; the line is that of its first SQL token
        String script = """
                -- leading comment; not a statement
                CREATE TABLE a (id BIGINT); /* block; comment */
                INSERT INTO a VALUES (1) ; INSERT INTO b (s) VALUES ('x;''y');
                CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
                SELECT "odd;name" FROM a
                """;

        List<SqlScript.Statement> statements = SqlScript.split(script);

        assertEquals(List.of(
                new SqlScript.Statement("-- leading comment; not a statement\nCREATE TABLE a (id BIGINT)", 2),
                new SqlScript.Statement("/* block; comment */\nINSERT INTO a VALUES (1)", 3),
                new SqlScript.Statement("INSERT INTO b (s) VALUES ('x;''y')", 3),
                new SqlScript.Statement("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql", 4),
                new SqlScript.Statement("SELECT \"odd;name\" FROM a", 5)), statements);
    }

    @Test
    void split_whenOnlyCommentsAndBlanks_returnsNothing() {
        assertEquals(List.of(), SqlScript.split("-- nothing\n\n/* still nothing */ ;\n;"));
    }

    @Test
    void split_whenPositionalDollarParameter_isNotADollarQuote() {
        assertEquals(2, SqlScript.split("SELECT $1; SELECT 2").size());
    }
}
