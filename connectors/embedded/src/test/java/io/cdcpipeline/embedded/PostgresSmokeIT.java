package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the stack's PostgreSQL does logical decoding the way Debezium uses it: a publication, a pgoutput slot, and
 * a committed insert decoded from the WAL.
 */
@RealStack
class PostgresSmokeIT {

    @Test
    void pgoutputSlotDecodesCommittedInsert(PostgresTestDatabase db) throws Exception {
        try (Connection conn = db.connect(); Statement st = conn.createStatement()) {
            assertThat(single(st, "SHOW wal_level")).isEqualTo("logical");
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL)");
            st.execute("CREATE PUBLICATION smoke_pub FOR TABLE customers");
            st.execute("SELECT pg_create_logical_replication_slot('" + db.name() + "', 'pgoutput')");
            st.execute("INSERT INTO customers VALUES (7, 'ada@example.com')");

            List<byte[]> messages = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT data FROM pg_logical_slot_peek_binary_changes('" + db.name()
                    + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'smoke_pub')")) {
                while (rs.next()) {
                    messages.add(rs.getBytes(1));
                }
            }

            assertThat(messages).extracting(m -> (char) m[0]).containsExactly('B', 'R', 'I', 'C');
            PgOutput.Relation relation = PgOutput.relation(messages.get(1));
            assertThat(relation.schema()).isEqualTo("public");
            assertThat(relation.table()).isEqualTo("customers");
            assertThat(PgOutput.insertedRow(messages.get(2), relation))
                    .containsExactly(Map.entry("id", "7"), Map.entry("email", "ada@example.com"));
        }
    }

    private static String single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Just enough of the pgoutput protocol (version 1) to read a Relation and an Insert message. */
    static final class PgOutput {

        record Relation(int id, String schema, String table, List<String> columns) {
        }

        static Relation relation(byte[] message) {
            ByteBuffer buf = ByteBuffer.wrap(message);
            expectType(buf, 'R');
            int id = buf.getInt();
            String schema = cstring(buf);
            String table = cstring(buf);
            buf.get(); // replica identity setting
            int count = buf.getShort();
            List<String> columns = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                buf.get(); // flags: part of the key or not
                columns.add(cstring(buf));
                buf.getInt(); // type oid
                buf.getInt(); // type modifier
            }
            return new Relation(id, schema, table, columns);
        }

        static Map<String, String> insertedRow(byte[] message, Relation relation) {
            ByteBuffer buf = ByteBuffer.wrap(message);
            expectType(buf, 'I');
            assertThat(buf.getInt()).as("relation id of the insert").isEqualTo(relation.id());
            assertThat((char) buf.get()).as("new-tuple marker").isEqualTo('N');
            int count = buf.getShort();
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                char kind = (char) buf.get();
                String value = null;
                if (kind == 't') {
                    byte[] text = new byte[buf.getInt()];
                    buf.get(text);
                    value = new String(text, StandardCharsets.UTF_8);
                }
                row.put(relation.columns().get(i), value);
            }
            return row;
        }

        private static void expectType(ByteBuffer buf, char type) {
            assertThat((char) buf.get()).as("pgoutput message type").isEqualTo(type);
        }

        private static String cstring(ByteBuffer buf) {
            int start = buf.position();
            while (buf.get() != 0) {
                // advance to the terminating zero byte
            }
            return new String(buf.array(), start, buf.position() - start - 1, StandardCharsets.UTF_8);
        }
    }
}
